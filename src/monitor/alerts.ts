// From asset events to alerts: each says what changed, where (ip:port, product, version), why it
// matters and what to do, with one severity. The rules, in short:
//   new / reopened   no auth or remote-looks-local: critical; auth unknown: high; else medium;
//                    pre-auth advisories raise it to at least high (to their own severity if worse)
//   changed          auth turned off: critical; a pre-auth advisory now applies: at least high;
//                    a downgrade or other product: low; upgrades, auth turned on, advisories
//                    that no longer apply: info (good news)
//   closed           info: the gateway no longer answers (good news when you closed it)
//   flapping         an asset whose open/closed flips within the dedupe window reach the flap
//                    threshold: one summary instead of one alert per flip, at the severity the
//                    gateway has while it is open
// Every alert has a stable dedupe key: asset + kind + what changed.
import { createHash } from "node:crypto";
import { compareVersions, isCalVer } from "../advisories/calver.ts";
import { derivedSidePorts } from "../audit/side-ports.ts";
import { maxSeverity, type Severity, severityRank } from "../findings/model.ts";
import { isLoopback, parseIp } from "../targets/ip.ts";
import { compareText } from "../util/text.ts";
import type { AlertKind } from "./config.ts";

export const ALERT_SCHEMA = "clawpatrol.alert/v1" as const;

export type EventKind = "new" | "closed" | "reopened" | "changed";

/** A row of asset_events. */
export interface AssetEvent {
  runId: string;
  ip: string;
  port: number;
  kind: EventKind;
  at: string;
  product: string | null;
  version: string | null;
  auth: string;
  changes: Record<string, unknown>;
}

/** What the assets table knows about the asset besides the event (its state as last seen). */
export interface AssetContext {
  remoteLooksLocal: boolean;
  preauthAdvisories: string[];
}

export interface AdvisoryInfo {
  id: string;
  aliases: string[];
  severity: Severity;
  summary: string;
  fixed: string | null;
}

export type AdvisoryLookup = (id: string) => AdvisoryInfo | null;

export interface Alert {
  schema: typeof ALERT_SCHEMA;
  /** Unique per (key, run): what a receiver can use to drop a redelivery (sending is at-least-once). */
  id: string;
  /** Dedupe key: asset + kind + what changed. */
  key: string;
  kind: AlertKind;
  severity: Severity;
  title: string;
  /** What changed and where, one line. */
  summary: string;
  why: string;
  remediation: string[];
  profile: string;
  runId: string;
  /** When the change was seen. */
  at: string;
  asset: {
    address: string;
    ip: string;
    port: number;
    product: string | null;
    version: string | null;
    auth: string;
    remoteLooksLocal: boolean;
    state: "open" | "closed";
  };
  /** For `changed`: field -> [before, after]; advisory lists as { added, removed }. */
  changes: Record<string, unknown>;
  /** The pre-auth advisories that matter for this alert (at most 20). */
  advisories: { id: string; aliases: string[]; severity: Severity; fixed: string | null; summary: string }[];
  upgradeTo: string | null;
  flapping?: { flips: number; windowStart: string; quietUntil: string };
  /** sla-breach / sla-resolved: the policy clause, the exposure's first-seen time and its deadline (sla.ts). */
  sla?: {
    clause: string;
    asset: string;
    firstSeen: string;
    deadline: string;
    limitHours: number;
    openHours: number;
    rules: string[];
    resolvedAt?: string;
  };
}

const MAX_ADVISORIES = 20;
const MAX_NAMED = 3;

export const addressOf = (ip: string, port: number) =>
  ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

export function alertId(key: string, runId: string): string {
  return sha(`${key}\u0000${runId}`).slice(0, 32);
}

function onLoopback(ip: string): boolean {
  const p = parseIp(ip);
  return p !== null && isLoopback(p.family, p.value);
}

function worst(...list: (Severity | null | undefined)[]): Severity {
  return maxSeverity(list.filter((s): s is Severity => !!s)) ?? "info";
}

const atLeast = (s: Severity, floor: Severity): Severity =>
  severityRank(s) >= severityRank(floor) ? s : floor;

function what(ev: { product: string | null; version: string | null }): string {
  return `${ev.product ?? "gateway"}${ev.version ? ` ${ev.version}` : ""}`;
}

function named(ids: string[]): string {
  const shown = ids.slice(0, MAX_NAMED).join(", ");
  return ids.length > MAX_NAMED ? `${shown} and ${ids.length - MAX_NAMED} more` : shown;
}

function advisoryList(ids: string[], lookup: AdvisoryLookup): Alert["advisories"] {
  const out: Alert["advisories"] = [];
  for (const id of ids) {
    const a = lookup(id);
    out.push(
      a
        ? { id: a.id, aliases: a.aliases, severity: a.severity, fixed: a.fixed, summary: a.summary }
        : { id, aliases: [], severity: "high", fixed: null, summary: "" },
    );
  }
  // Worst first, so the first few named are the ones that matter.
  out.sort((x, y) => severityRank(y.severity) - severityRank(x.severity) || compareText(x.id, y.id));
  return out;
}

const FAMILY = new Set(["openclaw", "clawdbot", "moltbot"]);
/** Where a reverse proxy, not the gateway itself, usually answers. */
const WEB_PORTS = new Set([80, 443]);

/**
 * The side ports of the gateway behind this endpoint, as text, or null when they cannot be
 * derived: not an OpenClaw-family gateway, or the port that answered is not the gateway's own
 * (a relay or proxy in front of it, which makes remote clients look local, or a web port).
 */
function sidePortsOf(ev: AssetEvent, remoteLooksLocal: boolean): string | null {
  if (!ev.product || !FAMILY.has(ev.product) || remoteLooksLocal || WEB_PORTS.has(ev.port)) return null;
  const ports = derivedSidePorts(ev.port, ev.version);
  if (!ports || ports.length === 0) return null;
  return ports.map((p) => `${p.port} ${p.what}`).join(", ");
}

const remedy = {
  auth: () =>
    'Enable auth: gateway.auth.mode "token" with a long random token (`clawpatrol fix --apply` on that host writes one).',
  bind: () =>
    'Bind the gateway to loopback (gateway.bind "loopback") and reach it through an SSH tunnel or a tailnet instead of an open port.',
  firewall: (ev: AssetEvent, remoteLooksLocal: boolean) => {
    const side = sidePortsOf(ev, remoteLooksLocal);
    const also = side ? ` and the side ports OpenClaw derives from it (${side})` : "";
    return `Firewall TCP ${ev.port}${also} to everything but loopback and trusted networks (\`clawpatrol firewall\`).`;
  },
  upgrade: (to: string | null, fixed: string | null) => {
    const v = to ?? fixed;
    return v
      ? `Upgrade to ${v} or later (npm install -g openclaw@${v}), then restart the gateway.`
      : "Upgrade to the newest release; no published release fixes every listed advisory yet, so keep it off the network meanwhile.";
  },
  proxy: () =>
    "It treats remote clients as local: set gateway.trustedProxies to the proxy's address so forwarded clients are not taken for loopback, or stop relaying the port.",
  unknownAuth: () =>
    "Upgrade: releases before 2026.1.23 cannot be asked whether auth is enforced and carry many advisories.",
  closed: () =>
    "Nothing to do if it was closed on purpose. If not, check whether the gateway moved to another port or host, or crashed.",
};

interface Part {
  severity: Severity;
  headline: string;
  why: string;
  remediation: string[];
}

/** Why an open gateway matters, as parts, worst first: used by new, reopened and flapping alerts. */
function openParts(
  ev: AssetEvent,
  ctx: AssetContext,
  advisories: Alert["advisories"],
  upgradeTo: string | null,
): Part[] {
  const addr = addressOf(ev.ip, ev.port);
  const where = onLoopback(ev.ip) ? "on loopback" : "on the network";
  const parts: Part[] = [];
  if (ev.auth === "not-required")
    parts.push({
      severity: "critical",
      headline: "without auth",
      why: `It answers without auth: anyone who can reach ${addr} can drive its agent (tools, shell, files, config).`,
      remediation: [remedy.auth(), remedy.bind(), remedy.firewall(ev, ctx.remoteLooksLocal)],
    });
  if (ctx.remoteLooksLocal)
    parts.push({
      severity: "critical",
      headline: "treating remote clients as local",
      why: "It treats remote clients as local, so the loopback exemptions (no pairing, no rate limit, sometimes no auth) apply to anyone who reaches it.",
      remediation: [remedy.proxy(), remedy.bind()],
    });
  if (ev.auth === "unknown")
    parts.push({
      severity: "high",
      headline: "with auth state unknown",
      why: "Whether it enforces auth could not be read (releases before 2026.1.23 do not say).",
      remediation: [remedy.unknownAuth(), remedy.bind(), remedy.firewall(ev, ctx.remoteLooksLocal)],
    });
  if (advisories.length > 0) {
    const fixed = advisories.find((a) => a.fixed)?.fixed ?? null;
    parts.push({
      severity: atLeast(advisories[0]!.severity, "high"),
      headline: `with ${advisories.length} pre-auth ${advisories.length === 1 ? "advisory" : "advisories"}`,
      why: `${advisories.length} pre-auth ${advisories.length === 1 ? "advisory applies" : "advisories apply"} to ${what(ev)} (${named(advisories.map((a) => a.id))}): usable over the network without credentials.`,
      remediation: [remedy.upgrade(upgradeTo, fixed)],
    });
  }
  if (ev.auth === "required" && !ctx.remoteLooksLocal)
    parts.push({
      severity: "medium",
      headline: "with auth required",
      why: `A gateway control plane answers ${where}; auth is enforced, but password guessing, a leaked token or the next advisory would open it.`,
      remediation: [remedy.bind(), remedy.firewall(ev, ctx.remoteLooksLocal)],
    });
  return parts;
}

function merge(parts: Part[]): { severity: Severity; why: string; remediation: string[] } {
  const severity = worst(...parts.map((p) => p.severity));
  const remediation = [...new Set(parts.flatMap((p) => p.remediation))];
  return { severity, why: parts.map((p) => p.why).join(" "), remediation };
}

function listChange(v: unknown): { added: string[]; removed: string[] } | null {
  if (!v || typeof v !== "object") return null;
  const o = v as { added?: unknown; removed?: unknown };
  const arr = (x: unknown) => (Array.isArray(x) ? x.map(String) : []);
  return { added: arr(o.added), removed: arr(o.removed) };
}

function pair(v: unknown): [string | null, string | null] | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  return [v[0] == null ? null : String(v[0]), v[1] == null ? null : String(v[1])];
}

function changedParts(
  ev: AssetEvent,
  ctx: AssetContext,
  advisories: Alert["advisories"],
  upgradeTo: string | null,
): Part[] {
  const addr = addressOf(ev.ip, ev.port);
  const parts: Part[] = [];
  const auth = pair(ev.changes.auth);
  if (auth) {
    const [was, now] = auth;
    if (now === "not-required")
      parts.push({
        severity: "critical",
        headline: "auth turned off",
        why: `Auth was ${was ?? "unknown"} and is now off: anyone who can reach ${addr} can drive its agent.`,
        remediation: [remedy.auth(), remedy.bind(), remedy.firewall(ev, ctx.remoteLooksLocal)],
      });
    else if (now === "required")
      parts.push({
        severity: "info",
        headline: "auth now enforced",
        why: `Auth is now enforced (it was ${was ?? "unknown"}): good news.`,
        remediation: [],
      });
    else
      parts.push({
        severity: "medium",
        headline: "auth state no longer readable",
        why: `Auth was ${was ?? "unknown"}; it can no longer be read.`,
        remediation: [remedy.unknownAuth()],
      });
  }
  const pre = listChange(ev.changes.preauthAdvisories);
  if (pre && pre.added.length > 0) {
    const fixed = advisories.find((a) => a.fixed)?.fixed ?? null;
    parts.push({
      severity: atLeast(advisories[0]?.severity ?? "high", "high"),
      headline: `pre-auth ${pre.added.length === 1 ? "advisory" : "advisories"} ${named(advisories.map((a) => a.id))} now ${pre.added.length === 1 ? "applies" : "apply"}`,
      why: `Pre-auth ${pre.added.length === 1 ? "advisory" : "advisories"} ${named(advisories.map((a) => a.id))} now ${pre.added.length === 1 ? "applies" : "apply"} to ${what(ev)}: usable over the network without credentials.`,
      remediation: [remedy.upgrade(upgradeTo, fixed)],
    });
  }
  const product = pair(ev.changes.product);
  if (product)
    parts.push({
      severity: "low",
      headline: `product ${product[0] ?? "unknown"} → ${product[1] ?? "unknown"}`,
      why: `It now answers as ${product[1] ?? "an unknown product"} (was ${product[0] ?? "unknown"}).`,
      remediation: [],
    });
  const version = pair(ev.changes.version);
  if (version) {
    const [was, now] = version;
    const down = was && now && isCalVer(was) && isCalVer(now) && compareVersions(now, was) < 0;
    parts.push({
      severity: down ? "low" : "info",
      headline: `${down ? "downgraded" : "version"} ${was ?? "unknown"} → ${now ?? "unknown"}`,
      why: down
        ? `It was downgraded from ${was} to ${now}.`
        : `Its version changed from ${was ?? "unknown"} to ${now ?? "unknown"}.`,
      remediation: [],
    });
  }
  if (pre && pre.added.length === 0 && pre.removed.length > 0)
    parts.push({
      severity: "info",
      headline: `${pre.removed.length} pre-auth ${pre.removed.length === 1 ? "advisory" : "advisories"} no longer ${pre.removed.length === 1 ? "applies" : "apply"}`,
      why: `${named(pre.removed)} no longer ${pre.removed.length === 1 ? "applies" : "apply"}: good news.`,
      remediation: [],
    });
  const all = listChange(ev.changes.advisories);
  if (all && (!pre || pre.added.length === 0)) {
    if (all.added.length > 0)
      parts.push({
        severity: "low",
        headline: `${all.added.length} more ${all.added.length === 1 ? "advisory" : "advisories"}`,
        why: `${named(all.added)} now ${all.added.length === 1 ? "applies" : "apply"} (each needs credentials or a local foothold).`,
        remediation: [remedy.upgrade(upgradeTo, null)],
      });
    else if (all.removed.length > 0 && !pre)
      parts.push({
        severity: "info",
        headline: `${all.removed.length} ${all.removed.length === 1 ? "advisory" : "advisories"} cleared`,
        why: `${named(all.removed)} no longer ${all.removed.length === 1 ? "applies" : "apply"}.`,
        remediation: [],
      });
  }
  return parts;
}

/** The part of a `changed` event's key that says what changed (advisory lists hashed, to stay short). */
function changeSignature(changes: Record<string, unknown>): string {
  const out: string[] = [];
  for (const field of ["product", "version", "auth"]) {
    const p = pair(changes[field]);
    if (p) out.push(`${field}:${p[0] ?? "-"}>${p[1] ?? "-"}`);
  }
  for (const field of ["preauthAdvisories", "advisories"]) {
    const l = listChange(changes[field]);
    if (l)
      out.push(
        `${field}:${sha(`${[...l.added].sort().join(",")}|${[...l.removed].sort().join(",")}`).slice(0, 12)}`,
      );
  }
  return out.join(";");
}

export function alertKey(ev: Pick<AssetEvent, "ip" | "port" | "kind" | "changes">): string {
  const base = `${addressOf(ev.ip, ev.port)}|${ev.kind}`;
  return ev.kind === "changed" ? `${base}|${changeSignature(ev.changes)}` : base;
}

export const flappingKey = (ip: string, port: number) => `${addressOf(ip, port)}|flapping`;

export interface AlertMeta {
  profile: string;
  runId: string;
  /** The smallest release that clears the asset's advisories (from the advisory data), if known. */
  upgradeTo: string | null;
}

function assetOf(ev: AssetEvent, ctx: AssetContext): Alert["asset"] {
  return {
    address: addressOf(ev.ip, ev.port),
    ip: ev.ip,
    port: ev.port,
    product: ev.product,
    version: ev.version,
    auth: ev.auth,
    remoteLooksLocal: ctx.remoteLooksLocal,
    state: ev.kind === "closed" ? "closed" : "open",
  };
}

function buildAlert(ev: AssetEvent, ctx: AssetContext, lookup: AdvisoryLookup, meta: AlertMeta): Alert {
  const addr = addressOf(ev.ip, ev.port);
  const key = alertKey(ev);
  const base = {
    schema: ALERT_SCHEMA,
    id: alertId(key, meta.runId),
    key,
    kind: ev.kind as AlertKind,
    profile: meta.profile,
    runId: meta.runId,
    at: ev.at,
    asset: assetOf(ev, ctx),
    changes: ev.kind === "changed" ? ev.changes : {},
    upgradeTo: meta.upgradeTo,
  };
  if (ev.kind === "closed")
    return {
      ...base,
      severity: "info",
      title: "Gateway closed",
      summary: `${what(ev)} on ${addr} no longer answers`,
      why: `${addr} no longer answers: good news if it was closed on purpose.`,
      remediation: [remedy.closed()],
      advisories: [],
      upgradeTo: null,
    };
  if (ev.kind === "changed") {
    const pre = listChange(ev.changes.preauthAdvisories);
    const all = advisoryList(pre?.added ?? [], lookup);
    const parts = changedParts(ev, ctx, all, meta.upgradeTo);
    const m = merge(
      parts.length > 0 ? parts : [{ severity: "info", headline: "changed", why: "", remediation: [] }],
    );
    const ordered = [...parts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    const headline = ordered.map((p) => p.headline).join("; ") || "changed";
    return {
      ...base,
      severity: m.severity,
      title: `Gateway changed: ${headline}`,
      summary: `${what(ev)} on ${addr}: ${headline}`,
      why: m.why,
      remediation: m.remediation,
      advisories: all.slice(0, MAX_ADVISORIES),
    };
  }
  const all = advisoryList(ctx.preauthAdvisories, lookup);
  const parts = openParts(ev, ctx, all, meta.upgradeTo);
  const m = merge(parts);
  const top = [...parts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
  const qualifier = top ? ` ${top.headline}` : "";
  return {
    ...base,
    severity: m.severity,
    title: `${ev.kind === "new" ? "New gateway exposed" : "Gateway exposed again"}${qualifier}`,
    summary: `${what(ev)} ${ev.kind === "new" ? "newly answers" : "answers again"} on ${addr}${qualifier}`,
    why: `${ev.kind === "new" ? "Gateway newly exposed." : "A gateway that had closed answers again."} ${m.why}`.trim(),
    remediation: m.remediation,
    advisories: all.slice(0, MAX_ADVISORIES),
  };
}

function buildFlapping(
  ev: AssetEvent,
  ctx: AssetContext,
  lookup: AdvisoryLookup,
  meta: AlertMeta,
  flap: { flips: number; windowStart: string; quietUntil: string },
): Alert {
  const addr = addressOf(ev.ip, ev.port);
  const key = flappingKey(ev.ip, ev.port);
  const all = advisoryList(ctx.preauthAdvisories, lookup);
  const parts = openParts({ ...ev, kind: "reopened" }, ctx, all, meta.upgradeTo);
  const m = merge(parts);
  const now = ev.kind === "closed" ? "closed" : "open";
  return {
    schema: ALERT_SCHEMA,
    id: alertId(key, meta.runId),
    key,
    kind: "flapping",
    severity: m.severity,
    title: `Gateway flapping: ${flap.flips} open/closed flips since ${flap.windowStart.slice(0, 16)}Z, now ${now}`,
    summary: `${what(ev)} on ${addr} keeps appearing and disappearing (${flap.flips} flips), now ${now}`,
    why: `${addr} opened and closed ${flap.flips} times within the dedupe window; further flips are not alerted until ${flap.quietUntil}. While it is open: ${m.why}`,
    remediation: m.remediation,
    profile: meta.profile,
    runId: meta.runId,
    at: ev.at,
    asset: assetOf(ev, ctx),
    changes: {},
    advisories: all.slice(0, MAX_ADVISORIES),
    upgradeTo: meta.upgradeTo,
    flapping: flap,
  };
}

/** The alert for one asset event. */
export function alertForEvent(
  ev: AssetEvent,
  ctx: AssetContext,
  lookup: AdvisoryLookup,
  meta: AlertMeta,
): Alert {
  return orderAlert(buildAlert(ev, ctx, lookup, meta));
}

/**
 * One summary for an asset that keeps opening and closing: said once per window instead of one
 * alert per flip, at the severity the gateway has while it is open.
 */
export function flappingAlert(
  ev: AssetEvent,
  ctx: AssetContext,
  lookup: AdvisoryLookup,
  meta: AlertMeta,
  flap: { flips: number; windowStart: string; quietUntil: string },
): Alert {
  return orderAlert(buildFlapping(ev, ctx, lookup, meta, flap));
}

const ALERT_KEYS: (keyof Alert)[] = [
  "schema",
  "id",
  "key",
  "kind",
  "severity",
  "title",
  "summary",
  "why",
  "remediation",
  "profile",
  "runId",
  "at",
  "asset",
  "changes",
  "advisories",
  "upgradeTo",
  "flapping",
  "sla",
];
const ASSET_KEYS = [
  "address",
  "ip",
  "port",
  "product",
  "version",
  "auth",
  "remoteLooksLocal",
  "state",
] as const;
const ADVISORY_KEYS = ["id", "aliases", "severity", "fixed", "summary"] as const;

function pick<T extends object>(o: T, keys: readonly (keyof T)[]): T {
  const out = {} as T;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The alert with its keys in the documented order (a JSON column hands them back reordered). */
export function orderAlert(a: Alert): Alert {
  const out = pick(a, ALERT_KEYS);
  out.asset = pick(a.asset, ASSET_KEYS);
  out.advisories = a.advisories.map((x) => pick(x, ADVISORY_KEYS));
  return out;
}

/** Does a route take this alert? */
export function routeTakes(route: { minSeverity: Severity; kinds: readonly AlertKind[] }, a: Alert): boolean {
  return route.kinds.includes(a.kind) && severityRank(a.severity) >= severityRank(route.minSeverity);
}
