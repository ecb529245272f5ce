// The shipped data itself: `npm run check:data` passes, every record says where its fixed
// version came from, and the advisories the rest of clawpatrol relies on are present.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkShippedData } from "../../src/advisories/check.ts";
import { loadAdvisoryDb } from "../../src/advisories/store.ts";

describe("data/advisories", () => {
  const db = loadAdvisoryDb({ userDir: null });

  it("passes check:data (schema, ranges, names, aliases, releases, UNVERIFIED overlap)", () => {
    const report = checkShippedData();
    expect(report.problems).toEqual([]);
    expect(report.records).toBeGreaterThanOrEqual(400);
    expect(report.unverified).toBeGreaterThan(0);
  });

  it("npm run check:data exits 0", () => {
    const script = fileURLToPath(new URL("../../scripts/check-data.ts", import.meta.url));
    const r = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 problems/);
  });

  it("every record names its fixed-version source and a real first npm release", () => {
    for (const a of db.advisories) {
      expect(a.fixedSource, a.id).not.toBeNull();
      expect(a.fixedSource!.evidence.length, a.id).toBeGreaterThan(30);
      expect(a.exposure.length, a.id).toBeGreaterThan(0);
    }
  });

  it("contains the advisories the scan and audit rely on", () => {
    for (const id of [
      "GHSA-g8p2-7wf7-98mq", // CVE-2026-25253
      "GHSA-g55j-c2v4-pjcg", // CVE-2026-25593
      "GHSA-5wcw-8jjv-m286", // trusted-proxy CSWSH
      "GHSA-rqpp-rjj8-7wv8", // shared-token scope self-elevation
      "GHSA-mhgq-xpfq-6r66", // unauthenticated plugin routes with operator scopes
      "GHSA-xmxx-7p24-h892", // bearer accepted after rotation
      "GHSA-93rg-2xm5-2p9v", // control-ui-config.json without auth
    ])
      expect(db.byId.has(id), id).toBe(true);
  });

  it("pre-auth flags are consistent with exposure", () => {
    for (const a of db.advisories)
      if (a.preAuth)
        expect(
          a.exposure.some((e) => e !== "local"),
          `${a.id} pre-auth but local only`,
        ).toBe(true);
  });
});
