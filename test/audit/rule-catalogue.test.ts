// The rule catalogue is what `audit rules` prints and what the conformance report counts as
// covered: it must say exactly what the audit emits. Every finding on the recorded corpus
// must name a catalogued rule, an OpenClaw check id that rule lists, and only fixes it lists;
// every rule id in the source must be catalogued; and the per-release catalogues extracted
// from the real releases' code must be complete and reproducible.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  extractChecks,
  mergeChecks,
  stripHash,
  templateToPattern,
} from "../../scripts/audit-checks-extract.ts";
import { coverageOf, loadReleaseCatalogues, ruleListing } from "../../src/audit/check-catalogue.ts";
import { alignToRelease, catalogueFor } from "../../src/audit/release-checks.ts";
import { idCovers, RULES, ruleEntry, rulesCovering } from "../../src/audit/rule-catalogue.ts";
import { renderRulesText, rulesDocument } from "../../src/audit/rules-report.ts";
import { FIX_IDS } from "../../src/fix/fix-ids.ts";
import { describeLive } from "../support/live.ts";
import { auditCase, listCases, ZOO_HOME } from "./support/cases.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("rule catalogue", () => {
  it("lists every CP-AUDIT id the audit source can emit, and no id twice", () => {
    const inSource = new Set<string>();
    for (const f of sourceFiles(join(ROOT, "src/audit"))) {
      if (f.endsWith("rule-catalogue.ts")) continue;
      for (const m of readFileSync(f, "utf8").matchAll(/"(CP-AUDIT-\d{3})"/g)) inSource.add(m[1]!);
    }
    const catalogued = RULES.map((r) => r.id);
    expect(new Set(catalogued).size).toBe(catalogued.length);
    expect([...inSource].filter((id) => !ruleEntry(id)).sort()).toEqual([]);
    // and nothing catalogued that the source no longer emits
    expect(catalogued.filter((id) => !inSource.has(id))).toEqual([]);
  });

  it("names only real fix actions", () => {
    for (const r of RULES) for (const f of r.fixes) expect(FIX_IDS).toContain(f);
  });

  it("matches check id patterns by whole dotted segments", () => {
    expect(idCovers("channels.*.dm.open", "channels.telegram.dm.open")).toBe(true);
    expect(idCovers("channels.*.dm.open", "channels.telegram.dm.open_invalid")).toBe(false);
    expect(idCovers("gateway.*_too_short", "gateway.password_too_short")).toBe(true);
    expect(idCovers("gateway.*_too_short", "hooks.token_too_short")).toBe(false);
    expect(rulesCovering("gateway.*_too_short").map((r) => r.id)).toEqual(["CP-AUDIT-012"]);
    expect(rulesCovering("gateway.password_too_short").map((r) => r.id)).toEqual(["CP-AUDIT-012"]);
  });

  const cases = listCases();
  it.each(cases)("%s: every finding is what its catalogued rule says", async (name) => {
    const root = mkdtempSync(join(tmpdir(), "cp-rules-"));
    roots.push(root);
    const { report } = await auditCase(name, root);
    const wrong: string[] = [];
    for (const f of report.findings) {
      const rule = ruleEntry(f.ruleId);
      if (!rule) {
        wrong.push(`${f.ruleId}: not catalogued`);
        continue;
      }
      if (f.openclawCheckId !== null && !rule.covers.some((p) => idCovers(p, f.openclawCheckId!)))
        wrong.push(
          `${f.ruleId} names ${f.openclawCheckId}, catalogue lists ${rule.covers.join(", ") || "none"}`,
        );
      for (const fix of f.fixes ?? [])
        if (!(rule.fixes as readonly string[]).includes(fix)) wrong.push(`${f.ruleId} offers fix ${fix}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("per-release check catalogues (data/audit-checks)", () => {
  const cats = loadReleaseCatalogues();
  it("has every zoo build, from clawdbot 2026.1.24-3 to openclaw 2026.9.6", () => {
    const names = cats.map((c) => `${c.package}@${c.version}`);
    for (const want of [
      "clawdbot@2026.1.24-3",
      "openclaw@2026.1.29",
      "openclaw@2026.3.13",
      "openclaw@2026.4.15",
      "openclaw@2026.5.27",
      "openclaw@2026.9.6",
    ])
      expect(names).toContain(want);
  });

  it("reads the checks the issue measured in 2026.9.6's code", () => {
    const c96 = cats.find((c) => c.package === "openclaw" && c.version === "2026.9.6")!;
    const ids = c96.checks.map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(120);
    for (const id of [
      "gateway.bind_no_auth",
      "doctor.exec_policy_conflict",
      "plugins.code_safety",
      "skills.workspace.symlink_escape",
      "tools.exec.safe_bins_broad_behavior",
      "channels.*.groups.open",
      "gateway.*_too_short",
    ])
      expect(ids).toContain(id);
    // no doctor-lint ids (a different registry: `core/doctor/...`)
    expect(ids.filter((i) => i.includes("/"))).toEqual([]);
    const bindNoAuth = c96.checks.find((c) => c.id === "gateway.bind_no_auth")!;
    expect(bindNoAuth.severities).toEqual(["critical"]);
    expect(c96.checks.find((c) => c.id === "tools.exec.security_full_configured")!.severities).toEqual([
      "warn",
      "critical",
    ]);
  });

  it("checks only appear from the release that added them", () => {
    const has = (v: string, id: string) =>
      cats.find((c) => c.version === v && c.package === "openclaw")!.checks.some((c) => c.id === id);
    expect(has("2026.1.29", "gateway.control_ui.allowed_origins_required")).toBe(false);
    expect(has("2026.3.13", "gateway.control_ui.allowed_origins_required")).toBe(true);
    const rule = ruleListing(cats).find((r) => r.id === "CP-AUDIT-004")!;
    expect(rule.releases).not.toContain("openclaw@2026.1.29");
    expect(rule.releases).toContain("openclaw@2026.9.6");
    expect(ruleListing(cats).find((r) => r.id === "CP-AUDIT-104")!.releases).toBe("all");
  });

  it("coverage per release adds up", () => {
    for (const c of cats) {
      const cov = coverageOf(c);
      expect(cov.covered.length + cov.notJudged.length + cov.uncovered.length).toBe(cov.checkIds);
      for (const id of cov.covered) expect(rulesCovering(id).length).toBeGreaterThan(0);
    }
  });

  it("audit rules text names every rule and every release", () => {
    const doc = rulesDocument(cats);
    const text = renderRulesText(doc);
    for (const r of RULES) expect(text).toContain(r.id);
    for (const c of cats) expect(text).toContain(`${c.package}@${c.version}`);
    expect(doc.releases.every((r) => r.checkIds > 0)).toBe(true);
  });
});

describe("check id extraction", () => {
  it("reads literal and template ids with their severities, title and guard", () => {
    const src = [
      'if (bind !== "loopback" && !hasAuth) findings.push({',
      '\tcheckId: "gateway.bind_no_auth",',
      '\tseverity: "critical",',
      '\ttitle: "Gateway binds beyond loopback without auth",',
      "\tdetail: `bind=${bind}`",
      "});",
      "for (const p of providers) out.push({ severity: open ? \"critical\" : 'warn', checkId: `tools.elevated.allowFrom.${p.id}.wildcard`, title: `x ${p}` });",
      'const lint = { checkId: "core/doctor/gateway-auth", severity: "warn" };',
      "push({ checkId: `channels.dm.session_collision.${keys.join(`,`)}`, severity: sev });",
    ].join("\n");
    const got = mergeChecks(extractChecks(src, "dist/audit-mIMOk6_X.mjs"));
    expect(got.map((c) => c.id)).toEqual([
      "channels.dm.session_collision.*",
      "gateway.bind_no_auth",
      "tools.elevated.allowFrom.*.wildcard",
    ]);
    const [coll, bind, elev] = got;
    expect(bind!.severities).toEqual(["critical"]);
    expect(bind!.title).toBe("Gateway binds beyond loopback without auth");
    expect(bind!.condition).toBe('bind !== "loopback" && !hasAuth');
    expect(bind!.files).toEqual(["dist/audit.mjs"]);
    expect(elev!.severities).toEqual(["warn", "critical"]);
    expect(elev!.template).toBe("tools.elevated.allowFrom.${p.id}.wildcard");
    expect(coll!.severityComputed).toBe(true);
    expect(templateToPattern("a.${b.map((x) => `${x}`)}.c")).toBe("a.*.c");
    expect(stripHash("dist/security-audit-BWGmCgC2.mjs")).toBe("dist/security-audit.mjs");
  });
});

describeLive(
  "per-release catalogues are reproducible from the zoo installs",
  existsSync(join(ZOO_HOME, "inst/openclaw-2026.9.6/node_modules/openclaw/dist"))
    ? null
    : `no zoo install at ${ZOO_HOME}/inst`,
  () => {
    it("re-extracting 2026.9.6 gives the committed catalogue", () => {
      const out = mkdtempSync(join(tmpdir(), "cp-cat-"));
      roots.push(out);
      execFileSync(process.execPath, [
        join(ROOT, "scripts/build-audit-checks.ts"),
        "--dir",
        join(ZOO_HOME, "inst/openclaw-2026.9.6/node_modules/openclaw"),
        "--as",
        "openclaw@2026.9.6",
        "--out",
        out,
      ]);
      const fresh = JSON.parse(readFileSync(join(out, "openclaw-2026.9.6.json"), "utf8"));
      const committed = loadReleaseCatalogues().find((c) => c.version === "2026.9.6")!;
      expect(fresh.checks).toEqual(committed.checks);
    }, 60_000);
  },
);

describe("findings name only the checks the audited release has", () => {
  const f = (openclawCheckId: string | null) => ({
    ruleId: "CP-AUDIT-004",
    severity: "high" as const,
    title: "",
    asset: "",
    evidence: [],
    remediation: "",
    references: [],
    openclawCheckId,
    group: "exposure" as const,
    stateDir: null,
  });
  it("keeps an id from the release that added it on, nulls it before and for unknown releases keeps it", () => {
    const id = "gateway.control_ui.allowed_origins_required";
    expect(alignToRelease([f(id)], "openclaw", "2026.1.29")[0]!.openclawCheckId).toBeNull();
    expect(alignToRelease([f(id)], "openclaw", "2026.3.13")[0]!.openclawCheckId).toBe(id);
    // not catalogued: judged by the newest catalogued release before it
    expect(alignToRelease([f(id)], "openclaw", "2026.2.1")[0]!.openclawCheckId).toBeNull();
    expect(alignToRelease([f(id)], "openclaw", "2026.12.1")[0]!.openclawCheckId).toBe(id);
    expect(alignToRelease([f(id)], "openclaw", null)[0]!.openclawCheckId).toBe(id);
    expect(catalogueFor("openclaw", "2026.4.20")!.version).toBe("2026.4.15");
  });
  it("matches positional ids and nulls doctor-only checks", () => {
    expect(
      alignToRelease([f("channels.telegram.warning.*")], "openclaw", "2026.9.6")[0]!.openclawCheckId,
    ).toBe("channels.telegram.warning.*");
    expect(
      alignToRelease([f("gateway.token_too_short")], "clawdbot", "2026.1.24-3")[0]!.openclawCheckId,
    ).toBe("gateway.token_too_short");
    expect(
      alignToRelease([f("gateway.bind_network_accessible")], "openclaw", "2026.9.6")[0]!.openclawCheckId,
    ).toBeNull();
  });
});
