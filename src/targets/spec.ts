// Turns what the user typed (addresses, CIDRs, ranges, hostnames, URLs) into a TargetPlan:
// merged address intervals minus excludes, plus names and URLs kept as named.
import { UsageError } from "../core/errors.ts";
import {
  cidrInterval,
  type Family,
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

export interface TargetPlan {
  intervals: Interval[];
  hostnames: string[];
  urls: UrlTarget[];
  excludes: Interval[];
  /** Addresses in `intervals` (excludes already removed). Names and URLs count one each. */
  addressCount: bigint;
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
  | { kind: "url"; url: UrlTarget };

export function parseTarget(raw: string): ParsedTarget {
  const text = raw.trim();
  if (text === "") throw new UsageError("empty target");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: "url", url: parseUrl(text) };
  if (text.includes("/")) return { kind: "interval", interval: parseCidr(text) };
  const ip = parseIp(text);
  if (ip) return { kind: "interval", interval: { family: ip.family, start: ip.value, end: ip.value } };
  const range = parseRange(text);
  if (range) return { kind: "interval", interval: range };
  if (/^[\d.]+$/.test(text)) throw new UsageError(`invalid target "${text}": not a valid IPv4 address`);
  if (HOSTNAME.test(text)) return { kind: "hostname", hostname: text.replace(/\.$/, "").toLowerCase() };
  throw new UsageError(
    `invalid target "${text}": expected an IP, CIDR, range (a-b), hostname or http(s) URL`,
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

export function buildPlan(targets: string[], excludes: string[]): TargetPlan {
  const intervals: Interval[] = [];
  const hostnames = new Set<string>();
  const urls = new Map<string, UrlTarget>();
  for (const t of targets) {
    const p = parseTarget(t);
    if (p.kind === "interval") intervals.push(p.interval);
    else if (p.kind === "hostname") hostnames.add(p.hostname);
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
  return {
    intervals: merged,
    hostnames: [...hostnames],
    urls: [...urls.values()],
    excludes: excl,
    addressCount: count,
  };
}

export function isExcluded(plan: TargetPlan, family: Family, value: bigint): boolean {
  return plan.excludes.some((e) => e.family === family && e.start <= value && value <= e.end);
}
