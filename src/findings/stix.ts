// A STIX 2.1 bundle for exposed gateways: per finding, an indicator SDO whose pattern matches
// traffic to the endpoint, plus the ipv4-addr / ipv6-addr and network-traffic SCOs it names;
// per advisory a finding names (CVE / GHSA), a vulnerability SDO and a `related-to`
// relationship from the indicator. SCO ids are deterministic (UUIDv5 over their
// id-contributing properties, as STIX 2.1 §2.9 requires); SDO ids are UUIDv5 of the finding's
// stable identity (or the advisory id), so re-exports are stable. Findings about something
// other than a network address (host config, skills) have no STIX indicator and are left out.
import { createHash, randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { advisoryGroups, type ExportItem, splitAsset } from "./export-item.ts";

/** The STIX 2.1 namespace for deterministic SCO ids. */
const SCO_NAMESPACE = "00abedb4-aa42-466c-9c01-fed23315a9b7";
/** Our own namespace for SDO ids derived from finding identities (a fixed random UUID). */
const CLAWPATROL_NAMESPACE = "6f3c1d9e-4b2a-4e57-9a40-2b8e5d7c1f03";

export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const h = createHash("sha1").update(ns).update(name, "utf8").digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
export const stixTime = (iso: string) => new Date(Date.parse(iso)).toISOString();

export type StixObject = Record<string, unknown>;

/** JSON with keys sorted at every level: the canonical form (RFC 8785 for our plain values) SCO ids hash. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** A deterministic SCO id: UUIDv5 in the STIX namespace over its id-contributing properties (STIX 2.1 §2.9). */
export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonical(contributing), SCO_NAMESPACE)}`;
}

/** A deterministic SDO / SRO id: UUIDv5 in our namespace over a stable key. */
export function sdoId(type: string, key: string): string {
  return `${type}--${uuidv5(key, CLAWPATROL_NAMESPACE)}`;
}

/** When our identity object was first published: fixed, so every export names the same version. */
export const IDENTITY_TIME = "2026-01-01T00:00:00.000Z";

/** The identity SDO every object of ours names as its creator. */
export function identityObject(tool: { name: string }): StixObject {
  return {
    type: "identity",
    spec_version: "2.1",
    id: sdoId("identity", tool.name),
    created: IDENTITY_TIME,
    modified: IDENTITY_TIME,
    name: tool.name,
    identity_class: "system",
  };
}

/** The vulnerability SDO of one advisory (its ids, CVE first), created when first seen. */
export function vulnerabilityObject(ids: readonly string[], identityId: string, created: string): StixObject {
  return {
    type: "vulnerability",
    spec_version: "2.1",
    id: sdoId("vulnerability", ids[0]!),
    created_by_ref: identityId,
    created,
    modified: created,
    name: ids[0]!,
    external_references: ids.map((id) =>
      id.startsWith("CVE-")
        ? { source_name: "cve", external_id: id }
        : { source_name: "github", external_id: id, url: `https://github.com/advisories/${id}` },
    ),
  };
}

/** The id of the indicator SDO a stored finding becomes. */
export const indicatorIdOf = (item: ExportItem) => sdoId("indicator", item.id);

export function toStixBundle(
  items: readonly ExportItem[],
  tool: { name: string; version: string },
): Record<string, unknown> {
  const identity = identityObject(tool);
  return {
    type: "bundle",
    id: `bundle--${randomUUID()}`,
    objects: [identity, ...findingObjects(items, tool, identity.id as string)],
  };
}

/**
 * The objects of the findings about a network address: per finding an indicator with the
 * address and traffic SCOs it names, per advisory a vulnerability and a `related-to` relationship.
 */
export function findingObjects(
  items: readonly ExportItem[],
  tool: { name: string },
  identityId: string,
): StixObject[] {
  const objects: StixObject[] = [];
  const seen = new Set<string>();
  const add = (o: StixObject) => {
    if (!seen.has(o.id as string)) {
      seen.add(o.id as string);
      objects.push(o);
    }
  };
  // A vulnerability is created when the bundle's earliest finding naming it was first seen.
  const vulnFirst = new Map<string, string>();
  for (const item of items)
    for (const ids of advisoryGroups(item.finding)) {
      const prev = vulnFirst.get(ids[0]!);
      if (!prev || Date.parse(item.firstSeen) < Date.parse(prev)) vulnFirst.set(ids[0]!, item.firstSeen);
    }
  for (const item of items) {
    const where = splitAsset(item.finding.asset);
    if (!where) continue;
    const family = isIP(where.host);
    if (family === 0) continue;
    const addrType = family === 4 ? "ipv4-addr" : "ipv6-addr";
    const addrId = scoId(addrType, { value: where.host });
    add({ type: addrType, spec_version: "2.1", id: addrId, value: where.host });
    const trafficId = scoId("network-traffic", { dst_ref: addrId, dst_port: where.port, protocols: ["tcp"] });
    add({
      type: "network-traffic",
      spec_version: "2.1",
      id: trafficId,
      dst_ref: addrId,
      dst_port: where.port,
      protocols: ["tcp"],
    });
    const f = item.finding;
    const indicatorId = indicatorIdOf(item);
    add({
      type: "indicator",
      spec_version: "2.1",
      id: indicatorId,
      created_by_ref: identityId,
      created: stixTime(item.firstSeen),
      modified: stixTime(item.lastSeen),
      name: `${f.ruleId}: ${f.title} (${f.asset})`,
      description: f.evidence.map((e) => e.detail).join("; "),
      indicator_types: ["anomalous-activity"],
      pattern: `[network-traffic:dst_ref.type = '${addrType}' AND network-traffic:dst_ref.value = ${quote(where.host)} AND network-traffic:dst_port = ${where.port}]`,
      pattern_type: "stix",
      pattern_version: "2.1",
      valid_from: stixTime(item.firstSeen),
      labels: [f.ruleId, f.severity],
      external_references: [
        { source_name: tool.name, external_id: f.ruleId },
        ...f.references.map((url) => ({ source_name: "reference", url })),
      ],
    });
    for (const ids of advisoryGroups(f)) {
      const primary = ids[0]!;
      const vuln = vulnerabilityObject(ids, identityId, stixTime(vulnFirst.get(primary) ?? item.firstSeen));
      const vulnId = vuln.id as string;
      add(vuln);
      add({
        type: "relationship",
        spec_version: "2.1",
        id: sdoId("relationship", `${indicatorId} related-to ${vulnId}`),
        created_by_ref: identityId,
        created: stixTime(item.firstSeen),
        modified: stixTime(item.lastSeen),
        relationship_type: "related-to",
        source_ref: indicatorId,
        target_ref: vulnId,
      });
    }
  }
  return objects;
}
