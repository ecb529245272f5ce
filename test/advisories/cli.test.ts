// `clawpatrol advisories ...` end to end: spawns bin/clawpatrol.mjs with its own
// CLAWPATROL_HOME and checks output and exit codes.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCheckQuery } from "../../src/cli/advisories.ts";
import { UsageError } from "../../src/core/errors.ts";
import { record, tempDir } from "./helpers.ts";

const BIN = fileURLToPath(new URL("../../bin/clawpatrol.mjs", import.meta.url));

function cli(args: string[], home = tempDir()) {
  const r = spawnSync(process.execPath, [BIN, "advisories", ...args], {
    encoding: "utf8",
    env: { ...process.env, CLAWPATROL_HOME: home, NO_COLOR: "1" },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("parseCheckQuery", () => {
  it("reads versions, product prefixes, ranges and candidate lists", () => {
    expect(parseCheckQuery("2026.3.13").query).toEqual({ product: "openclaw", version: "2026.3.13" });
    expect(parseCheckQuery("clawdbot@2026.1.24-3").query).toEqual({
      product: "clawdbot",
      version: "2026.1.24-3",
    });
    expect(parseCheckQuery("2026.3.1..2026.3.31").query.range).toEqual({ min: "2026.3.1", max: "2026.3.31" });
    expect(parseCheckQuery("..2026.2.1").query.range).toEqual({ min: null, max: "2026.2.1" });
    expect(parseCheckQuery(">=2026.3.1 <=2026.3.31").query.range).toEqual({
      min: "2026.3.1",
      max: "2026.3.31",
    });
    expect(parseCheckQuery("2026.3.11,2026.3.12").query.candidates).toEqual(["2026.3.11", "2026.3.12"]);
    expect(parseCheckQuery("2026.2.1", "moltbot").product).toBe("moltbot");
  });

  it.each(["", "latest", "2026.3", "2026.3.1..x", "2026.4.1..2026.3.1", "<2026.3.1", "a,b", "1..2..3"])(
    "rejects %j with a usage error",
    (input) => {
      expect(() => parseCheckQuery(input)).toThrow(UsageError);
    },
  );
});

describe("clawpatrol advisories (CLI)", () => {
  it("check <version> --json lists affected advisories with ids, aliases, severity, pre-auth and fix", () => {
    const r = cli(["check", "clawdbot@2026.1.24-3", "--json"]);
    expect(r.code).toBe(1); // high advisories reach the default --fail-on high
    const body = JSON.parse(r.out);
    expect(body.product).toBe("clawdbot");
    const g8p2 = body.affected.find((m: { id: string }) => m.id === "GHSA-g8p2-7wf7-98mq");
    expect(g8p2).toMatchObject({
      aliases: ["CVE-2026-25253"],
      severity: "high",
      preAuth: true,
      fixed: "2026.1.29",
      certainty: "affected",
    });
    expect(body.possiblyAffected).toEqual([]);
    expect(typeof body.upgradeTo).toBe("string");
  });

  it("check with a range separates affected from possibly affected", () => {
    const r = cli(["check", "2026.3.1..2026.3.31", "--json", "--fail-on", "none"]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(body.affected.length).toBeGreaterThan(0);
    expect(body.possiblyAffected.length).toBeGreaterThan(0);
    for (const m of body.possiblyAffected) expect(m.certainty).toBe("possibly-affected");
  });

  it("check prints text, supports --pre-auth and --fail-on", () => {
    const r = cli(["check", "2026.2.1", "--pre-auth"]);
    expect(r.code).toBe(1);
    // The numbers describe the whole match (docs/advisories.md); --pre-auth narrows the list.
    const head =
      /^openclaw 2026\.2\.1 advisories: (\d+) affecting, (\d+) pre-auth; usable here: (\d+) with auth enforced, (\d+) without auth$/m.exec(
        r.out,
      );
    expect(head).not.toBeNull();
    const [affecting, preAuth, withAuth, withoutAuth] = head!.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    expect(r.out).toMatch(/upgrade to: openclaw@/);
    const listed = r.out.split("\n").filter((l) => /^ {2}(LOW|MEDIUM|HIGH|CRITICAL) /.test(l));
    expect(listed.length).toBe(preAuth);
    expect(preAuth).toBeLessThan(affecting);
    expect(withAuth).toBeLessThanOrEqual(preAuth);
    expect(withoutAuth).toBeGreaterThan(withAuth);
    for (const line of listed) expect(line).toContain("pre-auth");
    expect(cli(["check", "2026.2.1", "--fail-on", "critical"]).code).toBe(1);
    expect(cli(["check", "2026.9.6", "--fail-on", "low"]).code).toBe(0);
    expect(cli(["check", "2026.2.1", "--fail-on", "none"]).code).toBe(0);
  });

  it("bad input is a one-line usage error with exit 2 and no stack trace", () => {
    for (const args of [
      ["check", "banana"],
      ["check", "2026.2.1", "--fail-on", "severe"],
      ["show", "GHSA-none-none-none"],
      ["check"],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).not.toMatch(/\bat \S+:\d+:\d+/);
    }
  });

  it("list and show", () => {
    const list = cli(["list", "--json", "--pre-auth", "--min-severity", "critical"]);
    expect(list.code).toBe(0);
    const body = JSON.parse(list.out);
    expect(body.count).toBe(body.advisories.length);
    for (const a of body.advisories) {
      expect(a.preAuth).toBe(true);
      expect(a.severity).toBe("critical");
    }
    const show = cli(["show", "CVE-2026-25253"]);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/^GHSA-g8p2-7wf7-98mq/);
    expect(show.out).toMatch(/fixed version: +from ghsa/);
    const json = JSON.parse(cli(["show", "GHSA-g8p2-7wf7-98mq", "--json"]).out);
    expect(json.record.id).toBe("GHSA-g8p2-7wf7-98mq");
    expect(json.advisory.fixedSource.first_npm_release).toBe("2026.1.29");
  });

  it("import keeps good records, rejects bad ones with exit 2, and check then sees the import", () => {
    const home = tempDir();
    const src = tempDir();
    writeFileSync(
      join(src, "new.json"),
      JSON.stringify(
        record("GHSA-zzzz-zzzz-zzzz", [{ introduced: "2026.9.6" }], {
          severity: "CRITICAL",
          preAuth: true,
          summary: "evil \u001b[31mred\u001b[0m summary",
        }),
      ),
    );
    writeFileSync(join(src, "bad.json"), "{");
    const r = cli(["import", src], home);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/added GHSA-zzzz-zzzz-zzzz/);
    expect(r.out).toMatch(/rejected .*bad\.json: invalid JSON/);
    const check = cli(["check", "2026.9.6"], home);
    expect(check.out).toMatch(/GHSA-zzzz-zzzz-zzzz/);
    // Untrusted text from imported data is escaped, never passed through as a control sequence.
    expect(check.out).not.toContain("\u001b");
    expect(check.out).toContain("\\x1b[31m");
    const ok = cli(["import", join(src, "new.json")], home);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/replaced GHSA-zzzz-zzzz-zzzz/);
  });
});
