// `clawpatrol worker`: take a shard of any running campaign from pg-boss, scan it with the normal
// engine, write its results exactly once (shard-write.ts), complete the job; again until stopped
// (or, with --until-idle, until no campaign has a shard left to take or in flight).
//
// Leases: a shard's job carries pg-boss's heartbeat; the worker touches it while it scans. A
// worker killed mid-shard stops touching, pg-boss's supervisor (run by every worker) puts the job
// back after the lease, and another worker scans the shard again.
// Rate: the campaign's --rate is the total of all workers: each worker takes its share, the rate
// divided by the workers that sent a heartbeat for the campaign within the last lease.
// Database down (a restart): every step is retried until it answers again; a shard already
// scanned is kept in memory and written once the database is back.
import type { PgBoss } from "pg-boss";
import { userAgentWith } from "../net/http.ts";
import { limitsForTimeout } from "../net/limits.ts";
import type { AdviseFn } from "../scan/assess.ts";
import { runScan, type ScanOptions } from "../scan/engine.ts";
import type { Observation } from "../scan/record.ts";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { planTargets } from "../targets/spec.ts";
import { streamEndpoints } from "../targets/stream.ts";
import {
  activeCampaigns,
  type CampaignRow,
  type CampaignSpec,
  HOST,
  nothingLeft,
  type ShardJob,
} from "./campaigns.ts";
import { listOptOuts } from "./optouts.ts";
import { writeShard } from "./shard-write.ts";

export interface WorkerOptions {
  name: string;
  /** Endpoints swept at once by this worker; null: the campaign's --concurrency. */
  concurrency: number | null;
  untilIdle: boolean;
  /** Stop taking shards; a shard in flight is given back (failed, so it is retried at once). */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Milliseconds between polls when nothing is queued. */
  pollMs?: number;
}

export interface WorkerSummary {
  shards: number;
  duplicates: number;
  endpoints: number;
  records: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Retry `step` while the database is unreachable; say so once. */
async function persist<T>(
  what: string,
  step: () => Promise<T>,
  opts: WorkerOptions,
  giveUpMs = 600_000,
): Promise<T> {
  const started = Date.now();
  let said = false;
  let wait = 250;
  for (;;) {
    try {
      const v = await step();
      if (said) opts.log(`${what}: database reachable again`);
      return v;
    } catch (err) {
      if (Date.now() - started > giveUpMs) throw err;
      if (!said) opts.log(`${what}: ${(err as Error).message}; retrying`);
      said = true;
      await sleep(wait);
      wait = Math.min(5000, wait * 2);
    }
  }
}

async function heartbeat(db: StoreDb, c: CampaignRow, name: string): Promise<void> {
  await db.execute(sql`
    INSERT INTO campaign_workers (campaign_id, name, host, pid, last_heartbeat)
    VALUES (${c.id}, ${name}, ${HOST}, ${process.pid}, now())
    ON CONFLICT (campaign_id, name) DO UPDATE SET host = excluded.host, pid = excluded.pid, last_heartbeat = now()`);
}

/** Workers that sent a heartbeat for this campaign within its lease (this one included). */
async function liveWorkers(db: StoreDb, c: CampaignRow): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`
      SELECT count(*)::int AS n FROM campaign_workers
      WHERE campaign_id = ${c.id} AND last_heartbeat > now() - make_interval(secs => ${c.spec.leaseSeconds})`),
  );
  return Math.max(1, Number(row?.n ?? 1));
}

/** This worker's share of the campaign's rate (0 stays unlimited; never below 1/s). */
export function rateShare(rate: number, workers: number): number {
  if (rate === 0) return 0;
  return Math.max(1, Math.floor(rate / Math.max(1, workers)));
}

/**
 * One advisor per worker process: its answers per gateway version are kept from shard to shard
 * (a shard's scan would otherwise match every version it meets against the advisories again).
 */
let workerAdvisor: Promise<AdviseFn> | null = null;
const sharedAdvisor = (): Promise<AdviseFn> => {
  workerAdvisor ??= import("../scan/advise.ts").then((m) => m.scanAdvisor());
  return workerAdvisor;
};

/** How a worker scans a shard of a campaign with `spec`, at its share of the rate. */
export function shardScanOptions(
  spec: CampaignSpec,
  rate: number,
  concurrency: number,
  signal?: AbortSignal,
): ScanOptions {
  const userAgent = spec.contact === undefined ? null : userAgentWith(spec.contact);
  return {
    rate,
    concurrency,
    probeConcurrency: spec.probeConcurrency,
    perHost: spec.perHost,
    limits: limitsForTimeout(spec.timeoutMs),
    includeClosed: spec.all,
    advise: { load: sharedAdvisor },
    ...(signal ? { signal } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
}

async function scanShard(
  db: StoreDb,
  c: CampaignRow,
  job: ShardJob,
  opts: WorkerOptions,
  signal: AbortSignal,
): Promise<{ observations: Observation[]; endpoints: number }> {
  const spec = c.spec;
  // Excludes, blocklists and the opt-out list are applied here again, in every worker: an opt-out
  // added after the campaign was created still holds.
  const optouts = await listOptOuts(db);
  const excludes = [...spec.excludes, ...spec.blocklist.map((b) => b.cidr), ...optouts.map((o) => o.cidr)];
  const { plan } = planTargets(
    job.ranges.map(([a, b]) => (a === b ? a : `${a}-${b}`)),
    excludes,
  );
  const options = shardScanOptions(
    spec,
    rateShare(spec.rate, await liveWorkers(db, c)),
    opts.concurrency ?? spec.concurrency,
    signal,
  );
  const observations: Observation[] = [];
  if (plan.addressCount === 0n) return { observations, endpoints: 0 };
  const seed = (spec.seed + job.shard) % 2 ** 48;
  // Swept on this thread, never on a sweep thread of its own (scanPlan's choice from 1,024
  // endpoints): a thread per shard loads the scan modules again for every shard, which cost a
  // 64-shard /16 campaign more than half its time (bench/campaign: 25.4 s against 11.9 s).
  const items = streamEndpoints(plan, job.ports, { seed });
  for await (const o of runScan(items, options)) observations.push(o);
  return { observations, endpoints: Number(plan.addressCount) * job.ports.length };
}

/** Take and scan one shard of `c`; false when it had none queued. */
async function takeShard(
  db: StoreDb,
  boss: PgBoss,
  c: CampaignRow,
  opts: WorkerOptions,
  summary: WorkerSummary,
): Promise<boolean> {
  const [job] = await boss.fetch<ShardJob>(c.queue, { batchSize: 1 });
  if (!job) return false;
  await heartbeat(db, c, opts.name);
  await db.execute(sql`
    UPDATE campaigns SET state = CASE WHEN state = 'queued' THEN 'running' ELSE state END,
                         started_at = coalesce(started_at, now())
    WHERE id = ${c.id}`);
  // Keep the lease (pg-boss heartbeat) and our own worker heartbeat fresh while the shard runs.
  const every = Math.max(1000, Math.floor((c.spec.leaseSeconds * 1000) / 3));
  const timer = setInterval(() => {
    boss.touch(c.queue, job.id).catch(() => {});
    heartbeat(db, c, opts.name).catch(() => {});
  }, every);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const { observations, endpoints } = await scanShard(db, c, job.data, opts, stop.signal);
    if (stop.signal.aborted) {
      // Stopped mid-shard: give it back now rather than after the lease.
      await boss.fail(c.queue, job.id, { reason: `worker ${opts.name} stopped` }).catch(() => {});
      return true;
    }
    const result = await persist(
      `shard ${job.data.shard}`,
      () =>
        writeShard(db, {
          campaignId: c.id,
          shard: job.data.shard,
          worker: opts.name,
          attempt: job.retryCount,
          endpoints,
          observations,
        }),
      opts,
    );
    await persist(`shard ${job.data.shard}`, () => boss.complete(c.queue, job.id, { result }), opts);
    if (result === "written") {
      summary.shards++;
      summary.endpoints += endpoints;
      summary.records += observations.length;
    } else if (result === "duplicate") summary.duplicates++;
    return true;
  } finally {
    clearInterval(timer);
    opts.signal.removeEventListener("abort", onAbort);
  }
}

export async function runWorker(db: StoreDb, boss: PgBoss, opts: WorkerOptions): Promise<WorkerSummary> {
  const summary: WorkerSummary = { shards: 0, duplicates: 0, endpoints: 0, records: 0 };
  const pollMs = opts.pollMs ?? 500;
  while (!opts.signal.aborted) {
    const took = await persist(
      "taking a shard",
      async () => {
        for (const c of await activeCampaigns(db)) {
          if (opts.signal.aborted) return false;
          if (await takeShard(db, boss, c, opts, summary)) return true;
        }
        return false;
      },
      opts,
      Number.POSITIVE_INFINITY,
    );
    if (took) continue;
    if (opts.untilIdle && (await persist("checking the queues", () => nothingLeft(db), opts))) break;
    await sleep(pollMs, opts.signal);
  }
  return summary;
}
