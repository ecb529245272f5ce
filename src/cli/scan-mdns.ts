// `scan --mdns`: browse multicast DNS the way `discover --mdns` does, and turn the gateway
// beacons heard into `address:port` targets of the scan, within the scope rule of
// src/discovery/mdns-scope.ts (the explicit targets, else the browsed interfaces' networks).
// Every beacon address left out is said on stderr, one line each.
import { browseMdns, interfaceAddressOf } from "../discovery/mdns-browse.ts";
import { linkScope, type MdnsEndpoint, mdnsEndpoints, refusalLine } from "../discovery/mdns-scope.ts";
import { assembleServices } from "../discovery/mdns-services.ts";
import { type Interval, parseIp } from "../targets/ip.ts";
import type { HostPort, TargetPlan } from "../targets/spec.ts";
import { escapeOneLine } from "../util/text.ts";

export interface MdnsScanFlags {
  mdns?: boolean;
  mdnsTimeout: number;
  interface?: string;
}

/** The scope a beacon's address must lie in: the explicit targets' addresses (names are not). */
export function explicitScope(plan: TargetPlan): Interval[] {
  const out = [...plan.intervals];
  for (const e of plan.endpoints) {
    const ip = e.family === null ? null : parseIp(e.host);
    if (ip) out.push({ family: ip.family, start: ip.value, end: ip.value });
  }
  return out;
}

/**
 * Browses, applies the scope and returns the beacons' endpoints not already in the sweep (an
 * address of `plan`'s intervals on one of `ports`). `plan` is the scan's plan of its explicit
 * targets, excludes and blocklists applied (empty when there are no targets).
 */
export async function mdnsTargets(
  flags: MdnsScanFlags,
  plan: TargetPlan,
  ports: readonly number[],
  hasExplicitTargets: boolean,
  log: (line: string) => void,
): Promise<HostPort[]> {
  const interfaceAddress = flags.interface === undefined ? undefined : interfaceAddressOf(flags.interface);
  const result = await browseMdns({
    timeoutMs: flags.mdnsTimeout,
    ...(interfaceAddress ? { interfaceAddress } : {}),
  });
  const services = assembleServices(result.records);
  const scope = hasExplicitTargets
    ? { allowed: explicitScope(plan), described: "the scan's targets" }
    : {
        allowed: linkScope(flags.interface),
        described: `the networks of ${flags.interface === undefined ? "this host's interfaces" : `interface ${flags.interface}`}`,
      };
  const { endpoints, refused } = mdnsEndpoints(services, { ...scope, excluded: plan.excludes });
  for (const r of refused) log(escapeOneLine(refusalLine(r)));
  const swept = (e: MdnsEndpoint) =>
    ports.includes(e.port) &&
    plan.intervals.some((i) => {
      const ip = parseIp(e.ip)!;
      return i.family === ip.family && i.start <= ip.value && ip.value <= i.end;
    });
  const added = endpoints.filter((e) => !swept(e));
  log(
    `mdns: ${services.length} gateway beacons heard in ${(flags.mdnsTimeout / 1000).toFixed(1)} s; ${endpoints.length} endpoints in scope (${endpoints.length - added.length} already in the sweep)${refused.length ? `, ${refused.length} not scanned` : ""}`,
  );
  return added.map((e) => ({ host: e.ip, port: e.port, family: e.family }));
}
