// Every check id the real `openclaw security audit --json` reported for a case (recorded
// from the zoo builds) must be named by at least one clawpatrol finding on the same case.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXPLAINED_EXTRAS } from "../../src/audit/check-catalogue.ts";
import { idCovers } from "../../src/audit/rule-catalogue.ts";
import { auditCase, covers, listCases, readCase, readRecorded, uncovered } from "./support/cases.ts";
import { compareCase } from "./support/conformance.ts";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe("coverage of the real OpenClaw audit (recorded)", () => {
  const cases = listCases().filter((n) => readRecorded(n) !== null);
  it("has recordings for every build and for zoo, dangerous and hardened configs", () => {
    const builds = new Set(cases.map((n) => readCase(n).build));
    expect(builds.size).toBeGreaterThanOrEqual(5);
    expect(cases.some((n) => n.startsWith("zoo-"))).toBe(true);
    expect(cases.some((n) => n.startsWith("dangerous-"))).toBe(true);
    expect(cases.some((n) => n.startsWith("hardened-"))).toBe(true);
  });
  for (const name of cases) {
    it(`${name}: every reported check id is covered`, async () => {
      const root = mkdtempSync(join(tmpdir(), "cp-cov-"));
      roots.push(root);
      const rec = readRecorded(name)!;
      const { report } = await auditCase(name, root);
      const missing = uncovered(rec.report.findings, report.findings);
      expect(missing, `clawpatrol missed: ${missing.join(", ")}`).toEqual([]);
      // differential: no lower severity, no extra finding OpenClaw did not report unless explained
      const cmp = compareCase(rec.report.findings, report.findings, {
        extraAllowed: (f) => Object.keys(EXPLAINED_EXTRAS).some((p) => idCovers(p, f.openclawCheckId ?? "")),
      });
      expect(cmp.lower, "matched at a lower severity").toEqual([]);
      expect(cmp.extra, "clawpatrol named checks the real audit did not report").toEqual([]);
    });
  }
});

describe("coverage matching", () => {
  it("matches exact ids and positional wildcards only", () => {
    expect(covers("gateway.bind_no_auth", "gateway.bind_no_auth")).toBe(true);
    expect(covers("channels.telegram.warning.*", "channels.telegram.warning.3")).toBe(true);
    expect(covers("channels.telegram.warning.*", "channels.discord.warning.3")).toBe(false);
    expect(covers("gateway.token_too_short", "gateway.password_too_short")).toBe(false);
    expect(uncovered([{ checkId: "a.b", severity: "warn", title: "" }], [{ openclawCheckId: null }])).toEqual(
      ["a.b"],
    );
  });
});
