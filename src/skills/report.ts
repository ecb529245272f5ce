// Sinks for skill reports: human text, versioned JSON (one record per skill with `path`,
// `verdict`, `findings`), and SARIF through the shared reporter. All text that came from
// a skill is already escaped and bounded in the findings; paths are escaped here.
import { VERSION } from "../core/version.ts";
import { type Severity, severityRank } from "../findings/model.ts";
import { toSarif } from "../findings/sarif.ts";
import { escapeOneLine } from "../util/text.ts";
import type { SkillFinding, SkillReport } from "./types.ts";

export const JSON_SCHEMA = "clawpatrol.skills.v1";

/** The tool as every skills report names it: the version is package.json's, never a literal. */
export const SKILLS_TOOL: { name: string; version: string } = { name: "clawpatrol", version: VERSION };

export interface Summary {
  skills: number;
  malicious: number;
  suspicious: number;
  clean: number;
  findings: number;
  suppressed: number;
  files: number;
  bytes: number;
}

export function summarize(reports: readonly SkillReport[]): Summary {
  const s: Summary = {
    skills: reports.length,
    malicious: 0,
    suspicious: 0,
    clean: 0,
    findings: 0,
    suppressed: 0,
    files: 0,
    bytes: 0,
  };
  for (const r of reports) {
    s[r.verdict]++;
    s.files += r.files;
    s.bytes += r.bytes;
    for (const f of r.findings) {
      if (f.suppressed) s.suppressed++;
      else s.findings++;
    }
  }
  return s;
}

export function toJson(
  reports: readonly SkillReport[],
  tool: { name: string; version: string } = SKILLS_TOOL,
  extra: Record<string, unknown> = {},
) {
  return {
    schema: JSON_SCHEMA,
    tool,
    generatedAt: new Date().toISOString(),
    ...extra,
    summary: summarize(reports),
    skills: reports,
  };
}

export function toSkillsSarif(reports: readonly SkillReport[], tool: { name: string; version: string }) {
  const findings: SkillFinding[] = reports.flatMap((r) => r.findings.filter((f) => !f.suppressed));
  const verdictOf = new Map(reports.map((r) => [r.path, r.verdict]));
  // Confidence, verdict and the content hash (for baselines) on each result.
  return toSarif(findings, tool, (f) => ({
    properties: { confidence: f.confidence, category: f.category, verdict: verdictOf.get(f.asset) },
    partialFingerprints: { "clawpatrolContentSha256/v1": f.sha256 },
  }));
}

const VERDICT_LABEL: Record<SkillReport["verdict"], string> = {
  malicious: "MALICIOUS",
  suspicious: "suspicious",
  clean: "clean",
};

export interface TextOptions {
  /** Lowest severity to list (default low). */
  minSeverity: Severity;
  showSuppressed: boolean;
  color: boolean;
}

function paint(on: boolean, code: string, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

export function toText(reports: readonly SkillReport[], opts: TextOptions): string {
  const out: string[] = [];
  const limit = severityRank(opts.minSeverity);
  for (const r of reports) {
    const color = r.verdict === "malicious" ? "1;31" : r.verdict === "suspicious" ? "33" : "32";
    const shown = r.findings.filter(
      (f) => severityRank(f.severity) >= limit && (opts.showSuppressed || !f.suppressed),
    );
    const head = `${paint(opts.color, color, VERDICT_LABEL[r.verdict])}  ${escapeOneLine(r.path)}${r.source ? `  [${r.source}]` : ""}`;
    out.push(head);
    if (r.decidedBy.length > 0)
      out.push(
        `  decided by: ${r.decidedBy.slice(0, 5).map(escapeOneLine).join("; ")}${r.decidedBy.length > 5 ? ` (+${r.decidedBy.length - 5} more)` : ""}`,
      );
    for (const f of shown) {
      const e = f.evidence[0];
      out.push(
        `  ${f.severity}/${f.confidence}  ${f.ruleId}  ${escapeOneLine(e?.location ?? f.asset)}${f.suppressed ? "  (suppressed)" : ""}`,
      );
      out.push(`      ${f.title}${e?.detail && e.detail !== f.title ? ` — ${escapeOneLine(e.detail)}` : ""}`);
      if (e?.excerpt) out.push(`      match: ${e.excerpt}`);
      out.push(`      why:   ${f.why}`);
      out.push(`      fix:   ${f.remediation}`);
      out.push(`      sha256: ${f.sha256}`);
      if (f.suppressed)
        out.push(`      suppressed: ${escapeOneLine(f.suppressed.reason)} (until ${f.suppressed.expires})`);
    }
    const hidden = r.findings.length - shown.length;
    if (hidden > 0)
      out.push(`  (${hidden} lower-severity or suppressed finding(s) not shown; --json lists all)`);
    out.push("");
  }
  const s = summarize(reports);
  out.push(
    `scanned ${s.skills} skill(s), ${s.files} file(s), ${s.bytes} bytes: ${s.malicious} malicious, ${s.suspicious} suspicious, ${s.clean} clean; ${s.findings} finding(s)${s.suppressed ? `, ${s.suppressed} suppressed` : ""}`,
  );
  return `${out.join("\n")}\n`;
}
