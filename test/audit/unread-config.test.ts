// A config the audit cannot read at all is not judged as an empty config: its bind, auth and
// tools are unknown, not insecure (an empty config reads as "all interfaces, no auth" on some
// releases). Only the read error and the file checks are reported.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.ts";

const root = mkdtempSync(join(tmpdir(), "cp-unread-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function stateDirWith(name: string, content: string | Buffer, mode = 0o600): string {
  const state = join(root, name, "state");
  mkdirSync(state, { recursive: true, mode: 0o700 });
  mkdirSync(join(root, name, "home"), { recursive: true });
  writeFileSync(join(state, "openclaw.json"), content);
  chmodSync(join(state, "openclaw.json"), mode);
  return state;
}

const CASES: [string, string | Buffer][] = [
  ["a syntax error", '{ gateway: { bind: "loopback", auth: { mode: "token", token: "x" '],
  ["invalid UTF-8", Buffer.from([0x7b, 0x20, 0xff, 0xfe, 0x20, 0x7d])],
  ["a top level that is not an object", "[1, 2, 3]"],
];

describe("audit of a config that cannot be read", () => {
  it.each(CASES)("%s: the read error is reported, no setting is judged", async (name, content) => {
    const stateDir = stateDirWith(name.replace(/\W+/g, "-"), content);
    const report = await runAudit({
      stateDir,
      home: join(stateDir, "..", "home"),
      noLive: true,
      probe: false,
    });
    const ids = report.findings.map((f) => f.ruleId);
    expect(ids).toContain("CP-AUDIT-110");
    // Bind and auth findings would be guesses from an empty object.
    for (const guess of ["CP-AUDIT-001", "CP-AUDIT-002", "CP-AUDIT-106", "CP-AUDIT-003", "CP-AUDIT-029"])
      expect(ids).not.toContain(guess);
    expect(report.findings.filter((f) => f.severity === "critical")).toEqual([]);
  });

  it("file checks still run on such a config (a world-readable file is still reported)", async () => {
    const stateDir = stateDirWith("world-readable", "{ not json5 ", 0o644);
    const report = await runAudit({
      stateDir,
      home: join(stateDir, "..", "home"),
      noLive: true,
      probe: false,
    });
    const ids = report.findings.map((f) => f.ruleId);
    expect(ids).toContain("CP-AUDIT-110");
    expect(ids).toContain("CP-AUDIT-075");
  });

  it("a readable config with the same settings is judged (the filter only applies to unread configs)", async () => {
    const stateDir = stateDirWith("readable", '{ gateway: { bind: "lan", auth: { mode: "none" } } }');
    const report = await runAudit({
      stateDir,
      home: join(stateDir, "..", "home"),
      noLive: true,
      probe: false,
    });
    expect(report.findings.map((f) => f.ruleId)).toContain("CP-AUDIT-001");
  });
});
