// Address ranges a campaign never scans unless the user names them: the IANA special-purpose
// and reserved ranges (the list ZMap ships in its default blocklist.conf, from the IANA IPv4 and
// IPv6 Special-Purpose Address Registries, RFC 6890 and its updates), a --blocklist FILE of the
// user's own, and the store's standing opt-out list (src/distributed/optouts.ts).
//
// "Named explicitly" means a target lies inside the reserved range: `10.0.0.0/16` keeps that
// part of 10.0.0.0/8, and every test's loopback targets stay scannable, while `0.0.0.0/0` or
// `96.0.0.0/3` skip the reserved ranges inside them.
import { readFileSync } from "node:fs";
import { UsageError } from "../core/errors.ts";
import { cidrInterval, type Interval, intervalSize, normalise, parseIp, subtract } from "./ip.ts";
import { isExcluded, parseTarget, type TargetPlan } from "./spec.ts";

export interface BlockedRange {
  cidr: string;
  interval: Interval;
  /** Why it is blocked: the registry's name for it, or "FILE:LINE" for the user's list. */
  reason: string;
}

/** IANA special-purpose and reserved ranges (as ZMap's default blocklist, plus IPv6). */
const SPECIAL_PURPOSE: [string, string][] = [
  ["0.0.0.0/8", "this network (RFC 791)"],
  ["10.0.0.0/8", "private use (RFC 1918)"],
  ["100.64.0.0/10", "shared address space (RFC 6598)"],
  ["127.0.0.0/8", "loopback (RFC 1122)"],
  ["169.254.0.0/16", "link local (RFC 3927)"],
  ["172.16.0.0/12", "private use (RFC 1918)"],
  ["192.0.0.0/24", "IETF protocol assignments (RFC 6890)"],
  ["192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"],
  ["192.88.99.0/24", "6to4 relay anycast, deprecated (RFC 7526)"],
  ["192.168.0.0/16", "private use (RFC 1918)"],
  ["198.18.0.0/15", "benchmarking (RFC 2544)"],
  ["198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"],
  ["203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"],
  ["224.0.0.0/4", "multicast (RFC 5771)"],
  ["240.0.0.0/4", "reserved (RFC 1112)"],
  ["255.255.255.255/32", "limited broadcast (RFC 919)"],
  ["::/128", "unspecified address (RFC 4291)"],
  ["::1/128", "loopback (RFC 4291)"],
  ["::ffff:0:0/96", "IPv4-mapped addresses (RFC 4291)"],
  ["100::/64", "discard-only (RFC 6666)"],
  ["2001:db8::/32", "documentation (RFC 3849)"],
  ["3fff::/20", "documentation (RFC 9637)"],
  ["fc00::/7", "unique local (RFC 4193)"],
  ["fe80::/10", "link-local unicast (RFC 4291)"],
  ["ff00::/8", "multicast (RFC 4291)"],
];

/** Parse "ADDR" or "ADDR/LEN" into an interval; null when it is neither. */
export function parseCidr(text: string): Interval | null {
  const slash = text.indexOf("/");
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  const prefix = slash < 0 ? max : Number(text.slice(slash + 1));
  if (slash >= 0 && !/^\d{1,3}$/.test(text.slice(slash + 1))) return null;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return cidrInterval(ip.family, ip.value, prefix);
}

export const DEFAULT_BLOCKLIST: readonly BlockedRange[] = SPECIAL_PURPOSE.map(([cidr, reason]) => ({
  cidr,
  interval: parseCidr(cidr)!,
  reason,
}));

const inside = (inner: Interval, outer: Interval) =>
  inner.family === outer.family && inner.start >= outer.start && inner.end <= outer.end;

/**
 * The default blocklist less the ranges the user named explicitly: a range is waived when any
 * target interval lies inside it.
 */
export function defaultBlocklistFor(named: readonly Interval[]): {
  applied: BlockedRange[];
  waived: BlockedRange[];
} {
  const applied: BlockedRange[] = [];
  const waived: BlockedRange[] = [];
  for (const b of DEFAULT_BLOCKLIST) (named.some((t) => inside(t, b.interval)) ? waived : applied).push(b);
  return { applied, waived };
}

/**
 * A blocklist file: one address or CIDR a line; `#` starts a comment (as ZMap's blocklist.conf).
 * A line that is not an address is a usage error naming the file and line: a typo here would scan
 * what the user meant to spare.
 */
export function parseBlocklist(text: string, file: string): BlockedRange[] {
  const out: BlockedRange[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const interval = parseCidr(line);
    if (!interval) throw new UsageError(`${file}:${i + 1}: not an address or CIDR: "${line.slice(0, 80)}"`);
    out.push({ cidr: line, interval, reason: `${file}:${i + 1}` });
  });
  return out;
}

export function readBlocklistFile(path: string): BlockedRange[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `--blocklist: cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseBlocklist(text, path);
}

/** The address intervals among `targets` (CIDRs, ranges, single addresses): what the user named. */
export function namedIntervals(targets: readonly string[]): Interval[] {
  const out: Interval[] = [];
  for (const t of targets) {
    try {
      const p = parseTarget(t);
      if (p.kind === "interval") out.push(p.interval);
    } catch {
      // A target that cannot be read names nothing; the scan reports it on its own.
    }
  }
  return out;
}

/** A blocked range that removed addresses from a scan, and how many. */
export interface SkippedRange {
  range: BlockedRange;
  addresses: bigint;
}

function countOf(list: readonly Interval[]): bigint {
  let n = 0n;
  for (const i of list) n += intervalSize(i);
  return n;
}

/**
 * A scan's plan with the blocklists applied. The default ranges (less those a target lies in)
 * are cut from the CIDRs and ranges only: an address, name or URL the user typed is named
 * explicitly. The user's own --blocklist ranges act as excludes on everything, resolved names
 * and URLs included, as a campaign's do.
 */
export function applyBlocklists(
  plan: TargetPlan,
  named: readonly Interval[],
  userRanges: readonly BlockedRange[],
): { plan: TargetPlan; skipped: SkippedRange[] } {
  const { applied } = defaultBlocklistFor(named);
  const skipped: SkippedRange[] = [];
  // Each address is counted once, under the first range that holds it (255.255.255.255/32 lies
  // inside 240.0.0.0/4).
  let left = plan.intervals;
  for (const range of applied) {
    const rest = subtract(left, [range.interval]);
    const removed = countOf(left) - countOf(rest);
    if (removed > 0n) skipped.push({ range, addresses: removed });
    left = rest;
  }
  if (skipped.length === 0 && userRanges.length === 0) return { plan, skipped };
  const excludes = normalise([...plan.excludes, ...userRanges.map((r) => r.interval)]);
  const cut = normalise([...skipped.map((s) => s.range.interval), ...userRanges.map((r) => r.interval)]);
  const intervals = subtract(plan.intervals, cut);
  const next: TargetPlan = { ...plan, intervals, excludes, addressCount: countOf(intervals), endpoints: [] };
  for (const e of plan.endpoints) {
    const ip = e.family === null ? null : parseIp(e.host);
    if (!ip || !isExcluded(next, ip.family, ip.value)) next.endpoints.push(e);
  }
  return { plan: next, skipped };
}

/** One line for stderr on the reserved ranges a scan left out, or null when it left none. */
export function skippedRangesLine(skipped: readonly SkippedRange[]): string | null {
  if (skipped.length === 0) return null;
  const total = skipped.reduce((n, s) => n + s.addresses, 0n);
  const names = skipped.map((s) => `${s.range.cidr} ${s.range.reason}`);
  const shown = names.length > 4 ? [...names.slice(0, 4), `${names.length - 4} more`] : names;
  return `skipped ${total} address${total === 1n ? "" : "es"} in reserved ranges (${shown.join(", ")}); name a range to scan it`;
}
