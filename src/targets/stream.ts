// Streams the endpoints of a TargetPlan: URLs and hostnames first (few, named on purpose),
// then every address × port of the intervals in a keyed pseudo-random order, so that no
// single network sees a burst. Nothing is materialised: a /8 costs constant memory.
import { type Family, formatIp, formatIpv4, intervalSize, parseIp } from "./ip.ts";
import { Permutation } from "./permutation.ts";
import { defaultResolver, failureText, type Resolver } from "./resolve.ts";
import { isExcluded, type TargetPlan } from "./spec.ts";

export interface Endpoint {
  /** What to show and report: the name the user gave, or the address. */
  host: string;
  /** The address to connect to. */
  ip: string;
  family: Family;
  port: number;
  /** true/false when the target said so (https:// / http:// URL); null to decide by probing. */
  tls: boolean | null;
  /** Path prefix of a gateway behind a reverse proxy or on a basePath ("" for none). */
  basePath: string;
  /** Value for the HTTP Host header. */
  hostHeader: string;
  /** Server name for TLS SNI, when the target is a name. */
  servername: string | null;
}

/** A name that could not be turned into an address is reported, not dropped. */
export interface Unresolved {
  host: string;
  port: number;
  error: string;
}

export type TargetItem = { endpoint: Endpoint } | { unresolved: Unresolved };

export type { Resolver } from "./resolve.ts";

function hostHeaderFor(host: string, family: Family, port: number, isName: boolean): string {
  const h = !isName && family === 6 ? `[${host}]` : host;
  return `${h}:${port}`;
}

function bigintFromSeed(seed: number | bigint): bigint {
  return BigInt.asUintN(64, BigInt(seed));
}

export function plannedEndpointCount(plan: TargetPlan, ports: number[]): bigint {
  return (
    (plan.addressCount + BigInt(plan.hostnames.length)) * BigInt(ports.length) +
    BigInt(plan.endpoints.length) +
    BigInt(plan.urls.length)
  );
}

/**
 * Positions of the address walk shared between threads: each call claims the next one (an
 * atomic counter in shared memory), so two walkers of one plan and seed split it between
 * them, every endpoint exactly once.
 */
export function sharedWalk(state: SharedArrayBuffer): () => number {
  const counter = new BigInt64Array(state);
  return () => Number(Atomics.add(counter, 0, 1n));
}

/** Whether a plan's address walk can be shared (sharedWalk): IPv4, up to 2^52 endpoints. */
export function canShareWalk(plan: TargetPlan, ports: number[]): boolean {
  if (!plan.intervals.every((i) => i.family === 4)) return false;
  return plan.addressCount * BigInt(Math.max(1, ports.length)) <= 2n ** 52n;
}

export interface StreamOptions {
  seed: number | bigint;
  resolve?: Resolver;
  /** Walk only the positions this claims (see sharedWalk); the plan must canShareWalk. */
  claim?: () => number;
  /** Include the plan's URLs and hostnames (default true; one of several walkers takes them). */
  names?: boolean;
}

export async function* streamEndpoints(
  plan: TargetPlan,
  ports: number[],
  options: StreamOptions,
): AsyncGenerator<TargetItem> {
  const resolver = options.resolve ?? defaultResolver;
  const names = options.names ?? true;
  // Names resolved before the scan (resolveNames) are not looked up again.
  const resolve = async (name: string) => {
    const known = plan.resolved?.get(name);
    if (known === undefined) return resolver(name);
    if ("error" in known) throw new ResolveFailure(known.error);
    return known.addresses;
  };

  for (const u of names ? plan.urls : []) {
    const port = u.port ?? (u.tls ? 443 : 80);
    const literal = parseIp(u.hostname);
    let ip: string;
    let family: Family;
    if (literal) {
      ip = u.hostname;
      family = literal.family;
    } else {
      try {
        const first = (await resolve(u.hostname))[0];
        if (!first) throw new Error("no address");
        ip = first.address;
        family = first.family === 6 ? 6 : 4;
      } catch (err) {
        yield { unresolved: { host: u.hostname, port, error: failureOf(err) } };
        continue;
      }
    }
    const parsed = parseIp(ip);
    if (parsed && isExcluded(plan, parsed.family, parsed.value)) continue;
    yield {
      endpoint: {
        host: u.hostname,
        ip,
        family,
        port,
        tls: u.tls,
        basePath: u.basePath,
        hostHeader: u.port
          ? hostHeaderFor(u.hostname, family, port, !literal)
          : literal && family === 6
            ? `[${u.hostname}]`
            : u.hostname,
        servername: literal ? null : u.hostname,
      },
    };
  }

  for (const name of names ? plan.hostnames : []) {
    let addrs: { address: string; family: number }[];
    try {
      addrs = await resolve(name);
    } catch (err) {
      for (const port of ports) yield { unresolved: { host: name, port, error: failureOf(err) } };
      continue;
    }
    const seen = new Set<string>();
    for (const a of addrs) {
      if (seen.has(a.address)) continue;
      seen.add(a.address);
      const family: Family = a.family === 6 ? 6 : 4;
      const parsed = parseIp(a.address);
      if (parsed && isExcluded(plan, parsed.family, parsed.value)) continue;
      for (const port of ports) {
        yield {
          endpoint: {
            host: name,
            ip: a.address,
            family,
            port,
            tls: null,
            basePath: "",
            hostHeader: hostHeaderFor(name, family, port, true),
            servername: name,
          },
        };
      }
    }
  }

  for (const e of names ? plan.endpoints : []) {
    let addrs: { address: string; family: number }[];
    if (e.family !== null) addrs = [{ address: e.host, family: e.family }];
    else {
      try {
        addrs = await resolve(e.host);
      } catch (err) {
        yield { unresolved: { host: e.host, port: e.port, error: failureOf(err) } };
        continue;
      }
    }
    const seen = new Set<string>();
    for (const a of addrs) {
      const parsed = parseIp(a.address);
      if (seen.has(a.address) || !parsed || isExcluded(plan, parsed.family, parsed.value)) continue;
      seen.add(a.address);
      // An address the interval walk reaches on this port anyway is not scanned twice.
      if (e.family !== null && ports.includes(e.port) && inIntervals(plan, parsed.family, parsed.value))
        continue;
      const isName = e.family === null;
      yield {
        endpoint: {
          host: e.host,
          ip: a.address,
          family: parsed.family,
          port: e.port,
          tls: null,
          basePath: "",
          hostHeader: hostHeaderFor(e.host, parsed.family, e.port, isName),
          servername: isName ? e.host : null,
        },
      };
    }
  }

  if (plan.intervals.length === 0 || ports.length === 0) return;
  // Prefix sums let us turn a flat address index into (interval, offset) by binary search.
  const starts: bigint[] = [];
  let total = 0n;
  for (const i of plan.intervals) {
    starts.push(total);
    total += intervalSize(i);
  }
  const portCount = BigInt(ports.length);
  const perm = new Permutation(total * portCount, bigintFromSeed(options.seed));
  if (perm.small && plan.intervals.every((i) => i.family === 4)) {
    // The common case (IPv4, up to 2^52 endpoints): the same walk in plain numbers.
    yield* walkIpv4(plan, ports, perm, options.claim);
    return;
  }
  if (options.claim) throw new Error("streamEndpoints: this plan's walk cannot be shared");
  for (let n = 0n; n < perm.size; n++) {
    const flat = perm.at(n);
    const addrIndex = flat / portCount;
    const port = ports[Number(flat % portCount)]!;
    const lo = intervalAt(starts, addrIndex);
    const interval = plan.intervals[lo]!;
    const value = interval.start + (addrIndex - starts[lo]!);
    yield addressItem(formatIp(interval.family, value), interval.family, port);
  }
}

/** A failure already worded by resolveNames, passed on as it is. */
class ResolveFailure extends Error {}

function failureOf(err: unknown): string {
  return err instanceof ResolveFailure ? err.message : failureText(err);
}

function inIntervals(plan: TargetPlan, family: Family, value: bigint): boolean {
  return plan.intervals.some((i) => i.family === family && i.start <= value && value <= i.end);
}

/** Which interval a flat address index falls in: the last whose start is at or below it. */
function intervalAt<T extends number | bigint>(starts: T[], index: T): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function addressItem(ip: string, family: Family, port: number): TargetItem {
  return {
    endpoint: {
      host: ip,
      ip,
      family,
      port,
      tls: null,
      basePath: "",
      hostHeader: hostHeaderFor(ip, family, port, false),
      servername: null,
    },
  };
}

/** Every IPv4 address × port of the plan, in the permutation's order, without BigInt. */
function* walkIpv4(
  plan: TargetPlan,
  ports: number[],
  perm: Permutation,
  claim?: () => number,
): Generator<TargetItem> {
  const starts: number[] = [];
  const bases: number[] = [];
  let total = 0;
  for (const i of plan.intervals) {
    starts.push(total);
    bases.push(Number(i.start));
    total += Number(intervalSize(i));
  }
  const portCount = ports.length;
  const size = total * portCount;
  let position = 0;
  const next = claim ?? (() => position++);
  for (let n = next(); n < size; n = next()) {
    const flat = perm.atNumber(n);
    const addrIndex = Math.floor(flat / portCount);
    const port = ports[flat % portCount]!;
    const lo = intervalAt(starts, addrIndex);
    yield addressItem(formatIpv4(bases[lo]! + (addrIndex - starts[lo]!)), 4, port);
  }
}
