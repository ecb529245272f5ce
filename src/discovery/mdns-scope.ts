// Which of the endpoints that mDNS beacons name `scan --mdns` may probe. Anyone on the link can
// answer a multicast query with any address, so a beacon is a claim, not a target the user
// named. The rule: a beacon's address is scanned only inside the scope. The scope is the
// explicit targets when the scan names any (addresses, CIDRs, ranges, host:port), else the
// networks of the interfaces the browse listened on (--interface, or every non-internal
// interface): a gateway on the link has an address on the link. Excluded and blocklisted
// addresses stay out. Every beacon address left out is returned with the reason, to be listed,
// never dropped silently. Pure, apart from reading the interface list in linkScope.
import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";
import { cidrInterval, type Family, type Interval, parseIp } from "../targets/ip.ts";
import type { MdnsService } from "./mdns-services.ts";

export interface MdnsEndpoint {
  ip: string;
  family: Family;
  port: number;
  /** The beacon's instance label and service type (for the listing). */
  instance: string;
  type: string;
}

export interface MdnsRefusal {
  address: string;
  port: number | null;
  instance: string;
  reason: string;
}

export interface MdnsScope {
  /** Addresses a beacon may name. */
  allowed: Interval[];
  /** What the scope is, for the refusal reasons ("the targets", "the networks of cpveth1"). */
  described: string;
  /** Excludes and blocklists: never scanned even inside the scope. */
  excluded: Interval[];
}

const inside = (list: Interval[], family: Family, value: bigint) =>
  list.some((i) => i.family === family && i.start <= value && value <= i.end);

/** The endpoints the beacons name that are in scope, and every one that is not, with why. */
export function mdnsEndpoints(
  services: MdnsService[],
  scope: MdnsScope,
): { endpoints: MdnsEndpoint[]; refused: MdnsRefusal[] } {
  const endpoints: MdnsEndpoint[] = [];
  const refused: MdnsRefusal[] = [];
  const seen = new Set<string>();
  for (const s of services) {
    if (s.port === null) {
      refused.push({
        address: s.addresses[0] ?? s.host ?? "?",
        port: null,
        instance: s.instance,
        reason: "no usable port (SRV missing or out of range)",
      });
      continue;
    }
    if (s.addresses.length === 0) {
      refused.push({ address: s.host ?? "?", port: s.port, instance: s.instance, reason: "no address" });
      continue;
    }
    for (const address of s.addresses) {
      const ip = parseIp(address);
      const key = `${address}|${s.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const refuse = (reason: string) =>
        refused.push({ address, port: s.port, instance: s.instance, reason });
      if (!ip) refuse("not an IP address");
      // fe80::/10 needs a zone (the interface) that the answer does not carry.
      else if (ip.family === 6 && ip.value >> 118n === 0x3fan) refuse("IPv6 link-local (no zone)");
      else if (!inside(scope.allowed, ip.family, ip.value)) refuse(`outside ${scope.described}`);
      else if (inside(scope.excluded, ip.family, ip.value)) refuse("excluded");
      else
        endpoints.push({ ip: address, family: ip.family, port: s.port, instance: s.instance, type: s.type });
    }
  }
  return { endpoints, refused };
}

/**
 * The networks of the interfaces a browse listened on: the one --interface named (by name or
 * by one of its addresses), else every non-internal one. `interfaces` is for tests.
 */
export function linkScope(
  interfaceName: string | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): Interval[] {
  const out: Interval[] = [];
  for (const [name, addrs] of Object.entries(interfaces)) {
    for (const a of addrs ?? []) {
      const chosen =
        interfaceName === undefined
          ? !a.internal
          : name === interfaceName || (addrs ?? []).some((b) => b.address === interfaceName);
      if (!chosen) continue;
      const ip = parseIp(a.address);
      const prefix = a.cidr ? Number(a.cidr.slice(a.cidr.lastIndexOf("/") + 1)) : Number.NaN;
      if (!ip || !Number.isInteger(prefix)) continue;
      if (ip.family === 6 && ip.value >> 118n === 0x3fan) continue;
      out.push(cidrInterval(ip.family, ip.value, prefix));
    }
  }
  return out;
}

/** One line per refused beacon address, for stderr. */
export function refusalLine(r: MdnsRefusal): string {
  return `mdns: not scanning ${r.address}${r.port === null ? "" : ` port ${r.port}`} (beacon "${r.instance}"): ${r.reason}`;
}
