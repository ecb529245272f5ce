// Benchmark: the store at scale. Imports 1,000,000 observations (one scan a day for 30 days
// over a churning population of gateways) into PGlite and, when DATABASE_URL names a database
// whose name contains "bench", into PostgreSQL; prints the import rate (and its ratio to a bare
// INSERT of the same records: the peer), the store size, and the dashboard's overview and asset
// search response times measured through the real app. Target: overview under 200 ms at 1 M.
//   npm run bench:store                      (CLAWPATROL_BENCH_OBS=1000000 CLAWPATROL_BENCH_DAYS=30)
//   DATABASE_URL=postgres://…/clawpatrol_bench npm run bench:store
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { Observation } from "../../src/scan/record.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { scopeOf } from "../../src/store/scan-sink.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { cidrInterval, parseIp } from "../../src/targets/ip.ts";
import { day, type Plan, templates } from "./population.ts";

const TARGET = Number(process.env.CLAWPATROL_BENCH_OBS ?? "1000000");
const DAYS = Number(process.env.CLAWPATROL_BENCH_DAYS ?? "30");
const ABSENT = 0.08;
const GROWTH = 0.01;
// Solve initial so that the days add up to TARGET: sum over d of initial * (1 + GROWTH d) * (1 - ABSENT).
const initial = Math.round(TARGET / ((1 - ABSENT) * (DAYS + (GROWTH * DAYS * (DAYS - 1)) / 2)));
const plan: Plan = {
  days: DAYS,
  initial,
  growth: Math.round(initial * GROWTH),
  absent: ABSENT,
  upgrade: 0.004,
};
// The last simulated day is today, so "this week" on the dashboard has data.
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const firstDay = today - (DAYS - 1) * 86_400_000;

const ten = parseIp("10.0.0.0")!;
const SCOPE = scopeOf([cidrInterval(4, ten.value, 16)], [18789]);

const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface ImportStats {
  observations: number;
  seconds: number;
  peakRssMb: number;
}

async function importAll(store: Store, tpl: readonly Observation[]): Promise<ImportStats> {
  const state = new Uint8Array(65_536);
  let observations = 0;
  let peakRss = 0;
  const t0 = performance.now();
  for (let d = 0; d < DAYS; d++) {
    const runId = `bench-day-${d}`;
    const dayStart = firstDay + d * 86_400_000;
    await beginRun(store.db, {
      id: runId,
      kind: "scan",
      startedAt: new Date(dayStart + 3_000_000).toISOString(),
      scope: SCOPE,
    });
    const writer = new RunWriter(store.db, runId, 500);
    for (const o of day(plan, d, firstDay, tpl, state)) {
      await writer.add(o);
      observations++;
    }
    await writer.finish(new Date(dayStart + 22 * 3_600_000).toISOString());
    // What the CLI does when it closes the store after a run (a VACUUM on PGlite).
    await store.maintain();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const s = ms(t0) / 1000;
    process.stderr.write(
      `\r  day ${d + 1}/${DAYS}: ${fmt(observations)} observations, ${fmt(observations / s)}/s   `,
    );
  }
  process.stderr.write("\n");
  return { observations, seconds: ms(t0) / 1000, peakRssMb: peakRss / 2 ** 20 };
}

/** The peer: the same records of the first days as a bare multi-row INSERT into a plain jsonb table. */
async function bareInsert(store: Store, tpl: readonly Observation[], days: number): Promise<number> {
  await store.db.execute(sql`DROP TABLE IF EXISTS bench_bare`);
  await store.db.execute(
    sql`CREATE TABLE bench_bare (run_id text, seq int, record jsonb, PRIMARY KEY (run_id, seq))`,
  );
  const state = new Uint8Array(65_536);
  let n = 0;
  const t0 = performance.now();
  for (let d = 0; d < days; d++) {
    let batch: Observation[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const values = sql.join(
        batch.map((o, i) => sql`(${`bare-${d}`}, ${n - batch.length + i}, ${JSON.stringify(o)}::jsonb)`),
        sql`, `,
      );
      await store.db.execute(sql`INSERT INTO bench_bare VALUES ${values}`);
      batch = [];
    };
    for (const o of day(plan, d, firstDay, tpl, state)) {
      batch.push(o);
      n++;
      if (batch.length === 500) await flush();
    }
    await flush();
  }
  const rate = n / (ms(t0) / 1000);
  await store.db.execute(sql`DROP TABLE bench_bare`);
  return rate;
}

async function storeSize(store: Store, dir: string | null): Promise<number> {
  if (dir) return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
  const [r] = rowsOf<{ n: string }>(
    await store.db.execute(sql`SELECT pg_database_size(current_database()) AS n`),
  );
  return Number(r?.n ?? 0);
}

/** Median response time of a request through the real dashboard app (Hono's in-process request). */
async function timeRequests(store: Store): Promise<Record<string, number> | string> {
  let createApp:
    | ((
        store: Store,
        options?: Record<string, unknown>,
      ) => { request(path: string): Promise<Response> | Response })
    | undefined;
  try {
    ({ createApp } = (await import("../../src/server/app.ts")) as never);
  } catch (err) {
    return `dashboard not available: ${(err as Error).message}`;
  }
  if (!createApp) return "dashboard not available: no createApp export";
  const app = createApp(store);
  const paths: Record<string, string> = {
    "overview (/api/overview)": "/api/overview",
    "overview page (/)": "/",
    "series (/api/series)": "/api/series",
    "breakdowns (/api/breakdowns)": "/api/breakdowns",
    "asset search (/api/assets?q=10.0.12.)": "/api/assets?q=10.0.12.",
    "asset search page (/assets?q=10.0.12.)": "/assets?q=10.0.12.",
  };
  const out: Record<string, number> = {};
  for (const [name, path] of Object.entries(paths)) {
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      const res = await app.request(path);
      await res.text();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      if (i >= 2) times.push(ms(t0));
    }
    out[name] = median(times);
  }
  return out;
}

async function benchBackend(name: string, open: () => Promise<Store>, dir: string | null): Promise<void> {
  process.stderr.write(`${name}: importing ${DAYS} days\n`);
  const tpl = await templates();
  const store = await open();
  try {
    const stats = await importAll(store, tpl);
    const rate = stats.observations / stats.seconds;
    const bareDays = Math.max(1, Math.round(DAYS / 10));
    const bareRate = await bareInsert(store, tpl, bareDays);
    const size = await storeSize(store, dir);
    const [counts] = rowsOf<Record<string, number>>(
      await store.db.execute(sql`SELECT
        (SELECT count(*)::int FROM assets) AS assets,
        (SELECT count(*)::int FROM asset_events) AS events,
        (SELECT count(*)::int FROM findings) AS findings`),
    );
    const times = await timeRequests(store);
    console.log(`\n## ${name}`);
    console.log(
      `import: ${fmt(stats.observations)} observations over ${DAYS} days in ${fmt(stats.seconds, 1)} s = ${fmt(rate)}/s; ` +
        `peer: a bare INSERT of the same whole records (first ${bareDays} days) ${fmt(bareRate)}/s; clawpatrol's import runs at ${fmt(rate / bareRate, 2)}x the peer's rate`,
    );
    console.log(
      `store: ${fmt(size / 2 ** 20)} MB (${fmt(size / stats.observations)} bytes per observation); ` +
        `${fmt(counts?.assets ?? 0)} assets, ${fmt(counts?.events ?? 0)} events, ${fmt(counts?.findings ?? 0)} findings; peak RSS ${fmt(stats.peakRssMb)} MB`,
    );
    if (typeof times === "string") console.log(times);
    else
      for (const [what, t] of Object.entries(times))
        console.log(
          `${what}: ${fmt(t, 1)} ms median${what.startsWith("overview") ? (t < 200 ? " (target < 200 ms: met)" : " (target < 200 ms: MISSED)") : ""}`,
        );
  } finally {
    await store.close();
  }
}

const work = mkdtempSync(join(tmpdir(), "clawpatrol-bench-store-"));
try {
  console.log(
    `# store benchmark: ${fmt(TARGET)} observations target, ${DAYS} days, ${fmt(plan.initial)} gateways on day 1 (+${fmt(plan.growth)}/day), ${ABSENT * 100}% absent per day`,
  );
  // CLAWPATROL_BENCH_BACKENDS=pglite or postgres runs one of them only.
  const only = process.env.CLAWPATROL_BENCH_BACKENDS ?? "";
  const pglite = join(work, "pglite");
  if (only !== "postgres") await benchBackend("PGlite", () => openStore({ dataDir: pglite }), pglite);
  const url = process.env.DATABASE_URL;
  if (only === "pglite") console.log("\n## PostgreSQL: not asked for (CLAWPATROL_BENCH_BACKENDS=pglite)");
  else if (url && /bench/.test(new URL(url).pathname)) {
    await benchBackend(
      "PostgreSQL",
      async () => {
        const s = await openStore({ url });
        await s.db.execute(
          sql`TRUNCATE runs, observations, assets, findings, asset_events, daily_stats, advisory_sets`,
        );
        return s;
      },
      null,
    );
  } else
    console.log(
      "\n## PostgreSQL: skipped (set DATABASE_URL to a database whose name contains 'bench'; it is truncated)",
    );
} finally {
  rmSync(work, { recursive: true, force: true });
}
