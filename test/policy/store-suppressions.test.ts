// --store-suppressions as a user runs it: the real CLI audits a real (written here) OpenClaw
// config without auth; an entry kept in the store (as the dashboard adds it) for its
// CP-AUDIT-001 finding takes it out of the report and the gate, like a .clawpatrol-ignore.yml
// entry; --show-suppressed names the store entry; `policy suppressions` exports it in the
// ignore-file format, which then does the same from the file alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/model.ts";
import { addStoredSuppression } from "../../src/findings/stored-suppressions.ts";
import { evidencePin } from "../../src/findings/suppress.ts";
import { openStore } from "../../src/store/db.ts";
import { runClawpatrol } from "../support/cli.ts";

const root = mkdtempSync(join(tmpdir(), "cp-store-suppress-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = join(root, "home");
const env = { CLAWPATROL_HOME: home, DATABASE_URL: "" };
mkdirSync(join(root, "state"), { mode: 0o700 });
mkdirSync(join(root, "h"));
writeFileSync(join(root, "openclaw.json"), `{ gateway: { bind: "lan", auth: { mode: "none" } } }\n`, {
  mode: 0o600,
});

const audit = (...extra: string[]) =>
  runClawpatrol(
    [
      "audit",
      "--state-dir",
      join(root, "state"),
      "--config",
      join(root, "openclaw.json"),
      "--home",
      join(root, "h"),
      "--no-live",
      "--assume-version",
      "openclaw@2026.9.6",
      ...extra,
    ],
    { cwd: root, env },
  );
const rulesOf = (stdout: string) => (JSON.parse(stdout).findings as Finding[]).map((f) => f.ruleId);

describe("audit --store-suppressions", () => {
  let before: Finding[] = [];

  beforeAll(async () => {
    const first = await audit("--json", "--fail-on", "critical");
    before = JSON.parse(first.stdout).findings as Finding[];
    const target = before.find((f) => f.ruleId === "CP-AUDIT-001")!;
    expect(target).toBeDefined();
    const store = await openStore({ dataDir: join(home, "db") });
    try {
      await addStoredSuppression(
        store.db,
        {
          rule: target.ruleId,
          path: target.asset,
          sha256: evidencePin(target),
          reason: "lab host, closed next sprint",
          owner: "j.doe@example.com",
          expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
        },
        "J. Doe (API token)",
        new Date(),
      );
    } finally {
      await store.close();
    }
  }, 120_000);

  it("without the flag the store's entries are not read: the finding is reported", async () => {
    const r = await audit("--json", "--fail-on", "none");
    expect(rulesOf(r.stdout)).toContain("CP-AUDIT-001");
  }, 60_000);

  it("with it the finding leaves the report and the gate; --show-suppressed names the store entry", async () => {
    const r = await audit("--json", "--fail-on", "none", "--store-suppressions");
    expect(r.code, r.stderr).toBe(0);
    const rules = rulesOf(r.stdout);
    expect(rules).not.toContain("CP-AUDIT-001");
    expect(rules.length).toBe(before.length - 1);
    expect(r.stderr).toMatch(/1 suppressed finding\(s\) left out; --show-suppressed lists them/);
    const text = await audit("--show-suppressed", "--fail-on", "none", "--store-suppressions");
    expect(text.stdout).toMatch(
      /suppressed: lab host, closed next sprint \(until \d{4}-\d{2}-\d{2}, owner j\.doe@example\.com; store suppression [0-9a-f]{16} \(added by J\. Doe \(API token\)\)\)/,
    );
  }, 60_000);

  it("audit --store keeps the finding; export leaves it out while the store's suppression holds it", async () => {
    const stored = await audit("--json", "--fail-on", "none", "--store");
    expect(stored.code, stored.stderr).toBe(0);
    const sarif = await runClawpatrol(["export", "-f", "sarif"], { cwd: root, env });
    expect(sarif.code, sarif.stderr).toBe(0);
    const ruleIds = (JSON.parse(sarif.stdout).runs[0].results as { ruleId: string }[]).map((r) => r.ruleId);
    expect(ruleIds.length).toBeGreaterThan(0);
    expect(ruleIds).not.toContain("CP-AUDIT-001");
    expect(sarif.stderr).toContain("1 suppressed finding(s) left out");
  }, 60_000);

  it("`policy suppressions` exports them as .clawpatrol-ignore.yml, which suppresses without the store", async () => {
    const exported = await runClawpatrol(["policy", "suppressions"], { cwd: root, env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^# exported from the clawpatrol store: 1 suppression\(s\)/);
    writeFileSync(join(root, "exported.yml"), exported.stdout);
    const r = await audit("--json", "--fail-on", "none", "--ignore-file", "exported.yml");
    expect(rulesOf(r.stdout)).not.toContain("CP-AUDIT-001");
    const json = await runClawpatrol(["policy", "suppressions", "--json"], { cwd: root, env });
    const doc = JSON.parse(json.stdout) as {
      suppressions: { createdBy: string }[];
      audit: { action: string }[];
    };
    expect(doc.suppressions.map((s) => s.createdBy)).toEqual(["J. Doe (API token)"]);
    expect(doc.audit.map((a) => a.action)).toEqual(["add"]);
  }, 60_000);
});
