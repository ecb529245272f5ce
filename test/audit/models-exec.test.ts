// The model-hygiene (checks/models.ts) and exec-hardening (checks/tools-exec.ts) checks: near
// misses that must stay quiet, per-release differences, and, for every check id, a recorded
// case where the real audit reported it and one where it did not, judged alike by clawpatrol.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { paramBillions } from "../../src/audit/checks/models.ts";
import { riskyTrustedDir, safeBinName } from "../../src/audit/checks/tools-exec.ts";
import { auditCorpusCase, listCorpusFiles, readCorpusFile } from "./support/corpus.ts";
import { cleanupScenarios, run } from "./support/scenario.ts";

afterAll(cleanupScenarios);

const named = async (config: string, version = "2026.9.6", product: "openclaw" | "clawdbot" = "openclaw") =>
  (await run({ config, version, product })).findings.map((f) => f.openclawCheckId).filter(Boolean);

describe("models.ts", () => {
  it("reads parameter counts as OpenClaw does", () => {
    expect(paramBillions("ollama/llama3:8b")).toBe(8);
    expect(paramBillions("qwen2.5-72b-instruct")).toBe(72);
    expect(paramBillions("gpt-5")).toBeNull();
  });
  it("stays quiet on a current top-tier model", async () => {
    const ids = await named(`{ agents: { defaults: { model: { primary: "anthropic/claude-opus-4-5" } } } }`);
    expect(ids.filter((i) => String(i).startsWith("models."))).toEqual([]);
  });
  it("uses each release's Claude 4.5 test: claude-opus-45 is weak on clawdbot, not on 2026.1.29", async () => {
    const cfg = `{ agents: { defaults: { model: { primary: "anthropic/claude-opus-45" } } } }`;
    expect(await named(cfg, "2026.1.24-3", "clawdbot")).toContain("models.weak_tier");
    expect(await named(cfg, "2026.1.29")).not.toContain("models.weak_tier");
  });
  it("rates small models info when web and browser tools are off", async () => {
    const { findings } = await run({
      config: `{ tools: { profile: "minimal" }, agents: { defaults: { model: { primary: "ollama/llama3:8b" } } } }`,
    });
    expect(findings.find((f) => f.ruleId === "CP-AUDIT-132")?.severity).toBe("info");
  });
});

describe("nodes.ts", () => {
  it("exact known names in the deny-list and safe allow entries are quiet", async () => {
    const ids = await named(
      `{ gateway: { nodes: { commands: { allow: ["canvas.present", "camera.snap"], deny: ["system.run", "camera.snap"] } } } }`,
    );
    expect(ids.filter((i) => String(i).startsWith("gateway.nodes."))).toEqual([]);
  });
  it("reads gateway.nodes.commands on 2026.9", async () => {
    expect(await named(`{ gateway: { nodes: { commands: { allow: ["sms.search"] } } } }`)).toContain(
      "gateway.nodes.allow_commands_dangerous",
    );
  });
});

describe("tools-exec.ts", () => {
  it("classifies trusted dirs and bin names as OpenClaw does", () => {
    expect(riskyTrustedDir("/usr/bin")).toBeNull();
    expect(riskyTrustedDir("/tmp/bin")).toMatch(/temporary/);
    expect(riskyTrustedDir("bin")).toMatch(/relative/);
    expect(riskyTrustedDir("/home/u/.local/bin")).toMatch(/home/);
    expect(safeBinName("/usr/bin/Python3.EXE")).toBe("python3");
  });
  it("stays quiet on plain stream filters, a profiled interpreter and system dirs", async () => {
    const ids = await named(
      `{ tools: { exec: { safeBins: ["sort", "head", "python3"], safeBinProfiles: { python3: {} }, safeBinTrustedDirs: ["/usr/bin"] } } }`,
    );
    expect(ids.filter((i) => String(i).startsWith("tools.exec.safe"))).toEqual([]);
  });
  it("no fs drift when the file tools stay allowed or exec is denied too", async () => {
    expect(await named(`{ tools: { allow: ["exec", "write", "edit", "apply_patch"] } }`)).not.toContain(
      "tools.exec.fs_tools_disabled_but_exec_enabled",
    );
    expect(await named(`{ tools: { deny: ["group:fs", "exec"] } }`)).not.toContain(
      "tools.exec.fs_tools_disabled_but_exec_enabled",
    );
  });
});

describe("recorded real audits: a trigger and a near miss per new check id", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const files = listCorpusFiles()
    .map(readCorpusFile)
    .filter((f) =>
      ["openclaw-2026.9.6", "openclaw-2026.5.28", "openclaw-2026.3.13", "clawdbot-2026.1.24-3"].includes(
        f.build,
      ),
    );
  const ids = [
    "models.legacy",
    "models.weak_tier",
    "models.small_params",
    "tools.exec.safe_bins_interpreter_unprofiled",
    "tools.exec.safe_bins_broad_behavior",
    "tools.exec.safe_bin_trusted_dirs_risky",
    "tools.exec.fs_tools_disabled_but_exec_enabled",
    "gateway.nodes.allow_commands_dangerous",
    "gateway.nodes.deny_commands_ineffective",
    "tools.profile_minimal_overridden",
    "tools.exec.host_sandbox_no_sandbox_agents",
    "security.trust_model.group_scope_main",
  ];
  for (const id of ids) {
    it(id, async () => {
      let triggers = 0;
      let misses = 0;
      for (const file of files) {
        // a trigger from any case (some need two settings at once), near misses from single ones
        const reported = file.cases.filter((c) => c.findings.some((f) => f.checkId === id));
        const quiet = file.cases.filter(
          (c) => c.kind === "single" && !c.findings.some((f) => f.checkId === id),
        );
        for (const c of [...reported.slice(0, 2), ...quiet.slice(0, 2)]) {
          const root = mkdtempSync(join(tmpdir(), "cp-mx-"));
          roots.push(root);
          const ours = (await auditCorpusCase(file.build, c, root)).findings.some(
            (f) => f.openclawCheckId === id && f.severity !== "info",
          );
          const real = c.findings.some((f) => f.checkId === id && f.severity !== "info");
          expect(ours, `${file.build} ${c.id}: ${JSON.stringify(c.config)}`).toBe(real);
          if (real) triggers++;
          else misses++;
        }
      }
      expect(triggers, `no recorded case where the real audit reported ${id}`).toBeGreaterThan(0);
      expect(misses).toBeGreaterThan(0);
    }, 120_000);
  }
});
