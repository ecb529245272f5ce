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
const stixTime = (iso: string) => new Date(Date.parse(iso)).toISOString();

export function toStixBundle(
  items: readonly ExportItem[],
  tool: { name: string; version: string },
): Record<string, unknown> {
  const objects: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const add = (o: Record<string, unknown>) => {
    if (!seen.has(o.id as string)) {
      seen.add(o.id as string);
      objects.push(o);
    }
  };
  const identityId = `identity--${uuidv5(`${tool.name}`, CLAWPATROL_NAMESPACE)}`;
  add({
    type: "identity",
    spec_version: "2.1",
    id: identityId,
    created: "2026-01-01T00:00:00.000Z",
    modified: "2026-01-01T00:00:00.000Z",
    name: tool.name,
    identity_class: "system",
  });
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
    const addrId = `${addrType}--${uuidv5(JSON.stringify({ value: where.host }), SCO_NAMESPACE)}`;
    add({ type: addrType, spec_version: "2.1", id: addrId, value: where.host });
    const trafficId = `network-traffic--${uuidv5(
      JSON.stringify({ dst_ref: addrId, dst_port: where.port, protocols: ["tcp"] }),
      SCO_NAMESPACE,
    )}`;
    add({
      type: "network-traffic",
      spec_version: "2.1",
      id: trafficId,
      dst_ref: addrId,
      dst_port: where.port,
      protocols: ["tcp"],
    });
    const f = item.finding;
    const indicatorId = `indicator--${uuidv5(item.id, CLAWPATROL_NAMESPACE)}`;
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
      const vulnId = `vulnerability--${uuidv5(primary, CLAWPATROL_NAMESPACE)}`;
      const created = stixTime(vulnFirst.get(primary) ?? item.firstSeen);
      add({
        type: "vulnerability",
        spec_version: "2.1",
        id: vulnId,
        created_by_ref: identityId,
        created,
        modified: created,
        name: primary,
        external_references: ids.map((id) =>
          id.startsWith("CVE-")
            ? { source_name: "cve", external_id: id }
            : { source_name: "github", external_id: id, url: `https://github.com/advisories/${id}` },
        ),
      });
      add({
        type: "relationship",
        spec_version: "2.1",
        id: `relationship--${uuidv5(`${indicatorId} related-to ${vulnId}`, CLAWPATROL_NAMESPACE)}`,
        created_by_ref: identityId,
        created: stixTime(item.firstSeen),
        modified: stixTime(item.lastSeen),
        relationship_type: "related-to",
        source_ref: indicatorId,
        target_ref: vulnId,
      });
    }
  }
  return { type: "bundle", id: `bundle--${randomUUID()}`, objects };
}
