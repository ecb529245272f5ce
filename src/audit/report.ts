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

/** Marks text the terminal report shortened; the JSON report always has it whole. */
export const CUT_MARK = "…";

/** At most `max` characters; a cut is never silent: it ends with CUT_MARK. */
export function clip(s: string, max: number): { text: string; cut: boolean } {
  const chars = [...s];
  if (chars.length <= max) return { text: s, cut: false };
  return { text: `${chars.slice(0, max - 1).join("")}${CUT_MARK}`, cut: true };
}

function evidenceLines(f: AuditFinding): { lines: string[]; cut: boolean } {
  let cut = false;
  const keep = (s: string, max: number) => {
    const c = clip(escapeOneLine(s), max);
    cut ||= c.cut;
    return c.text;
  };
  const lines = f.evidence.slice(0, 4).map((e) => {
    const where = e.path ? `${e.path}${e.line ? `:${e.line}` : ""}` : (e.location ?? e.source);
    const ex = e.excerpt ? ` — ${keep(e.excerpt, 160)}` : "";
    return `      ${escapeOneLine(where)}: ${keep(e.detail, 200)}${ex}`;
  });
  const more = f.evidence.length - 4;
  if (more > 0) {
    lines.push(`      (${more} more piece(s) of evidence)`);
    cut = true;
  }
  return { lines, cut };
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
  let anyCut = false;
  for (const group of GROUP_ORDER) {
    const list = shown.filter((f) => f.group === group);
    if (list.length === 0) continue;
    lines.push(paint(c, "1", `${GROUP_TITLES[group]} (${list.length})`));
    for (const f of list) {
      const oc = f.openclawCheckId ? ` [${f.openclawCheckId}]` : "";
      lines.push(
        `  ${paint(c, COLOR[f.severity], MARK[f.severity])} ${f.ruleId} ${escapeOneLine(f.title)}${paint(c, "2", oc)}`,
      );
      const ev = evidenceLines(f);
      anyCut ||= ev.cut;
      lines.push(...ev.lines);
      // the remediation is what the reader acts on: always whole
      lines.push(`      → ${escapeOneLine(f.remediation)}`);
    }
    lines.push("");
  }
  const hidden = r.findings.length - shown.length;
  if (hidden > 0)
    lines.push(paint(c, "2", `${hidden} informational finding(s) hidden; --verbose shows them.`));
  if (anyCut)
    lines.push(paint(c, "2", `${CUT_MARK} marks evidence shortened here; --json has every piece whole.`));
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
  // The OpenClaw equivalence stays visible to SARIF consumers.
  const sarif = toSarif(r.findings, { name: r.tool.name, version: r.tool.version }, (f) => ({
    properties: { openclawCheckId: f.openclawCheckId, group: f.group },
  }));
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
