// Where an address is routed, offline: AS number and organisation from @ip-location-db/asn
// (RouteViews, the RIRs and DB-IP's IP to ASN Lite, CC BY 4.0) and country from
// @ip-location-db/geo-whois-asn-country (CC0). Updating the data is updating those packages.
// They are optional: without them every public address is unknown (null), and addresses in the
// IANA special-purpose ranges are still labelled (private use, loopback, documentation, ...).
import { createRequire } from "node:module";
import type { Observation } from "../scan/record.ts";
import { DEFAULT_BLOCKLIST } from "../targets/blocklist.ts";
import { parseIp } from "../targets/ip.ts";
import { lookupRange, type RangeTable, readRangeTable } from "./csv-ranges.ts";

export interface Place {
  asn: number | null;
  asOrg: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  /** The IANA special-purpose range the address lies in ("private use (RFC 1918)"), null when public. */
  special: string | null;
}

const UNKNOWN: Place = { asn: null, asOrg: null, country: null, special: null };

/** The special-purpose range an address lies in, or null. */
export function specialRange(ip: string): string | null {
  const p = parseIp(ip);
  if (!p) return null;
  for (const r of DEFAULT_BLOCKLIST)
    if (r.interval.family === p.family && r.interval.start <= p.value && p.value <= r.interval.end)
      return r.reason;
  return null;
}

const FILES = {
  asn4: "@ip-location-db/asn/asn-ipv4-num.csv",
  asn6: "@ip-location-db/asn/asn-ipv6-num.csv",
  country4: "@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv4-num.csv",
  country6: "@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv6-num.csv",
} as const;

export class PlaceDb {
  private tables = new Map<keyof typeof FILES, RangeTable | null>();
  /** `resolve` finds a package file (tests pass one that finds nothing: the packages absent). */
  private readonly resolve: (id: string) => string;

  constructor(resolve: (id: string) => string = createRequire(import.meta.url).resolve) {
    this.resolve = resolve;
  }

  /** Whether the ASN and country packages are installed. */
  get available(): boolean {
    return this.path("asn4") !== null && this.path("country4") !== null;
  }

  private path(name: keyof typeof FILES): string | null {
    try {
      return this.resolve(FILES[name]);
    } catch {
      return null;
    }
  }

  /** A table, read on first use (the IPv6 ones only when an IPv6 address is looked up). */
  private table(name: keyof typeof FILES, family: 4 | 6): RangeTable | null {
    if (!this.tables.has(name)) {
      const p = this.path(name);
      this.tables.set(name, p ? readRangeTable(p, family) : null);
    }
    return this.tables.get(name) ?? null;
  }

  lookup(ip: string): Place {
    const p = parseIp(ip);
    if (!p) return UNKNOWN;
    const special = specialRange(ip);
    if (special) return { ...UNKNOWN, special };
    const v4 = p.family === 4;
    const key = v4 ? Number(p.value) : p.value;
    const find = (name: keyof typeof FILES) => {
      const t = this.table(name, p.family);
      return t ? lookupRange(t, key) : null;
    };
    const as = find(v4 ? "asn4" : "asn6");
    const country = find(v4 ? "country4" : "country6");
    const asn = as ? Number(as[0]) : Number.NaN;
    const cc = country?.[0]?.toUpperCase() ?? "";
    return {
      asn: Number.isInteger(asn) && asn > 0 ? asn : null,
      asOrg: as?.[1] ? as[1] : null,
      country: /^[A-Z]{2}$/.test(cc) && cc !== "ZZ" ? cc : null,
      special: null,
    };
  }

  /** The record with asn, asOrg and country set (null where unknown). */
  enrich(o: Observation): Observation {
    if (o.ip === "") return { ...o, asn: null, asOrg: null, country: null, specialUse: null };
    const p = this.lookup(o.ip);
    return { ...o, asn: p.asn, asOrg: p.asOrg, country: p.country, specialUse: p.special };
  }
}

let shared: PlaceDb | null = null;

/** One database per process: the tables are read once, on first lookup. */
export function placeDb(): PlaceDb {
  shared ??= new PlaceDb();
  return shared;
}
