// The exposure picture of the overview (and /api/exposure): how many gateways are exposed now,
// kept apart from what was only ever seen or only claimed by a third-party export, where they
// are, what they run, and which to fix first. Counts and breakdowns are read pre-aggregated
// (exposure_counts and daily_countries, recomputed when a scan run completes: as of the last
// run, like the tiles); the fix-first list from the assets table through two indexes. Nothing
// reads the observations or groups every asset on a page view, so it stays fast at any size.
//
// Words, as the page uses them:
//   live        a gateway (product known) whose asset is open and whose latest record was probed
//               by clawpatrol (scan, scan --from): seen by the latest verification that covered it
//   unverified  open, but its latest record came from an export alone (import): a claim
//   ever seen   every gateway asset, closed ones and claims included
//   vulnerable  live with a pre-auth advisory that applies for certain
//   fix first   live, answering without auth AND vulnerable
import { sql } from "drizzle-orm";
import { exposureCountsSource } from "../store/exposure-counts.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";

const num = (v: unknown): number => Number(v ?? 0);
const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Endpoints (ip:port) and the distinct addresses behind them. */
export interface EndpointCount {
  endpoints: number;
  ips: number;
}

/** One row of a breakdown of the open gateways. */
export interface ExposureCount {
  /** The group: an ISO country code, an AS number, a release family, an auth state, yes/no ("" for an unknown country or AS). */
  key: string;
  /** A name for the key (the AS organisation), or null. */
  name: string | null;
  /** Live (verified) gateways in the group, and of those, unauthenticated and vulnerable. */
  live: number;
  unauthenticated: number;
  vulnerable: number;
  /** Open gateways in the group known only from an export (not counted in live). */
  unverified: number;
}

/** A live gateway in the fix-first list. */
export interface WorstAsset {
  ip: string;
  port: number;
  host: string;
  product: string;
  version: string | null;
  auth: string;
  severity: string | null;
  /** Pre-auth advisories that apply for certain. */
  preAuth: number;
  country: string | null;
  asn: number | null;
  asOrg: string | null;
  firstSeen: string;
  lastSeen: string;
  /** Unauthenticated and vulnerable: the first group of the list. */
  urgent: boolean;
}

export interface CountryTrend {
  /** ISO 3166-1 alpha-2, or "" for gateways no country is known for. */
  country: string;
  live: number;
  unauthenticated: number;
  vulnerable: number;
  /** Live gateways on the comparison day, or null when there is no day that far back. */
  previous: number | null;
  /** live - previous, or null. */
  change: number | null;
}

export interface Exposure {
  totals: { live: EndpointCount; unverified: EndpointCount; everSeen: EndpointCount; closed: number };
  /** Records stored by complete scan runs: probed by clawpatrol, or imported from an export unverified. */
  records: { verified: number; unverified: number };
  byAuth: ExposureCount[];
  byVulnerable: ExposureCount[];
  /** By product and release family (CalVer year.month, or major.minor). */
  byEra: ExposureCount[];
  byCountry: ExposureCount[];
  /** By AS, named by its organisation. */
  byOrganisation: ExposureCount[];
  /** The organisations with the most exposed (live) gateways. */
  topOrganisations: ExposureCount[];
  /** Unauthenticated and vulnerable first (newest first), then the rest by severity. */
  fixFirst: WorstAsset[];
  countries: { day: string | null; previousDay: string | null; periodDays: number; rows: CountryTrend[] };
}

export interface ExposureOptions {
  /** Rows per breakdown and in the fix-first list. */
  limit: number;
  /** The country trend compares the last day with the last day at least this many days before it. */
  periodDays: number;
  /** Rows of the organisation top list. */
  top?: number;
}

/** Totals (live, unverified, ever seen, closed) from the pre-aggregated counts. */
export async function totals(db: StoreDb): Promise<Exposure["totals"]> {
  const from = await exposureCountsSource(db);
  const rows = rowsOf(await db.execute(sql`SELECT key, live, ips FROM ${from} AS c WHERE dim = 'totals'`));
  const get = (k: string) => rows.find((r) => r.key === k) ?? {};
  const pair = (k: string) => ({ endpoints: num(get(k).live), ips: num(get(k).ips) });
  return {
    live: pair("live"),
    unverified: pair("unverified"),
    everSeen: pair("ever"),
    closed: num(get("closed").live),
  };
}

export async function records(db: StoreDb): Promise<Exposure["records"]> {
  const [r = {}] = rowsOf(
    await db.execute(sql`
      SELECT coalesce(sum(observation_count) FILTER (WHERE options->>'verified' = 'false'), 0)::bigint AS unverified,
             coalesce(sum(observation_count) FILTER (WHERE options->>'verified' IS DISTINCT FROM 'false'), 0)::bigint AS verified
      FROM runs WHERE kind = 'scan' AND status = 'complete'`),
  );
  return { verified: num(r.verified), unverified: num(r.unverified) };
}

const DIMENSIONS = ["auth", "vulnerable", "era", "country", "asn"] as const;
type Dimension = (typeof DIMENSIONS)[number];

/** Every breakdown, largest groups first, from the pre-aggregated counts (src/store/exposure-counts.ts). */
export async function breakdownsOf(db: StoreDb, limit: number): Promise<Record<Dimension, ExposureCount[]>> {
  const from = await exposureCountsSource(db);
  // One index range per breakdown (exposure_counts_order, migration 12), largest groups first.
  const parts = DIMENSIONS.map(
    (d) =>
      sql`(SELECT * FROM ${from} AS c WHERE dim = ${d} ORDER BY live DESC, unverified DESC, key LIMIT ${limit})`,
  );
  const rows = rowsOf(await db.execute(sql.join(parts, sql` UNION ALL `)));
  const out = Object.fromEntries(DIMENSIONS.map((d) => [d, [] as ExposureCount[]])) as Record<
    Dimension,
    ExposureCount[]
  >;
  for (const r of rows) {
    const dim = String(r.dim) as Dimension;
    out[dim]?.push({
      key: String(r.key),
      name: dim === "asn" ? textOrNull(r.name) : null,
      live: num(r.live),
      unauthenticated: num(r.unauthenticated),
      vulnerable: num(r.vulnerable),
      unverified: num(r.unverified),
    });
  }
  return out;
}

// The expression of the index assets_fix_first_rest (migration 11): keep the two the same.
const SEVERITY_RANK = sql`CASE a.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 WHEN 'info' THEN 0 ELSE -1 END`;
const LIVE = sql`a.state = 'open' AND a.product IS NOT NULL AND a.verified`;
const URGENT = sql`a.auth = 'not-required' AND a.preauth_count > 0`;
const COLUMNS = sql`host(a.ip) AS ip, a.port, a.host, a.product, a.version, a.auth, a.severity,
  a.preauth_count AS pre, a.country, a.asn, a.as_org, a.first_seen, a.last_seen`;

/**
 * Live gateways, the ones to fix first first: unauthenticated and vulnerable ones newest first,
 * then the others by severity (latest seen first). Each part is one index's order (migration 11),
 * so neither sorts the live gateways.
 */
export async function fixFirst(db: StoreDb, limit: number): Promise<WorstAsset[]> {
  const urgent = rowsOf(
    await db.execute(sql`
      SELECT ${COLUMNS}, true AS urgent FROM assets a WHERE ${LIVE} AND ${URGENT}
      ORDER BY a.first_seen DESC, a.ip, a.port LIMIT ${limit}`),
  );
  const rest =
    urgent.length >= limit
      ? []
      : rowsOf(
          await db.execute(sql`
            SELECT ${COLUMNS}, false AS urgent FROM assets a WHERE ${LIVE} AND NOT (${URGENT})
            ORDER BY ${SEVERITY_RANK} DESC, a.last_seen DESC, a.ip, a.port LIMIT ${limit - urgent.length}`),
        );
  return [...urgent, ...rest].map((r) => ({
    ip: String(r.ip),
    port: num(r.port),
    host: String(r.host),
    product: String(r.product),
    version: textOrNull(r.version),
    auth: String(r.auth),
    severity: textOrNull(r.severity),
    preAuth: num(r.pre),
    country: textOrNull(r.country),
    asn: r.asn === null || r.asn === undefined ? null : num(r.asn),
    asOrg: textOrNull(r.as_org),
    firstSeen: iso(r.first_seen)!,
    lastSeen: iso(r.last_seen)!,
    urgent: r.urgent === true,
  }));
}

/**
 * Live gateways per country on the last day with counts against the last day at least
 * `periodDays` before it (each day's counts are those of its last completed scan run).
 */
export async function countryTrends(
  db: StoreDb,
  periodDays: number,
  limit: number,
): Promise<Exposure["countries"]> {
  const [d = {}] = rowsOf(
    await db.execute(sql`
      WITH last AS (SELECT max(day) AS day FROM daily_countries)
      SELECT last.day::text AS day,
             (SELECT max(day) FROM daily_countries WHERE day <= last.day - ${periodDays}::int)::text AS previous
      FROM last`),
  );
  const day = textOrNull(d.day);
  const previousDay = textOrNull(d.previous);
  if (day === null) return { day, previousDay, periodDays, rows: [] };
  const rows = rowsOf(
    await db.execute(sql`
      SELECT coalesce(n.country, p.country) AS country, coalesce(n.live, 0) AS live,
             coalesce(n.unauthenticated, 0) AS unauthenticated, coalesce(n.vulnerable, 0) AS vulnerable,
             p.live AS previous
      FROM (SELECT * FROM daily_countries WHERE day = ${day}::date) n
      FULL JOIN (SELECT * FROM daily_countries WHERE day = ${previousDay}::date) p ON p.country = n.country
      WHERE coalesce(n.live, 0) > 0 OR coalesce(p.live, 0) > 0
      ORDER BY 2 DESC, coalesce(p.live, 0) DESC, 1
      LIMIT ${limit}`),
  ).map((r): CountryTrend => {
    const live = num(r.live);
    const previous = previousDay === null ? null : num(r.previous);
    return {
      country: String(r.country),
      live,
      unauthenticated: num(r.unauthenticated),
      vulnerable: num(r.vulnerable),
      previous,
      change: previous === null ? null : live - previous,
    };
  });
  return { day, previousDay, periodDays, rows };
}

export async function exposure(db: StoreDb, options: ExposureOptions): Promise<Exposure> {
  const { limit, periodDays } = options;
  const b = await breakdownsOf(db, limit);
  // The organisations with the most live gateways; the AS breakdown is already in that order.
  const topOrganisations = b.asn.slice(0, options.top ?? 10);
  return {
    totals: await totals(db),
    records: await records(db),
    byAuth: b.auth,
    byVulnerable: b.vulnerable,
    byEra: b.era,
    byCountry: b.country,
    byOrganisation: b.asn,
    topOrganisations,
    fixFirst: await fixFirst(db, limit),
    countries: await countryTrends(db, periodDays, limit),
  };
}
