// The exposure picture's counts, pre-aggregated: one row per group of the open gateways by auth
// state, pre-auth vulnerable (yes/no), release family, country, AS and network (/24, /64), plus
// the totals (live, unverified, ever seen, closed: endpoints and unique addresses) and the
// groups the Breakdowns page's version and advisory tables are counted from. Recomputed with daily_stats
// when a scan run completes (an import is one), so the dashboard reads a few thousand rows
// instead of grouping every asset: at 200,000 assets the grouping takes seconds on a loaded
// machine, the read milliseconds. The counts are as of the last completed run, like the tiles.
//   live        open, product known, latest record probed by clawpatrol (verified)
//   unverified  open, latest record from an export alone (import)
import { type SQL, sql } from "./drizzle.ts";
import { rowsOf, type StoreDb } from "./rows.ts";

type Tx = Parameters<Parameters<StoreDb["transaction"]>[0]>[0];

/** The release family of a version: 2026.3.13 → 2026.3 (CalVer year.month), 1.82.0 → 1.82. */
const ERA = sql`product || ' ' || coalesce(substring(version from '^([0-9]+\\.[0-9]+)'), '(version unknown)')`;

/** Every count, computed from the assets: (dim, key, name, live, unauthenticated, vulnerable, unverified, ips). */
const COUNTS = sql`
  WITH a AS (
    SELECT ip, state, auth, preauth_count > 0 AS vuln, verified,
           CASE WHEN state = 'open' THEN ${ERA} END AS era,
           coalesce(country, '') AS country, coalesce(asn::text, '') AS asn, as_org
    FROM assets WHERE product IS NOT NULL),
  open AS (SELECT * FROM a WHERE state = 'open')
  SELECT CASE WHEN GROUPING(auth) = 0 THEN 'auth' WHEN GROUPING(vuln) = 0 THEN 'vulnerable'
              WHEN GROUPING(era) = 0 THEN 'era' WHEN GROUPING(country) = 0 THEN 'country'
              ELSE 'asn' END AS dim,
         CASE WHEN GROUPING(auth) = 0 THEN auth
              WHEN GROUPING(vuln) = 0 THEN CASE WHEN vuln THEN 'yes' ELSE 'no' END
              WHEN GROUPING(era) = 0 THEN era WHEN GROUPING(country) = 0 THEN country
              ELSE asn END AS key,
         CASE WHEN GROUPING(asn) = 0 THEN max(as_org) END AS name,
         count(*) FILTER (WHERE verified)::int AS live,
         count(*) FILTER (WHERE verified AND auth = 'not-required')::int AS unauthenticated,
         count(*) FILTER (WHERE verified AND vuln)::int AS vulnerable,
         count(*) FILTER (WHERE NOT verified)::int AS unverified,
         NULL::int AS ips
  FROM open
  GROUP BY GROUPING SETS ((auth), (vuln), (era), (country), (asn))
  UNION ALL
  SELECT 'totals', t.key, NULL, t.n, 0, 0, 0, t.ips
  FROM (SELECT count(*) FILTER (WHERE state = 'open' AND verified)::int AS live,
               count(DISTINCT ip) FILTER (WHERE state = 'open' AND verified)::int AS live_ips,
               count(*) FILTER (WHERE state = 'open' AND NOT verified)::int AS unverified,
               count(DISTINCT ip) FILTER (WHERE state = 'open' AND NOT verified)::int AS unverified_ips,
               count(*)::int AS ever, count(DISTINCT ip)::int AS ever_ips,
               count(*) FILTER (WHERE state = 'closed')::int AS closed
        FROM a) s,
       LATERAL (VALUES ('live', s.live, s.live_ips), ('unverified', s.unverified, s.unverified_ips),
                       ('ever', s.ever, s.ever_ips), ('closed', s.closed, NULL::int)) AS t(key, n, ips)
  UNION ALL
  SELECT 'network', network(set_masklen(ip, CASE WHEN family(ip) = 4 THEN 24 ELSE 64 END))::text, NULL,
         count(*) FILTER (WHERE verified)::int, count(*) FILTER (WHERE verified AND auth = 'not-required')::int,
         count(*) FILTER (WHERE verified AND vuln)::int, count(*) FILTER (WHERE NOT verified)::int, NULL
  FROM open GROUP BY 2
  UNION ALL
  -- The Breakdowns page's version and advisory tables (src/server/queries.ts): open gateways by
  -- product, version, auth and advisory list, with one member's pre-auth ids (they follow from
  -- the list); rows from before migration 6 by their own id arrays. name: the group as JSON
  -- [product, version, unauth, list, pre-auth ids, legacy ids]; key: its md5; live: all open.
  SELECT 'list', md5(j), j, n, 0, 0, 0, NULL FROM (
    SELECT jsonb_build_array(g.product, g.version, g.unauth, g.list, r.preauth_advisories, NULL)::text AS j, g.n
    FROM (SELECT product, version, auth = 'not-required' AS unauth, advisory_set AS list,
                 count(*)::int AS n, min(ctid) AS rep
          FROM assets WHERE state = 'open' AND product IS NOT NULL AND advisory_set IS NOT NULL
          GROUP BY 1, 2, 3, 4) g JOIN assets r ON r.ctid = g.rep
    UNION ALL
    SELECT jsonb_build_array(product, version, auth = 'not-required', NULL, preauth_advisories, advisories)::text, count(*)::int
    FROM assets WHERE state = 'open' AND product IS NOT NULL AND advisory_set IS NULL
    GROUP BY product, version, auth = 'not-required', preauth_advisories, advisories) l`;

/** Recompute the counts (called with daily_stats when a scan run completes). */
export async function refreshExposureCounts(tx: Tx | StoreDb): Promise<void> {
  await tx.execute(sql`DELETE FROM exposure_counts`);
  await tx.execute(sql`
    INSERT INTO exposure_counts (dim, key, name, live, unauthenticated, vulnerable, unverified, ips)
    SELECT * FROM (${COUNTS}) AS c`);
}

/**
 * Where to read the counts from: the table, or (a store no run has completed in since
 * migration 11) the same counts computed from the assets now.
 */
export async function exposureCountsSource(db: StoreDb): Promise<SQL> {
  const [r] = rowsOf(await db.execute(sql`SELECT 1 AS ok FROM exposure_counts WHERE dim = 'totals' LIMIT 1`));
  return r ? sql`exposure_counts` : sql`(${COUNTS})`;
}
