// The exposure picture as STIX 2.1: what `serve` publishes as a TAXII 2.1 collection and what
// `export --format stix` writes as a bundle (the same objects). Per gateway asset:
//   - an `infrastructure` SDO (the exposed gateway: product, version, auth state, first/last seen),
//   - the SCOs it consists of: its `ipv4-addr` / `ipv6-addr` (belonging to an `autonomous-system`
//     when the address's AS is known), the `network-traffic` to its port, the `software` it runs,
//   - a `location` SDO for its country (`located-at`),
//   - a `vulnerability` SDO per advisory that applies (`has`), with its CVE / GHSA references;
// plus the findings about network addresses (src/findings/stix.ts: an `indicator` per finding,
// which `indicates` the gateway's infrastructure). Every id is deterministic (UUIDv5 of a stable
// key, SCOs per STIX 2.1 §2.9), so polls and re-exports name the same objects; `created` and
// `modified` come from the store's first/last seen times. Each object carries the time it was
// added to the collection (`dateAdded`): its `modified` (the latest one of the gateways that name
// an SCO), so a TAXII client polling with added_after sees what changed since.
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { AdvisorySummary } from "../scan/record.ts";
import { type ExportItem, splitAsset } from "./export-item.ts";
import {
  findingObjects,
  IDENTITY_TIME,
  identityObject,
  indicatorIdOf,
  type StixObject,
  scoId,
  sdoId,
  stixTime,
  vulnerabilityObject,
} from "./stix.ts";

/** A gateway asset with what its latest record says (src/store/gateways.ts reads them). */
export interface ExposedGateway {
  ip: string;
  port: number;
  product: string;
  version: string | null;
  auth: string;
  severity: string | null;
  /** open: seen by the latest run that covered it; closed: gone since `closedAt`. */
  state: "open" | "closed";
  firstSeen: string;
  lastSeen: string;
  closedAt: string | null;
  advisories: AdvisorySummary[];
  asn: number | null;
  asOrg: string | null;
  country: string | null;
  /** false: known only from a third-party export (import), never probed by clawpatrol. */
  verified: boolean;
}

/** A STIX object and when it was added to the collection (TAXII `date_added`). */
export interface StixEntry {
  object: StixObject;
  dateAdded: string;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

// Gateways on one release share their advisory list (the store restores each list once), so
// each advisory's ids are worked out once.
const idsOf = new WeakMap<AdvisorySummary, string[]>();

/** An advisory's ids, CVE aliases first (the first names the vulnerability, as in stix.ts). */
function advisoryIds(a: AdvisorySummary): string[] {
  let ids = idsOf.get(a);
  if (!ids) {
    const all = [...new Set([a.id, ...a.aliases])].filter((id) => CVE.test(id) || id.startsWith("GHSA-"));
    ids = [...all.filter((id) => CVE.test(id)).sort(), ...all.filter((id) => !CVE.test(id)).sort()];
    idsOf.set(a, ids);
  }
  return ids;
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);
const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

const assetKey = (ip: string, port: number) => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

/** The collection's objects, ordered by date added, then id (the TAXII paging order). */
export function exposureEntries(
  input: { gateways: readonly ExposedGateway[]; findings: readonly ExportItem[] },
  tool: { name: string },
): StixEntry[] {
  const identity = identityObject(tool);
  const identityId = identity.id as string;
  const entries = new Map<string, StixEntry>();
  // The same object named twice (an address behind two ports) is one entry, added when last
  // changed. Every time here is toISOString's form (stixTime), so text order is time order.
  const put = (object: StixObject, dateAdded: string) => {
    const id = object.id as string;
    const prev = entries.get(id);
    if (!prev || dateAdded > prev.dateAdded) entries.set(id, { object, dateAdded });
  };
  put(identity, IDENTITY_TIME);
  const relationship = (source: string, type: string, target: string, created: string, modified: string) =>
    put(
      {
        type: "relationship",
        spec_version: "2.1",
        id: sdoId("relationship", `${source} ${type} ${target}`),
        created_by_ref: identityId,
        created,
        modified,
        relationship_type: type,
        source_ref: source,
        target_ref: target,
      },
      modified,
    );

  // Vulnerabilities and countries are created when first seen on any gateway.
  const vulnFirst = new Map<string, { ids: string[]; first: string; object?: StixObject }>();
  const countryFirst = new Map<string, string>();
  for (const g of input.gateways) {
    for (const a of g.advisories) {
      const ids = advisoryIds(a);
      if (ids.length === 0) continue;
      const prev = vulnFirst.get(ids[0]!);
      vulnFirst.set(ids[0]!, { ids, first: prev ? earlier(prev.first, g.firstSeen) : g.firstSeen });
    }
    if (g.country)
      countryFirst.set(g.country, earlier(countryFirst.get(g.country) ?? g.firstSeen, g.firstSeen));
  }

  const infraOf = new Map<string, string>();
  for (const g of input.gateways) {
    const family = isIP(g.ip);
    if (family === 0) continue;
    const created = stixTime(g.firstSeen);
    // A closed gateway's last change is its closing; never before it was created.
    const modified = stixTime(later(g.closedAt ?? g.lastSeen, g.firstSeen));
    const key = assetKey(g.ip, g.port);
    const infraId = sdoId("infrastructure", `gateway ${key}`);
    infraOf.set(key, infraId);
    const named = [g.product, g.version].filter(Boolean).join(" ");
    const auth =
      g.auth === "not-required"
        ? "without authentication"
        : g.auth === "required"
          ? "with authentication required"
          : "auth state unknown";
    put(
      {
        type: "infrastructure",
        spec_version: "2.1",
        id: infraId,
        created_by_ref: identityId,
        created,
        modified,
        name: `${named} at ${key}`,
        description: `${named} gateway reachable at ${key}, ${auth}; ${g.advisories.length} advisories apply; ${g.state === "open" ? "open when last scanned" : `gone since ${modified}`}${g.verified ? "" : " (known from an imported scan export only, not probed)"}.`,
        infrastructure_types: ["unknown"],
        first_seen: created,
        last_seen: stixTime(g.lastSeen),
        x_clawpatrol_state: g.state,
        x_clawpatrol_auth: g.auth,
        x_clawpatrol_verified: g.verified,
        ...(g.severity ? { x_clawpatrol_severity: g.severity } : {}),
      },
      modified,
    );

    const addrType = family === 4 ? "ipv4-addr" : "ipv6-addr";
    const addrId = scoId(addrType, { value: g.ip });
    let asId: string | null = null;
    if (g.asn !== null) {
      asId = scoId("autonomous-system", { number: g.asn });
      put(
        {
          type: "autonomous-system",
          spec_version: "2.1",
          id: asId,
          number: g.asn,
          ...(g.asOrg ? { name: g.asOrg } : {}),
        },
        modified,
      );
    }
    put(
      {
        type: addrType,
        spec_version: "2.1",
        id: addrId,
        value: g.ip,
        ...(asId ? { belongs_to_refs: [asId] } : {}),
      },
      modified,
    );
    const trafficId = scoId("network-traffic", { dst_ref: addrId, dst_port: g.port, protocols: ["tcp"] });
    put(
      {
        type: "network-traffic",
        spec_version: "2.1",
        id: trafficId,
        dst_ref: addrId,
        dst_port: g.port,
        protocols: ["tcp"],
      },
      modified,
    );
    const software = { name: g.product, ...(g.version ? { version: g.version } : {}) };
    const softwareId = scoId("software", software);
    put({ type: "software", spec_version: "2.1", id: softwareId, ...software }, modified);
    for (const part of [addrId, trafficId, softwareId])
      relationship(infraId, "consists-of", part, created, modified);

    if (g.country) {
      const first = stixTime(countryFirst.get(g.country)!);
      const locationId = sdoId("location", `country ${g.country}`);
      put(
        {
          type: "location",
          spec_version: "2.1",
          id: locationId,
          created_by_ref: identityId,
          created: first,
          modified: first,
          name: g.country,
          country: g.country,
        },
        first,
      );
      relationship(infraId, "located-at", locationId, created, modified);
    }
    for (const a of g.advisories) {
      const ids = advisoryIds(a);
      if (ids.length === 0) continue;
      const v = vulnFirst.get(ids[0]!)!;
      if (!v.object) {
        v.object = vulnerabilityObject(v.ids, identityId, stixTime(v.first));
        put(v.object, v.object.created as string);
      }
      relationship(infraId, "has", v.object.id as string, created, modified);
    }
  }

  // The findings' indicators (and their SCOs, vulnerabilities, related-to), each indicating its gateway.
  const byIndicator = new Map(input.findings.map((item) => [indicatorIdOf(item), item]));
  for (const o of findingObjects(input.findings, tool, identityId)) {
    const item = o.type === "indicator" ? byIndicator.get(o.id as string) : undefined;
    const dateAdded = typeof o.modified === "string" ? o.modified : IDENTITY_TIME;
    // The gateway's own objects (SCOs, vulnerabilities) are already in with their store times.
    if (!entries.has(o.id as string)) put(o, dateAdded);
    if (!item) continue;
    const where = splitAsset(item.finding.asset);
    const infraId = where ? infraOf.get(assetKey(where.host, where.port)) : undefined;
    if (infraId)
      relationship(o.id as string, "indicates", infraId, o.created as string, o.modified as string);
  }

  // Sort keys computed once: the date is parsed per entry, not per comparison.
  const keyed = [...entries.values()].map((e) => ({
    e,
    t: Date.parse(e.dateAdded),
    id: e.object.id as string,
  }));
  keyed.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.e);
}

/** The picture of the gateways placed in `country` and/or AS `asn` only, with their findings (export --country/--asn). */
export function placedPicture<
  T extends { gateways: readonly ExposedGateway[]; findings: readonly ExportItem[] },
>(
  input: T,
  place: { country?: string; asn?: string },
): { gateways: ExposedGateway[]; findings: ExportItem[] } {
  const gateways = input.gateways.filter(
    (g) =>
      (place.country === undefined || g.country === place.country) &&
      (place.asn === undefined || String(g.asn) === place.asn),
  );
  const kept = new Set(gateways.map((g) => assetKey(g.ip, g.port)));
  const findings = input.findings.filter((item) => {
    const where = splitAsset(item.finding.asset);
    return where !== null && kept.has(assetKey(where.host, where.port));
  });
  return { gateways, findings };
}

/** The picture as one STIX 2.1 bundle (`export --format stix`). */
export function exposureBundle(entries: readonly StixEntry[]): Record<string, unknown> {
  return { type: "bundle", id: `bundle--${randomUUID()}`, objects: entries.map((e) => e.object) };
}
