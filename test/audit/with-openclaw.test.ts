// `audit --with-openclaw FILE` merges a real `openclaw security audit --json` (here: the
// recordings of the zoo builds) into clawpatrol's findings, one finding per issue.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { mergeOpenClaw, parseOpenClawAudit } from "../../src/audit/with-openclaw.ts";
import { UsageError } from "../../src/core/errors.ts";
import { auditCase, FIXTURES, readRecorded } from "./support/cases.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "cp-withoc-"));
  roots.push(d);
  return d;
};

describe("merging openclaw security audit output", () => {
  it("attaches every real finding to the clawpatrol finding naming it, adds none when all are named", async () => {
    const rec = readRecorded("dangerous-oc96")!;
    const { report } = await auditCase("dangerous-oc96", tmp());
    const real = parseOpenClawAudit(JSON.stringify(rec.report), "x.json");
    const merged = mergeOpenClaw(report.findings, real, "x.json");
    const attached = merged.flatMap((f) => (f.openclaw ?? []).map((o) => o.checkId));
    expect(attached.sort()).toEqual(real.map((f) => f.checkId).sort());
    expect(merged.filter((f) => f.ruleId === "CP-AUDIT-400")).toEqual([]);
    expect(merged.length).toBe(report.findings.length);
    const bind = merged.find((f) => f.openclaw?.some((o) => o.checkId === "hooks.path_root"))!;
    expect(bind.ruleId).toBe("CP-AUDIT-033");
  });

  it("adds an OpenClaw finding nobody names as CP-AUDIT-400 with its id and severity mapped", () => {
    const merged = mergeOpenClaw(
      [],
      [
        {
          checkId: "plugins.code_safety",
          severity: "critical",
          title: "Plugin has dangerous code",
          detail: "eval",
        },
        { checkId: "plugins.code_safety", severity: "critical", title: "second plugin" },
        { checkId: "models.legacy", severity: "warn", title: "Legacy model" },
      ],
      "oc.json",
    );
    expect(merged.map((f) => [f.ruleId, f.openclawCheckId, f.severity])).toEqual([
      ["CP-AUDIT-400", "plugins.code_safety", "high"],
      ["CP-AUDIT-400", "models.legacy", "medium"],
    ]);
    expect(merged[0]!.openclaw).toHaveLength(2);
    expect(merged[0]!.evidence[0]!.excerpt).toBe("eval");
  });

  it("skips doctor notes old releases print before the JSON, and refuses what is not the report", () => {
    const text = `Doctor warnings:\n- something\n${JSON.stringify({ findings: [{ checkId: "a.b", severity: "warn", title: "t" }] })}`;
    expect(parseOpenClawAudit(text, "f").map((f) => f.checkId)).toEqual(["a.b"]);
    expect(() => parseOpenClawAudit("no json here", "f.json")).toThrow(UsageError);
    expect(() => parseOpenClawAudit('{"summary":{}}', "f.json")).toThrow(/no "findings" array/);
    expect(() => parseOpenClawAudit('{"findings":[{"checkId":"a.b","severity":"high"}]}', "f.json")).toThrow(
      /findings\[0\]/,
    );
  });
});

describe("audit --with-openclaw (CLI)", () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "bin/clawpatrol.mjs"), ...args], {
      encoding: "utf8",
      timeout: 60_000,
    });

  it("shows both ids in the JSON report and exits 2 naming a bad file", async () => {
    const root = tmp();
    const { m } = await auditCase("target-oc96-short-password", root);
    const ocFile = join(root, "oc.json");
    writeFileSync(ocFile, JSON.stringify(readRecorded("target-oc96-short-password")!.report));
    const base = [
      "audit",
      "--state-dir",
      m.stateDir,
      "--config",
      m.configPath,
      "--home",
      join(root, "home"),
      "--no-live",
    ];
    const r = cli([...base, "--with-openclaw", ocFile, "--json", "--fail-on", "none"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout);
    const short = rep.findings.find((f: { ruleId: string }) => f.ruleId === "CP-AUDIT-012");
    expect(short.openclawCheckId).toBe("gateway.password_too_short");
    expect(short.openclaw.map((o: { checkId: string }) => o.checkId)).toEqual(["gateway.password_too_short"]);

    const bad = join(root, "bad.json");
    writeFileSync(bad, readFileSync(join(FIXTURES, "target-oc96-short-password/case.json")));
    const rb = cli([...base, "--with-openclaw", bad]);
    expect(rb.status).toBe(2);
    expect(rb.stderr).toContain(bad);
    expect(rb.stderr.trim().split("\n")).toHaveLength(1);
  }, 120_000);
});
