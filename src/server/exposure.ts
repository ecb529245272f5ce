// The exposure picture of the overview (and /api/exposure): how many gateways are exposed now,
// kept apart from what was only ever seen or only claimed by a third-party export, where they
// are, what they run, and which to fix first. Everything is read from the assets table (one row
// per endpoint; country, AS and verified kept there by the store's write path) and the
// pre-aggregated daily_countries, never from the observations, so it stays fast at any size.
//
// Words, as the page uses them:
//   live        a gateway (product known) whose asset is open and whose latest record was probed
//               by clawpatrol (scan, scan --from): seen by the latest verification that covered it
//   unverified  open, but its latest record came from an export alone (import): a claim
//   ever seen   every gateway asset, closed ones and claims included
//   vulnerable  live with a pre-auth advisory that applies for certain
//   fix first   live, answering without auth AND vulnerable
import { sql } from "drizzle-orm";
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

// The release family of a version: 2026.3.13 → 2026.3 (CalVer year.month), 1.82.0 → 1.82.
const ERA = sql`a.product || ' ' || coalesce(substring(a.version from '^([0-9]+\\.[0-9]+)'), '(version unknown)')`;

export async function totals(db: StoreDb): Promise<Exposure["totals"]> {
  const [r = {}] = rowsOf(
    await db.execute(sql`
      SELECT count(*) FILTER (WHERE state = 'open' AND verified)::int AS live,
             count(DISTINCT ip) FILTER (WHERE state = 'open' AND verified)::int AS live_ips,
             count(*) FILTER (WHERE state = 'open' AND NOT verified)::int AS unverified,
             count(DISTINCT ip) FILTER (WHERE state = 'open' AND NOT verified)::int AS unverified_ips,
             count(*)::int AS ever, count(DISTINCT ip)::int AS ever_ips,
             count(*) FILTER (WHERE state = 'closed')::int AS closed
      FROM assets WHERE product IS NOT NULL`),
  );
  return {
    live: { endpoints: num(r.live), ips: num(r.live_ips) },
    unverified: { endpoints: num(r.unverified), ips: num(r.unverified_ips) },
    everSeen: { endpoints: num(r.ever), ips: num(r.ever_ips) },
    closed: num(r.closed),
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

/** Every breakdown in one pass over the open gateways (GROUPING SETS), largest groups first. */
export async function breakdownsOf(db: StoreDb, limit: number): Promise<Record<Dimension, ExposureCount[]>> {
  const rows = rowsOf(
    await db.execute(sql`
      WITH a AS (
        SELECT a.auth, a.preauth_count > 0 AS vuln, ${ERA} AS era,
               coalesce(a.country, '') AS country, coalesce(a.asn::text, '') AS asn, a.as_org, a.verified
        FROM assets a WHERE a.state = 'open' AND a.product IS NOT NULL),
      g AS (
        SELECT CASE WHEN GROUPING(auth) = 0 THEN 'auth' WHEN GROUPING(vuln) = 0 THEN 'vulnerable'
                    WHEN GROUPING(era) = 0 THEN 'era' WHEN GROUPING(country) = 0 THEN 'country'
                    ELSE 'asn' END AS dim,
               CASE WHEN GROUPING(auth) = 0 THEN auth
                    WHEN GROUPING(vuln) = 0 THEN CASE WHEN vuln THEN 'yes' ELSE 'no' END
                    WHEN GROUPING(era) = 0 THEN era WHEN GROUPING(country) = 0 THEN country
                    ELSE asn END AS key,
               max(as_org) AS name,
               count(*) FILTER (WHERE verified)::int AS live,
               count(*) FILTER (WHERE verified AND auth = 'not-required')::int AS unauthenticated,
               count(*) FILTER (WHERE verified AND vuln)::int AS vulnerable,
               count(*) FILTER (WHERE NOT verified)::int AS unverified
        FROM a
        GROUP BY GROUPING SETS ((auth), (vuln), (era), (country), (asn)))
      SELECT *, row_number() OVER (PARTITION BY dim ORDER BY live DESC, unverified DESC, key) AS rank
      FROM g`),
  );
  const out = Object.fromEntries(DIMENSIONS.map((d) => [d, [] as ExposureCount[]])) as Record<
    Dimension,
    ExposureCount[]
  >;
  const ranked = rows.filter((r) => num(r.rank) <= limit).sort((x, y) => num(x.rank) - num(y.rank));
  for (const r of ranked) {
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

const SEVERITY_RANK = sql`CASE a.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
  WHEN 'low' THEN 1 WHEN 'info' THEN 0 ELSE -1 END`;

/** Live gateways, the ones to fix first first. */
export async function fixFirst(db: StoreDb, limit: number): Promise<WorstAsset[]> {
  const urgent = sql`(a.auth = 'not-required' AND a.preauth_count > 0)`;
  return rowsOf(
    await db.execute(sql`
      SELECT host(a.ip) AS ip, a.port, a.host, a.product, a.version, a.auth, a.severity,
             a.preauth_count AS pre, a.country, a.asn, a.as_org,
             a.first_seen, a.last_seen, ${urgent} AS urgent
      FROM assets a
      WHERE a.state = 'open' AND a.product IS NOT NULL AND a.verified
      ORDER BY ${urgent} DESC, CASE WHEN ${urgent} THEN a.first_seen END DESC NULLS LAST,
               ${SEVERITY_RANK} DESC, a.last_seen DESC, a.ip, a.port
      LIMIT ${limit}`),
  ).map((r) => ({
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
