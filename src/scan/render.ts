// Human-readable scan output: one table row per endpoint that answered, and a summary.
// Every value that came from a target is escaped before it reaches the terminal.
import { countAdvisories, describeCounts } from "../advisories/counts.ts";
import type { Observation } from "../fingerprints/observation.ts";
import { escapeOneLine } from "../util/text.ts";
import type { ScanProgress } from "./engine.ts";

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

export function tableHeader(): string {
  return COLUMNS.map((c) => cell(c.name, c.width))
    .join(" ")
    .trimEnd();
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

function target(o: Observation): string {
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return `${host}:${o.port}`;
}

export function tableRow(o: Observation): string {
  const notes: string[] = [];
  if (o.error && !o.product) notes.push(o.error);
  if (!o.product && o.reachable && !o.error) notes.push("open, not an OpenClaw-family gateway");
  // Records from before advisoryCounts existed get the same numbers from their list.
  const counts = o.advisoryCounts ?? (o.product ? countAdvisories(o.advisories, o.auth) : null);
  if (counts && counts.affecting + counts.possiblyAffecting > 0)
    notes.push(`advisories: ${describeCounts(counts)}`);
  if (o.upgradeTo) notes.push(`upgrade to ${o.upgradeTo}`);
  if (o.conflicts.length > 0) notes.push(`conflicting signals: ${o.conflicts[0]}`);
  if (o.tls?.subject) notes.push(`tls ${o.tls.subject}`);
  const values = [
    target(o),
    o.product ?? "-",
    versionText(o),
    o.product ? o.auth : "-",
    o.product ? (o.exposure === "loopback" ? "n/a" : String(o.remoteLooksLocal)) : "-",
    o.severity ?? "-",
    notes.join("; "),
  ];
  return COLUMNS.map((c, i) => cell(values[i]!, c.width))
    .join(" ")
    .trimEnd();
}

export function summaryLine(
  p: ScanProgress,
  found: { noAuth: number; remoteLocal: number },
  seconds: number,
): string {
  return (
    `${p.swept} endpoints swept, ${p.open} open, ${p.gateways} OpenClaw-family gateways ` +
    `(${found.noAuth} without auth, ${found.remoteLocal} treating remote clients as local) in ${seconds.toFixed(1)} s`
  );
}

export function progressLine(p: ScanProgress, planned: bigint, seconds: number): string {
  const done = BigInt(p.swept);
  const pct = planned > 0n ? Number((done * 1000n) / planned) / 10 : 100;
  const width = 24;
  const filled = Math.min(width, Math.round((pct / 100) * width));
  const rate = seconds > 0 ? Math.round(p.swept / seconds) : 0;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct.toFixed(1)}% ${p.swept}/${planned} swept, ${p.open} open, ${p.gateways} gateways, ${rate}/s`;
}
