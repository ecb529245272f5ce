// Audit output: grouped, readable text with the verdict on top; JSON (the report itself,
// schema clawpatrol.audit/1); SARIF through the shared reporter.
import type { Severity } from "../findings/model.ts";
import { toSarif } from "../findings/sarif.ts";
import { escapeForTerminal, escapeOneLine } from "../util/text.ts";
import { type AuditFinding, type AuditGroup, type AuditReport, GROUP_TITLES } from "./types.ts";

const GROUP_ORDER: AuditGroup[] = [
  "exposure",
  "auth",
  "compromise",
  "secrets",
  "version",
  "config",
  "files",
  "host",
];

const MARK: Record<Severity, string> = {
  critical: "CRIT",
  high: "HIGH",
  medium: "MED ",
  low: "LOW ",
  info: "INFO",
};

export interface TextOptions {
  color?: boolean;
  /** Show info findings too (default: only with --verbose). */
  verbose?: boolean;
}

function paint(on: boolean, code: string, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

const COLOR: Record<Severity, string> = { critical: "1;31", high: "31", medium: "33", low: "36", info: "2" };

function evidenceLine(f: AuditFinding): string[] {
  return f.evidence.slice(0, 4).map((e) => {
    const where = e.path ? `${e.path}${e.line ? `:${e.line}` : ""}` : (e.location ?? e.source);
    const ex = e.excerpt ? ` — ${escapeOneLine(e.excerpt).slice(0, 160)}` : "";
    return `      ${escapeOneLine(where)}: ${escapeOneLine(e.detail).slice(0, 200)}${ex}`;
  });
}

export function renderText(r: AuditReport, opts: TextOptions = {}): string {
  const c = opts.color ?? false;
  const lines: string[] = [];
  const v = r.verdict;
  lines.push(paint(c, v.severity ? COLOR[v.severity] : "32", escapeForTerminal(v.line)));
  lines.push("");
  for (const t of r.targets) {
    const g = t.gateway;
    const gwLine = g
      ? `${t.product} ${t.version ?? "(version unknown)"} · listens ${g.hosts.join(", ")}:${g.port} · auth ${g.authMode}${g.hasSecret ? "" : " (no secret)"}`
      : t.product;
    lines.push(`  ${escapeOneLine(t.configPath)}  [${escapeOneLine(t.via)}]`);
    lines.push(`    ${escapeOneLine(gwLine)}`);
  }
  if (r.targets.length) lines.push("");
  const shown = r.findings.filter((f) => opts.verbose || f.severity !== "info");
  for (const group of GROUP_ORDER) {
    const list = shown.filter((f) => f.group === group);
    if (list.length === 0) continue;
    lines.push(paint(c, "1", `${GROUP_TITLES[group]} (${list.length})`));
    for (const f of list) {
      const oc = f.openclawCheckId ? ` [${f.openclawCheckId}]` : "";
      lines.push(
        `  ${paint(c, COLOR[f.severity], MARK[f.severity])} ${f.ruleId} ${escapeOneLine(f.title)}${paint(c, "2", oc)}`,
      );
      lines.push(...evidenceLine(f));
      lines.push(`      → ${escapeOneLine(f.remediation).slice(0, 400)}`);
    }
    lines.push("");
  }
  const hidden = r.findings.length - shown.length;
  if (hidden > 0)
    lines.push(paint(c, "2", `${hidden} informational finding(s) hidden; --verbose shows them.`));
  for (const n of r.notes) lines.push(paint(c, "2", `note: ${escapeOneLine(n)}`));
  lines.push(
    paint(
      c,
      "2",
      `audited in ${r.durationMs} ms; --json for machine output, \`clawpatrol fix\` to repair, \`clawpatrol firewall\` for port rules.`,
    ),
  );
  return `${lines.join("\n")}\n`;
}

export function renderJson(r: AuditReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export function renderSarif(r: AuditReport): string {
  const sarif = toSarif(r.findings, { name: r.tool.name, version: r.tool.version });
  // keep the OpenClaw equivalence visible to SARIF consumers
  const run = (sarif.runs as { results: { properties: Record<string, unknown> }[] }[])[0]!;
  run.results.forEach((res, i) => {
    res.properties.openclawCheckId = r.findings[i]!.openclawCheckId;
    res.properties.group = r.findings[i]!.group;
  });
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
