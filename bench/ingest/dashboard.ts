// Benchmark: the exposure picture at internet scale. Builds 200,000 gateway assets spread over 150
// countries and 5,000 ASes straight into a store (as bench/store does, but with the assets table
// filled by SQL from real records rather than 200,000 records written one by one): the real zoo
// records (bench/store/population.ts: recorded transcripts through the real fingerprint and
// advisory matcher) are written once through the store's own writer, so their advisory lists
// are real, then cloned across addresses, places, auth states and times; a country history of
// 30 days goes into daily_countries. Then times every query of the overview and the breakdowns
// (median of 10 after 2 warm-ups) and the pages and JSON routes through the real app.
// Target: each under 200 ms. PGlite always; PostgreSQL too when CLAWPATROL_BENCH_DATABASE_URL
// names a database whose name contains "bench" (a schema of its own is created and dropped).
//   npm run bench:ingest:dashboard
//   CLAWPATROL_BENCH_ASSETS=50000 npm run bench:ingest:dashboard
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { breakdownsOf, countryTrends, fixFirst, records, totals } from "../../src/server/exposure.ts";
import { breakdowns, overview, series } from "../../src/server/queries.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { refreshExposureCounts } from "../../src/store/exposure-counts.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { templates } from "../store/population.ts";

const ASSETS = Number(process.env.CLAWPATROL_BENCH_ASSETS ?? "200000");
const COUNTRIES = 150;
const ASNS = 5000;
const DAYS = 30;
const PG_URL = process.env.CLAWPATROL_BENCH_DATABASE_URL ?? "";
const TARGET_MS = 200;

// 150 real ISO 3166-1 alpha-2 codes: the first 150 pairs of letters the runtime names as regions.
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
const CODES: string[] = [];
for (let a = 65; a <= 90 && CODES.length < COUNTRIES; a++)
  for (let b = 65; b <= 90 && CODES.length < COUNTRIES; b++) {
    const code = String.fromCharCode(a, b);
    const name = regionNames.of(code);
    if (name && name !== code && !/Unknown/.test(name)) CODES.push(code);
  }

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** How long recomputing exposure_counts took (once per completed run). */
let refreshMs = 0;

async function build(store: Store): Promise<void> {
  const tpl = await templates();
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  // The real records once, through the store's writer: real advisory lists in advisory_sets.
  const at = new Date(today + 3_600_000).toISOString();
  await beginRun(store.db, { id: "seed", kind: "scan", startedAt: at });
  const w = new RunWriter(store.db, "seed", 500);
  for (const [i, o] of tpl.entries())
    await w.add({
      ...o,
      host: `10.255.0.${i}`,
      ip: `10.255.0.${i}`,
      scannedAt: at,
      asn: null,
      asOrg: null,
      country: null,
    });
  await w.finish(at);
  // Clones: address 11.0.0.0 + g; country and AS skewed (a few large, a long tail), as real
  // exposure is; a third without auth; 15% closed; 4% only claimed by an import; first seen over
  // the last 30 days.
  await store.db.execute(sql`
    WITH tpl AS (SELECT row_number() OVER (ORDER BY ip) - 1 AS k, product, version, auth, severity,
                        advisory_set, preauth_advisories, preauth_count, remote_looks_local
                 FROM assets WHERE ip <<= '10.255.0.0/24'),
    n AS (SELECT count(*) AS c FROM tpl),
    g AS (SELECT g, ((g::bigint * 2654435761) % 1000003)::float8 / 1000003 AS r1,
                 ((g::bigint * 40503 + 17) % 999983)::float8 / 999983 AS r2,
                 ((g::bigint * 69069 + 5) % 999979)::float8 / 999979 AS r3
          FROM generate_series(0, ${ASSETS - 1}) g)
    INSERT INTO assets (ip, port, host, product, version, auth, remote_looks_local, severity, advisories,
                        advisory_set, preauth_advisories, first_seen, last_seen, last_run_id, state, closed_at,
                        reopen_count, country, asn, as_org, verified, preauth_count)
    SELECT '11.0.0.0'::inet + g.g, 18789, host('11.0.0.0'::inet + g.g), tpl.product, tpl.version,
           CASE WHEN g.r3 < 0.33 THEN 'not-required' ELSE tpl.auth END, tpl.remote_looks_local, tpl.severity,
           '{}', tpl.advisory_set, tpl.preauth_advisories,
           ${new Date(today).toISOString()}::timestamptz - (g.r2 * 30 * 86400) * interval '1 second',
           ${new Date(today).toISOString()}::timestamptz + interval '1 hour',
           'seed', CASE WHEN g.r2 < 0.15 THEN 'closed' ELSE 'open' END,
           CASE WHEN g.r2 < 0.15 THEN ${new Date(today).toISOString()}::timestamptz END, 0,
           (${`{${CODES.join(",")}}`}::text[])[1 + floor(${COUNTRIES} * g.r1 * g.r1)::int],
           64512 + floor(${ASNS} * g.r2 * g.r3)::int,
           'Org ' || (64512 + floor(${ASNS} * g.r2 * g.r3)::int) || ' Networks',
           g.r1 >= 0.04, tpl.preauth_count
    FROM g JOIN tpl ON tpl.k = g.g % (SELECT c FROM n)`);
  // What completing a run does: the pre-aggregated counts (timed: the cost each completed run pays).
  const t0 = performance.now();
  await refreshExposureCounts(store.db);
  refreshMs = performance.now() - t0;
  // Country history: 30 days, each country growing a little towards today.
  await store.db.execute(sql`DELETE FROM daily_countries`);
  await store.db.execute(sql`DELETE FROM daily_stats`);
  for (let d = DAYS - 1; d >= 0; d--) {
    const day = new Date(today - d * 86_400_000).toISOString().slice(0, 10);
    await store.db.execute(sql`
      INSERT INTO daily_countries (day, country, live, unauthenticated, vulnerable)
      SELECT ${day}::date, coalesce(country, ''), (count(*) * (1 - ${d} * 0.004))::int,
             (count(*) FILTER (WHERE auth = 'not-required') * (1 - ${d} * 0.004))::int,
             (count(*) FILTER (WHERE preauth_count > 0) * (1 - ${d} * 0.004))::int
      FROM assets WHERE product IS NOT NULL AND state = 'open' AND verified GROUP BY 2`);
    await store.db.execute(sql`
      INSERT INTO daily_stats (day, live, unauthenticated, vulnerable, ever_seen, new, closed, reopened, changed, computed_at)
      SELECT ${day}::date, count(*) FILTER (WHERE state = 'open'), count(*) FILTER (WHERE state = 'open' AND auth = 'not-required'),
             count(*) FILTER (WHERE state = 'open' AND preauth_count > 0), count(*), 0, 0, 0, 0, now()
      FROM assets WHERE product IS NOT NULL`);
  }
}

interface Timing {
  what: string;
  ms: number;
}

async function time(what: string, run: () => Promise<unknown>): Promise<Timing> {
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    await run();
    if (i >= 2) times.push(performance.now() - t0);
  }
  return { what, ms: median(times) };
}

async function measure(name: string, store: Store): Promise<void> {
  const t0 = performance.now();
  await build(store);
  await store.maintain();
  if (store.backend !== "pglite") await store.db.execute(sql`ANALYZE`);
  const [c = {}] = rowsOf<Record<string, number>>(
    await store.db.execute(sql`SELECT count(*)::int AS assets, count(DISTINCT country)::int AS countries,
      count(DISTINCT asn)::int AS asns, count(*) FILTER (WHERE state = 'open')::int AS open FROM assets`),
  );
  console.log(
    `\n## ${name}: ${fmt(Number(c.assets))} assets (${fmt(Number(c.open))} open), ${c.countries} countries, ${fmt(Number(c.asns))} ASes; built in ${fmt((performance.now() - t0) / 1000, 1)} s`,
  );
  console.log(
    `recomputing the exposure counts (each completed run does it): ${fmt(refreshMs)} ms  [load ${load()}]`,
  );
  const now = new Date();
  const { createApp } = await import("../../src/server/app.ts");
  const app = createApp(store);
  const get = (path: string) => async () => {
    const res = await app.request(path);
    await res.text();
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  };
  const timings: Timing[] = [];
  for (const [what, run] of [
    ["query: exposure totals (live/unverified/ever, unique IPs)", () => totals(store.db)],
    ["query: records verified/unverified", () => records(store.db)],
    [
      "query: breakdowns by auth, vulnerable, release family, country, AS (one pass)",
      () => breakdownsOf(store.db, 20),
    ],
    ["query: fix-first list", () => fixFirst(store.db, 20)],
    ["query: country trend (7 days)", () => countryTrends(store.db, 7, 20)],
    ["query: overview tiles", () => overview(store.db, now)],
    ["query: series (90 days)", () => series(store.db, 90, now)],
    ["query: breakdowns page (version, advisory, network, country, AS)", () => breakdowns(store.db, 50)],
    ["route: GET /api/exposure", get("/api/exposure")],
    ["route: GET /api/breakdowns", get("/api/breakdowns")],
    ["page: GET / (overview with the exposure picture)", get("/")],
    ["page: GET /breakdowns", get("/breakdowns")],
  ] as const) {
    const t = await time(what, run);
    timings.push(t);
    console.log(
      `${t.what}: ${fmt(t.ms, 1)} ms median${t.ms < TARGET_MS ? "" : " (over 200 ms)"}  [load ${load()}]`,
    );
  }
  const slow = timings.filter((t) => t.ms >= TARGET_MS);
  console.log(slow.length === 0 ? "every query and page under 200 ms" : `${slow.length} over 200 ms`);
}

// CLAWPATROL_BENCH_DIR keeps the PGlite store there (to look at its plans afterwards).
const keep = process.env.CLAWPATROL_BENCH_DIR ?? "";
const dir = keep || mkdtempSync(join(tmpdir(), "clawpatrol-bench-dashboard-"));
try {
  console.log(`load before: ${load()}`);
  const lite = await openStore({ dataDir: join(dir, "db") });
  try {
    await measure("PGlite", lite);
  } finally {
    await lite.close();
  }
  if (PG_URL !== "" && /bench/.test(new URL(PG_URL).pathname)) {
    const schema = "bench_dashboard";
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    const u = new URL(PG_URL);
    u.searchParams.set("options", `-c search_path=${schema}`);
    const store = await openStore({ url: u.toString() });
    try {
      await measure("PostgreSQL", store);
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
