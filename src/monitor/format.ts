// Alerts as ArcSight CEF lines inside RFC 5424 syslog messages, and as text for a terminal.
// CEF escaping is the one the findings exporter uses (src/findings/cef.ts): header fields escape
// `\` and `|`, extension values escape `\`, `=` and line breaks, so a value from a target can
// never start a new field or a new message; control bytes are shown as \xNN escapes.
import { hostname as osHostname } from "node:os";
import { VERSION } from "../core/version.ts";
import { cefHeader, cefValue } from "../findings/cef.ts";
import type { Severity } from "../findings/model.ts";
import { escapeForTerminal, escapeOneLine } from "../util/text.ts";
import type { Alert } from "./alerts.ts";

const CEF_SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };
/** RFC 5424 severities: 2 critical, 3 error, 4 warning, 5 notice, 6 informational. */
const SYSLOG_SEVERITY: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

export const signatureId = (a: Pick<Alert, "kind">) => `CP-MONITOR-${a.kind.toUpperCase()}`;

const cap = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** One CEF:0 line for an alert. */
export function alertToCef(a: Alert): string {
  const ext: [string, string][] = [];
  ext.push(["rt", String(Date.parse(a.at))]);
  if (a.asset.ip.includes(":")) ext.push(["c6a1Label", "Destination IPv6 Address"], ["c6a1", a.asset.ip]);
  else ext.push(["dst", a.asset.ip]);
  ext.push(["dpt", String(a.asset.port)]);
  ext.push(["cat", a.kind]);
  ext.push(["externalId", a.id]);
  ext.push(["cs1Label", "product"], ["cs1", a.asset.product ?? "-"]);
  ext.push(["cs2Label", "version"], ["cs2", a.asset.version ?? "-"]);
  ext.push(["cs3Label", "auth"], ["cs3", a.asset.auth]);
  if (a.advisories.length > 0)
    ext.push(["cs4Label", "advisories"], ["cs4", a.advisories.map((x) => x.id).join(",")]);
  if (a.remediation.length > 0)
    ext.push(["cs5Label", "remediation"], ["cs5", cap(a.remediation.join(" "), 4000)]);
  ext.push(["cs6Label", "dedupeKey"], ["cs6", a.key]);
  ext.push(["flexString1Label", "profile"], ["flexString1", a.profile]);
  ext.push(["msg", cap(`${a.summary}. ${a.why}`, 1023)]);
  const header = [
    "CEF:0",
    "clawpatrol",
    "clawpatrol",
    cefHeader(VERSION),
    cefHeader(signatureId(a)),
    cefHeader(escapeForTerminal(cap(a.title, 512))),
    String(CEF_SEVERITY[a.severity]),
  ].join("|");
  // Control bytes (from a target's text) are made visible first: a SIEM console is a terminal too.
  return `${header}|${ext.map(([k, v]) => `${k}=${cefValue(escapeForTerminal(v))}`).join(" ")}`;
}

/** A name fit for the HOSTNAME field: printable ASCII without spaces, at most 255, or "-". */
export function syslogHostname(name = osHostname()): string {
  const clean = name.replace(/[^!-~]/g, "").slice(0, 255);
  return clean === "" ? "-" : clean;
}

export interface SyslogHeader {
  facility: number;
  appName: string;
  hostname: string;
}

/** An RFC 5424 message (no framing): <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - CEF… */
export function syslogMessage(a: Alert, h: SyslogHeader, now = new Date()): string {
  const pri = h.facility * 8 + SYSLOG_SEVERITY[a.severity];
  return `<${pri}>1 ${now.toISOString()} ${h.hostname} ${h.appName} ${process.pid} ${signatureId(a)} - ${alertToCef(a)}`;
}

/** RFC 6587 octet-counting frame: "<length> <message>", the length in bytes. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${body.length} `, "ascii"), body]);
}

export const SEV_TAG: Record<Severity, string> = {
  critical: "CRIT",
  high: "HIGH",
  medium: "MED ",
  low: "LOW ",
  info: "INFO",
};

/** One terminal line for an alert (target-derived text escaped). */
export function alertLine(a: Alert): string {
  return `${SEV_TAG[a.severity]} ${a.kind.padEnd(8)} ${escapeOneLine(a.asset.address).padEnd(22)} ${escapeOneLine(a.summary)}`;
}
