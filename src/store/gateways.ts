// The exposure picture as the STIX feed publishes it (src/findings/stix-picture.ts): every
// gateway asset (an endpoint a scan or import named a product for), open or closed, with its
// times and state from the assets table, and what its latest record says: version, auth,
// advisories, and where its address is routed (asn, asOrg, country from src/enrich/).
import type { ExposedGateway } from "../findings/stix-picture.ts";
import { AdvisorySetReader } from "./advisory-sets.ts";
import type { StoreDb } from "./db.ts";
import { sql } from "./drizzle.ts";
import { rowsOf } from "./rows.ts";

const iso = (v: unknown): string => new Date(String(v)).toISOString();

/** Every gateway asset, in address and port order. */
export async function listGateways(db: StoreDb): Promise<ExposedGateway[]> {
  // The latest record of an asset is its last run's (the highest seq when a run listed it twice).
  // Only the fields the picture needs are read out of it, not the whole record and its evidence.
  const rows = rowsOf<{
    ip: string;
    port: number;
    product: string;
    version: string | null;
    auth: string;
    severity: string | null;
    state: string;
    first_seen: unknown;
    last_seen: unknown;
    closed_at: unknown;
    asn: unknown;
    as_org: string | null;
    country: string | null;
    verified: string | null;
    advisories: unknown;
    advisory_set: string | null;
  }>(
    await db.execute(sql`
      SELECT host(a.ip) AS ip, a.port, a.product, a.version, a.auth, a.severity, a.state,
             a.first_seen, a.last_seen, a.closed_at,
             o.record->'asn' AS asn, o.record->>'asOrg' AS as_org, o.record->>'country' AS country,
             o.record->'source'->>'verified' AS verified,
             CASE WHEN o.advisory_set IS NULL THEN o.record->'advisories' END AS advisories,
             o.advisory_set
      FROM assets a
      LEFT JOIN LATERAL (
        SELECT record, advisory_set FROM observations
        WHERE ip = a.ip AND port = a.port AND run_id = a.last_run_id
        ORDER BY seq DESC LIMIT 1
      ) o ON true
      WHERE a.product IS NOT NULL
      ORDER BY a.ip, a.port`),
  );
  const lists = await new AdvisorySetReader(db).restore(
    rows.map((r) => ({ record: { advisories: r.advisories ?? [] }, advisorySet: r.advisory_set ?? null })),
  );
  return rows.map((r, i) => {
    const asn = typeof r.asn === "string" ? Number(r.asn) : r.asn;
    return {
      ip: String(r.ip),
      port: Number(r.port),
      product: String(r.product),
      version: r.version ?? null,
      auth: String(r.auth),
      severity: r.severity ?? null,
      state: r.state === "closed" ? "closed" : "open",
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
      closedAt: r.closed_at === null || r.closed_at === undefined ? null : iso(r.closed_at),
      advisories: lists[i]!.advisories ?? [],
      asn: typeof asn === "number" && Number.isInteger(asn) ? asn : null,
      asOrg: r.as_org ?? null,
      country: r.country ?? null,
      verified: r.verified !== "false",
    };
  });
}

/**
 * A fingerprint of what the picture is built from: it changes whenever a gateway asset or a
 * finding is added, seen again, closed, re-opened or widened back in time (every write moves a
 * count, a last/first seen or a closing time). Cheap (two aggregate scans), so a server can keep
 * the built picture until it changes.
 */
export async function pictureVersion(db: StoreDb): Promise<string> {
  const [a] = rowsOf(
    await db.execute(sql`
      SELECT count(*)::text AS n, max(last_seen)::text AS last, min(first_seen)::text AS first,
             max(closed_at)::text AS closed, sum(reopen_count)::text AS reopened,
             count(*) FILTER (WHERE state = 'closed')::text AS closed_n
      FROM assets WHERE product IS NOT NULL`),
  );
  const [f] = rowsOf(
    await db.execute(sql`
      SELECT count(*)::text AS n, max(last_seen)::text AS last, min(first_seen)::text AS first FROM findings`),
  );
  return JSON.stringify([a, f]);
}
