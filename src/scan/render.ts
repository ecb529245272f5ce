// Human-readable scan output: one table row per endpoint that answered, and a summary.
// Rows are sorted worst severity first, then by address (numerically, IPv4 before IPv6); a
// row with a finding always says in NOTES what it is. Every value that came from a target
// is escaped before it reaches the terminal.
import { countAdvisories, describeCounts } from "../advisories/counts.ts";
import { type Severity, severityRank } from "../findings/model.ts";
import { isFamilyProduct } from "../fingerprints/products.ts";
import { parseIp } from "../targets/ip.ts";
import { skippedReasons } from "../targets/problems.ts";
import { escapeOneLine } from "../util/text.ts";
import type { ScanProgress } from "./engine.ts";
import type { Facts, Observation } from "./record.ts";

const COLUMNS = [
  { name: "TARGET", width: 26 },
  { name: "PRODUCT", width: 9 },
  { name: "VERSION", width: 24 },
  { name: "AUTH", width: 12 },
  { name: "REMOTE=LOCAL", width: 12 },
  { name: "SEVERITY", width: 8 },
  { name: "NOTES", width: 0 },
];

function cell(text: string, width: number): string {
  const safe = escapeOneLine(text);
  if (width === 0) return safe;
  return safe.length > width ? `${safe.slice(0, width - 1)}…` : safe.padEnd(width);
}

export function tableHeader(widthOfTarget = COLUMNS[0]!.width): string {
  return rowText(
    COLUMNS.map((c) => c.name),
    widthOfTarget,
  );
}

export function versionText(o: Observation): string {
  if (o.version) return o.version;
  const r = o.versionRange;
  if (!r) return o.product ? "unknown" : "-";
  if (r.candidates.length > 1 && r.candidates.length <= 3) return r.candidates.join("|");
  if (r.min && r.max) return r.min === r.max ? r.min : `${r.min}..${r.max}`;
  if (r.min) return `>=${r.min}`;
  if (r.max) return `<=${r.max}`;
  return "unknown";
}

/** host:port, and the path when the target was a URL with one (a gateway behind a proxy). */
function target(o: Observation): string {
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return `${host}:${o.port}${urlPath(o.url)}`;
}

function urlPath(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

/** Words for the findings NOTES would otherwise not mention (by rule id; else the title). */
const FINDING_NOTES: ReadonlyMap<string, string> = new Map([
  ["CP-SCAN-001", "reachable over the network"],
  ["CP-SCAN-002", "accepts clients without credentials"],
  ["CP-SCAN-003", "treats remote clients as local"],
]);

/** "1 gateway", "2 gateways": a count with its noun in the right number. */
export function plural(n: number | bigint, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 || n === 1n ? one : many}`;
}

/** Another product's facts in a few words: "mcp-servers/everything, streamable-http, 13 tools listed". */
function factsNote(facts: Facts): string {
  const words: string[] = [];
  if (typeof facts.serverName === "string") words.push(facts.serverName);
  if (typeof facts.transport === "string") words.push(facts.transport);
  if (typeof facts.toolsListed === "number") words.push(`${plural(facts.toolsListed, "tool")} listed`);
  return words.join(", ");
}

/** One row's cells, in COLUMNS order, not yet escaped or padded. */
function rowValues(o: Observation): string[] {
  const notes: string[] = [];
  if (o.error && !o.product) notes.push(o.error);
  if (!o.product && o.reachable && !o.error) notes.push("open, not an OpenClaw-family gateway");
  // Records from before advisoryCounts existed get the same numbers from their list.
  const counts = o.advisoryCounts ?? (o.product ? countAdvisories(o.advisories, o.auth) : null);
  if (counts && counts.affecting + counts.possiblyAffecting > 0)
    notes.push(`advisories: ${describeCounts(counts)}`);
  if (o.upgradeTo) notes.push(`upgrade to ${o.upgradeTo}`);
  if (o.conflicts.length > 0) notes.push(`conflicting signals: ${o.conflicts[0]}`);
  // A row with findings never has empty NOTES: when nothing above speaks of a finding
  // (advisories, conflicts), the findings are named here, worst first. AUTH and REMOTE=LOCAL
  // already show the rest, so a row that names its advisories is not made longer.
  const said = new Set(notes.some((n) => /\badvisor(y|ies)\b/.test(n)) ? ["CP-SCAN-004", "CP-SCAN-005"] : []);
  if (o.conflicts.length > 0) said.add("CP-SCAN-006");
  const unsaid = o.findings
    .filter((f) => !said.has(f.ruleId))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  for (const f of unsaid.length === o.findings.length ? unsaid : []) {
    const note = FINDING_NOTES.get(f.ruleId) ?? f.title;
    if (!notes.includes(note)) notes.push(note);
  }
  if (o.facts) notes.push(factsNote(o.facts));
  if (o.tls?.subject) notes.push(`tls ${o.tls.subject}`);
  const values = [
    target(o),
    o.product ?? "-",
    versionText(o),
    o.product ? o.auth : "-",
    o.product && isFamilyProduct(o.product)
      ? o.exposure === "loopback"
        ? "n/a"
        : String(o.remoteLooksLocal)
      : "-",
    o.severity ?? "-",
    notes.join("; "),
  ];
  return values;
}

/** One row of the table, on its own (the TARGET column as wide as this row needs). */
export function tableRow(o: Observation): string {
  const values = rowValues(o);
  return rowText(values, targetWidth(values[0]!));
}

/** The TARGET column grows to its longest value: a target is never cut (a URL path is kept). */
function targetWidth(text: string): number {
  return Math.max(COLUMNS[0]!.width, escapeOneLine(text).length);
}

function rowText(values: string[], widthOfTarget: number): string {
  return COLUMNS.map((c, i) => cell(values[i]!, i === 0 ? widthOfTarget : c.width))
    .join(" ")
    .trimEnd();
}

/** Where a row sorts: worst severity first, then address (IPv4 before IPv6), port, name. */
interface RowKey {
  severity: number;
  family: number;
  address: bigint;
  port: number;
  host: string;
}

function rowKey(o: Observation): RowKey {
  const ip = parseIp(o.ip);
  return {
    severity: o.severity === null ? -1 : severityRank(o.severity as Severity),
    // A name that did not resolve has no address: after every address.
    family: ip ? ip.family : 99,
    address: ip ? ip.value : 0n,
    port: o.port,
    host: o.host,
  };
}

export function compareRows(a: RowKey, b: RowKey): number {
  if (a.severity !== b.severity) return b.severity - a.severity;
  if (a.family !== b.family) return a.family - b.family;
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  if (a.port !== b.port) return a.port - b.port;
  return a.host < b.host ? -1 : a.host > b.host ? 1 : 0;
}

/**
 * The text table of a scan: rows collected as records arrive, printed sorted once the scan is
 * over. Only the cells are kept, not the records.
 */
export class ScanTable {
  private readonly rows: { key: RowKey; values: string[] }[] = [];

  add(o: Observation): void {
    this.rows.push({ key: rowKey(o), values: rowValues(o) });
  }

  get size(): number {
    return this.rows.length;
  }

  /** Header and rows, sorted, every line ending in a newline. */
  render(): string {
    const sorted = [...this.rows].sort((a, b) => compareRows(a.key, b.key));
    const width = sorted.reduce((w, r) => Math.max(w, targetWidth(r.values[0]!)), COLUMNS[0]!.width);
    const lines = [tableHeader(width)];
    for (const r of sorted) lines.push(rowText(r.values, width));
    return `${lines.join("\n")}\n`;
  }
}

export function summaryLine(
  p: ScanProgress,
  found: { noAuth: number; remoteLocal: number },
  seconds: number,
  skipped?: SkippedTargets,
): string {
  const line =
    `${plural(p.swept, "endpoint")} swept, ${p.open} open, ${plural(p.gateways, "OpenClaw-family gateway")}` +
    (p.services ? `, ${plural(p.services, "other agentic-AI service")}` : "") +
    " " +
    `(${found.noAuth} without auth, ${found.remoteLocal} treating remote clients as local) in ${seconds.toFixed(1)} s`;
  return skipped && skipped.unreadable + skipped.unresolved > 0 ? `${line}; ${skippedText(skipped)}` : line;
}

/** Targets the user named that could not be scanned at all (counted once per target). */
export interface SkippedTargets {
  unreadable: number;
  unresolved: number;
}

export function skippedText(s: SkippedTargets): string {
  return `${plural(s.unreadable + s.unresolved, "target")} not scanned (${skippedReasons(s)})`;
}

export function progressLine(p: ScanProgress, planned: bigint, seconds: number): string {
  const done = BigInt(p.swept);
  const pct = planned > 0n ? Number((done * 1000n) / planned) / 10 : 100;
  const width = 24;
  const filled = Math.min(width, Math.round((pct / 100) * width));
  const rate = seconds > 0 ? Math.round(p.swept / seconds) : 0;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct.toFixed(1)}% ${p.swept}/${planned} swept, ${p.open} open, ${plural(p.gateways, "gateway")}, ${rate}/s`;
}
