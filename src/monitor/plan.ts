// What `monitor --dry-run` prints (the profiles, their sinks and next run times) and the text
// form of a run's report for `monitor --once`.
import { serviceLevels } from "../policy/clauses.ts";
import { plannedEndpointCount } from "../targets/stream.ts";
import { escapeOneLine } from "../util/text.ts";
import { ALERT_KINDS, fmtMs, type MonitorConfig, nextRuns, type Profile, type SinkConfig } from "./config.ts";
import { SEV_TAG } from "./format.ts";
import { type RunReport, runLine } from "./runner.ts";

export const PLAN_SCHEMA = "clawpatrol.monitor-plan/v1";

/** Where a sink sends, without secrets (a webhook's path and query often are one). */
export function sinkTarget(s: SinkConfig): string {
  switch (s.type) {
    case "webhook": {
      const u = new URL(s.url);
      return `${u.origin}${u.pathname === "/" && !u.search ? "/" : "/…"}${s.resolvedSecret ? " (signed)" : ""}`;
    }
    case "syslog":
      return `${s.transport}://${s.host.includes(":") ? `[${s.host}]` : s.host}:${s.port ?? (s.transport === "tls" ? 6514 : 514)}`;
    case "ndjson":
      return s.path;
    case "command":
      return s.argv[0]!;
  }
}

function routeText(r: Profile["alerts"][number]): string {
  const sev = r.minSeverity === "info" ? "" : ` ${r.minSeverity}+`;
  const kinds = r.kinds.length === ALERT_KINDS.length ? "" : ` ${r.kinds.join(",")}`;
  return `${r.sink}${sev}${kinds}`;
}

/** The exposure service levels `monitor --policy` alerts on. */
function slaOf(config: MonitorConfig): { clause: string; hours: number }[] {
  return config.policy
    ? serviceLevels(config.policy.policy).map((l) => ({ clause: l.clause, hours: l.hours }))
    : [];
}

export function dryRun(config: MonitorConfig, profiles: Profile[], json: boolean, from = new Date()): string {
  const planned = profiles.map((p) => ({
    name: p.name,
    schedule: p.schedule,
    timezone: p.timezone,
    targets: p.targets,
    excludes: p.excludes,
    ports: p.ports,
    addresses: Number(p.plan.addressCount),
    endpoints: Number(plannedEndpointCount(p.plan, p.ports)),
    rate: p.rate,
    timeoutMs: p.timeoutMs,
    alerts: p.alerts,
    nextRuns: nextRuns(p.schedule, p.timezone, 3, from).map((d) => d.toISOString()),
  }));
  const sinks = [...config.sinks].map(([name, s]) => ({ name, type: s.type, target: sinkTarget(s) }));
  if (json)
    return `${JSON.stringify({
      schema: PLAN_SCHEMA,
      config: config.file,
      dedupeWindowMs: config.dedupeWindowMs,
      flapThreshold: config.flapThreshold,
      retryForMs: config.retryForMs,
      policy: config.policy ? { file: config.policy.file, serviceLevels: slaOf(config) } : null,
      sinks,
      profiles: planned,
    })}\n`;
  const lines = [
    `${config.file}: ${profiles.length} profile(s), ${sinks.length} sink(s); dedupe window ${fmtMs(config.dedupeWindowMs)}, flapping after ${config.flapThreshold} flip(s), failed alerts retried for ${fmtMs(config.retryForMs)}`,
  ];
  if (config.policy)
    lines.push(
      `  policy ${escapeOneLine(config.policy.file)}: ${
        slaOf(config)
          .map((l) => `${l.clause} ${l.hours} h`)
          .join(", ") || "no exposure service level (nothing to alert on)"
      }`,
    );
  for (const s of sinks) lines.push(`  sink ${s.name}: ${s.type} → ${escapeOneLine(s.target)}`);
  for (const p of planned) {
    lines.push(
      `profile ${p.name}: "${p.schedule}"${p.timezone ? ` (${p.timezone})` : " (local time)"}; ${p.endpoints} endpoint(s) (${p.addresses} address(es) × ${p.ports.length} port(s)); alerts → ${
        p.alerts.length > 0 ? p.alerts.map(routeText).join(", ") : "none (events are still recorded)"
      }`,
    );
    lines.push(`  next runs: ${p.nextRuns.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A `changed` event's changes in a few words: "auth required→not-required, advisories +11 -1". */
export function changeText(changes: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [field, v] of Object.entries(changes)) {
    if (Array.isArray(v)) out.push(`${field} ${v[0] ?? "-"}→${v[1] ?? "-"}`);
    else if (v && typeof v === "object") {
      const l = v as { added?: unknown[]; removed?: unknown[] };
      out.push(`${field} +${l.added?.length ?? 0} -${l.removed?.length ?? 0}`);
    }
  }
  return out.length > 0 ? ` (${out.join(", ")})` : "";
}

/** A run report as text: the run line, then its events and its alerts with where each went. */
export function reportText(r: RunReport): string {
  const out = [escapeOneLine(runLine(r))];
  for (const e of r.events) {
    const what = `${e.product ?? "-"} ${e.version ?? "-"} auth ${e.auth}`;
    const changes = changeText(e.changes);
    out.push(
      `  event ${e.kind.padEnd(8)} ${e.address.padEnd(24)} ${escapeOneLine(`${what}${changes}`).slice(0, 300)}`,
    );
  }
  for (const a of r.alerts) {
    const where = Object.entries(a.sinks)
      .map(([s, st]) => (st === "failed" && a.errors?.[s] ? `${s}:failed (${a.errors[s]})` : `${s}:${st}`))
      .join(" ");
    out.push(
      `  alert ${SEV_TAG[a.severity]} ${a.kind.padEnd(8)} ${a.address.padEnd(24)} ${escapeOneLine(a.title)}${where ? ` → ${where}` : " (no route takes it)"}`,
    );
  }
  return `${out.join("\n")}\n`;
}
