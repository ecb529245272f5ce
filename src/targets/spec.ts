// Turns what the user typed (addresses, CIDRs, ranges, hostnames, host:port, URLs) into a
// TargetPlan: merged address intervals minus excludes, plus names, explicit endpoints and URLs
// kept as named. A target that cannot be read is reported with its reason, never dropped.
import { UsageError } from "../core/errors.ts";
import {
  cidrInterval,
  type Family,
  formatIp,
  type Interval,
  intervalSize,
  normalise,
  parseIp,
  subtract,
} from "./ip.ts";

/** A gateway reached through a URL: scheme, host, port and a path prefix (reverse proxy, basePath). */
export interface UrlTarget {
  url: string;
  hostname: string;
  port: number | null;
  tls: boolean;
  basePath: string;
}

/** `host:port` or `[v6]:port`: one endpoint whose port overrides -p. */
export interface HostPort {
  /** A lower-case hostname, or an address in canonical form. */
  host: string;
  port: number;
  /** The address family when `host` is an address; null for a name (resolved later). */
  family: Family | null;
}

/** A name resolved before the scan (see resolve.ts): its addresses, or why it has none. */
export type Resolution = { addresses: { address: string; family: number }[] } | { error: string };

export interface TargetPlan {
  intervals: Interval[];
  hostnames: string[];
  /** Endpoints named with their own port (`host:port`, `[v6]:port`), scanned on that port only. */
  endpoints: HostPort[];
  urls: UrlTarget[];
  excludes: Interval[];
  /** Addresses in `intervals` (excludes already removed). Names and URLs count one each. */
  addressCount: bigint;
  /** Names already resolved (resolveNames); a name missing here is resolved when streamed. */
  resolved?: ReadonlyMap<string, Resolution>;
}

/** A target the user gave that could not be read, and why (the UsageError's message). */
export interface RejectedTarget {
  target: string;
  reason: string;
}

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;

function parseCidr(text: string): Interval {
  const slash = text.lastIndexOf("/");
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip) throw new UsageError(`invalid target "${text}": "${text.slice(0, slash)}" is not an IP address`);
  const max = ip.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)
    throw new UsageError(`invalid target "${text}": prefix length must be 0-${max}`);
  return cidrInterval(ip.family, ip.value, Number(prefixText));
}

function parseRange(text: string): Interval | null {
  const dash = text.indexOf("-");
  if (dash <= 0) return null;
  const left = parseIp(text.slice(0, dash));
  if (!left) return null;
  const rightText = text.slice(dash + 1);
  let right = parseIp(rightText);
  // Short form for IPv4: 10.0.0.1-20 means 10.0.0.1 to 10.0.0.20.
  if (!right && left.family === 4 && /^\d{1,3}$/.test(rightText) && Number(rightText) <= 255) {
    right = { family: 4, value: (left.value & ~255n) | BigInt(rightText) };
  }
  if (!right)
    throw new UsageError(`invalid range "${text}": "${rightText}" is not an address or a last octet`);
  if (right.family !== left.family) throw new UsageError(`invalid range "${text}": mixes IPv4 and IPv6`);
  if (right.value < left.value) throw new UsageError(`invalid range "${text}": end is before start`);
  return { family: left.family, start: left.value, end: right.value };
}

function parseUrl(text: string): UrlTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`invalid target URL "${text}"`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new UsageError(`invalid target URL "${text}": only http:// and https:// are scanned`);
  if (u.username || u.password)
    throw new UsageError(`target URL "${text}" carries credentials; clawpatrol never sends any`);
  const hostname = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  return {
    url: `${u.protocol}//${u.host}${u.pathname}`,
    hostname,
    port: u.port ? Number(u.port) : null,
    tls: u.protocol === "https:",
    basePath: u.pathname.replace(/\/+$/, ""),
  };
}

export type ParsedTarget =
  | { kind: "interval"; interval: Interval }
  | { kind: "hostname"; hostname: string }
  | { kind: "endpoint"; endpoint: HostPort }
  | { kind: "url"; url: UrlTarget };

function parsePort(text: string, target: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw new UsageError(`invalid target "${target}": port "${text}" is not 1-65535`);
  return Number(text);
}

/**
 * `[v6]:port`, `a.b.c.d:port` or `name:port`, or null when the text carries no port. A bare
 * IPv6 address (`::1`, `fe80::1:8080`) is always an address: only brackets give it a port.
 */
function parseHostPort(text: string): HostPort | null {
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(text);
  if (bracketed) {
    const ip = parseIp(bracketed[1]!);
    if (ip?.family !== 6)
      throw new UsageError(`invalid target "${text}": "[${bracketed[1]}]" is not an IPv6 address`);
    return { host: formatIp(6, ip.value), port: parsePort(bracketed[2]!, text), family: 6 };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0 || text.indexOf(":") !== colon) return null;
  const head = text.slice(0, colon);
  const port = parsePort(text.slice(colon + 1), text);
  if (head.includes("/") || parseRange(head))
    throw new UsageError(
      `invalid target "${text}": a port can follow one address or name only (host:port); use -p for CIDRs and ranges`,
    );
  const ip = parseIp(head);
  if (ip) return { host: formatIp(ip.family, ip.value), port, family: ip.family };
  if (/^[\d.]+$/.test(head)) throw new UsageError(`invalid target "${text}": not a valid IPv4 address`);
  if (HOSTNAME.test(head)) return { host: head.replace(/\.$/, "").toLowerCase(), port, family: null };
  throw new UsageError(`invalid target "${text}": "${head}" is not an address or a hostname`);
}

export function parseTarget(raw: string): ParsedTarget {
  const text = raw.trim();
  if (text === "") throw new UsageError("empty target");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: "url", url: parseUrl(text) };
  if (!parseIp(text)) {
    const endpoint = parseHostPort(text);
    if (endpoint) return { kind: "endpoint", endpoint };
  }
  if (text.includes("/")) return { kind: "interval", interval: parseCidr(text) };
  const ip = parseIp(text);
  if (ip) return { kind: "interval", interval: { family: ip.family, start: ip.value, end: ip.value } };
  const range = parseRange(text);
  if (range) return { kind: "interval", interval: range };
  if (/^[\d.]+$/.test(text)) throw new UsageError(`invalid target "${text}": not a valid IPv4 address`);
  if (HOSTNAME.test(text)) return { kind: "hostname", hostname: text.replace(/\.$/, "").toLowerCase() };
  throw new UsageError(
    `invalid target "${text}": expected an IP, CIDR, range (a-b), hostname, host:port or http(s) URL`,
  );
}

/** Lines of a target file: one target per line (or several separated by spaces/commas); # comments. */
export function splitTargetText(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const body = line.replace(/#.*$/, "").trim();
    if (body) out.push(...body.split(/[\s,]+/).filter(Boolean));
  }
  return out;
}

/**
 * The plan of the targets that could be read, and every one that could not (with why).
 * Excludes must all be valid: a mistyped exclude would scan what the user meant to spare.
 */
export function planTargets(
  targets: string[],
  excludes: string[],
): { plan: TargetPlan; rejected: RejectedTarget[] } {
  const intervals: Interval[] = [];
  const hostnames = new Set<string>();
  const endpoints = new Map<string, HostPort>();
  const urls = new Map<string, UrlTarget>();
  const rejected: RejectedTarget[] = [];
  for (const t of targets) {
    let p: ParsedTarget;
    try {
      p = parseTarget(t);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      rejected.push({ target: t, reason: err.message });
      continue;
    }
    if (p.kind === "interval") intervals.push(p.interval);
    else if (p.kind === "hostname") hostnames.add(p.hostname);
    else if (p.kind === "endpoint") endpoints.set(`${p.endpoint.host}|${p.endpoint.port}`, p.endpoint);
    else urls.set(p.url.url, p.url);
  }
  const cut: Interval[] = [];
  for (const e of excludes) {
    const p = parseTarget(e);
    if (p.kind !== "interval")
      throw new UsageError(`invalid exclude "${e}": excludes are addresses, CIDRs or ranges`);
    cut.push(p.interval);
  }
  const excl = normalise(cut);
  const merged = subtract(normalise(intervals), excl);
  let count = 0n;
  for (const i of merged) count += intervalSize(i);
  const plan: TargetPlan = {
    intervals: merged,
    hostnames: [...hostnames],
    endpoints: [],
    urls: [...urls.values()],
    excludes: excl,
    addressCount: count,
  };
  // An address endpoint that is excluded is gone, like any excluded address.
  for (const e of endpoints.values()) {
    const ip = e.family === null ? null : parseIp(e.host);
    if (ip && isExcluded(plan, ip.family, ip.value)) continue;
    plan.endpoints.push(e);
  }
  return { plan, rejected };
}

/** The plan of `targets`; the first target that cannot be read is a UsageError. */
export function buildPlan(targets: string[], excludes: string[]): TargetPlan {
  const { plan, rejected } = planTargets(targets, excludes);
  if (rejected.length > 0) throw new UsageError(rejected[0]!.reason);
  return plan;
}

/** True when the plan names nothing at all to scan. */
export function planIsEmpty(plan: TargetPlan): boolean {
  return (
    plan.addressCount === 0n &&
    plan.hostnames.length === 0 &&
    plan.endpoints.length === 0 &&
    plan.urls.length === 0
  );
}

export function isExcluded(plan: TargetPlan, family: Family, value: bigint): boolean {
  return plan.excludes.some((e) => e.family === family && e.start <= value && value <= e.end);
}
