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
// Shards at once: a shard is done only when its slowest probe is (a gateway far away answers
// each of its exchanges a round trip late) and its results are stored, and a worker that waited
// for that before taking the next shard left its connection slots idle at the end of every
// shard. A worker therefore takes the next shard as soon as every endpoint of the current one is
// under way (up to --shards-at-once in flight), their endpoints drawn from one budget of
// --concurrency and their new connections from one rate: the next shard fills the slots the
// last one's slow probes and its storing leave.
import type { PgBoss } from "pg-boss";
import { userAgentWith } from "../net/http.ts";
import { limitsForTimeout } from "../net/limits.ts";
import { RateLimiter, Semaphore } from "../net/pacing.ts";
import type { AdviseFn } from "../scan/assess.ts";
import { runPipeline, type ScanOptions, sweepHere } from "../scan/engine.ts";
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
import { completeIfAllDone, writeShard } from "./shard-write.ts";

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
  /** Most shards in flight at once, sharing one concurrency budget and one rate (default 8). */
  shardsAtOnce?: number;
}

/** What the shards of one campaign scanned at once by this worker share. */
interface SharedBudget {
  concurrency: number;
  slots: Semaphore;
  rateState: SharedArrayBuffer;
}

/** Default most shards in flight at once in one worker. */
export const SHARDS_AT_ONCE = 8;

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

/** One budget per campaign per worker process, made when its first shard is taken. */
const budgets = new Map<string, SharedBudget>();
function budgetFor(c: CampaignRow, concurrency: number): SharedBudget {
  let b = budgets.get(c.id);
  if (!b || b.concurrency !== concurrency) {
    b = { concurrency, slots: new Semaphore(concurrency), rateState: RateLimiter.sharedState() };
    budgets.set(c.id, b);
  }
  return b;
}

/** `items`, calling `drained` once the last has been handed out (or the walk ends early). */
async function* whenDrained<T>(items: AsyncIterable<T>, drained: () => void): AsyncGenerator<T> {
  try {
    yield* items;
  } finally {
    drained();
  }
}

async function scanShard(
  db: StoreDb,
  c: CampaignRow,
  job: ShardJob,
  opts: WorkerOptions,
  signal: AbortSignal,
  drained: () => void,
): Promise<{ observations: Observation[]; endpoints: number }> {
  const spec = c.spec;
  // Excludes, blocklists and the opt-out list are applied here again, in every worker: an opt-out
  // added after the campaign was created still holds.
  const optouts = await persist("reading the opt-out list", () => listOptOuts(db), opts);
  const excludes = [...spec.excludes, ...spec.blocklist.map((b) => b.cidr), ...optouts.map((o) => o.cidr)];
  const { plan } = planTargets(
    job.ranges.map(([a, b]) => (a === b ? a : `${a}-${b}`)),
    excludes,
  );
  const concurrency = opts.concurrency ?? spec.concurrency;
  const budget = budgetFor(c, concurrency);
  const options: ScanOptions = {
    ...shardScanOptions(
      spec,
      rateShare(spec.rate, await persist("counting workers", () => liveWorkers(db, c), opts)),
      concurrency,
      signal,
    ),
    sweepSlots: budget.slots,
  };
  const observations: Observation[] = [];
  if (plan.addressCount === 0n) return { observations, endpoints: 0 };
  const seed = (spec.seed + job.shard) % 2 ** 48;
  // Swept on this thread, never on a sweep thread of its own (scanPlan's choice from 1,024
  // endpoints): a thread per shard loads the scan modules again for every shard, which cost a
  // 64-shard /16 campaign more than half its time (bench/campaign: 25.4 s against 11.9 s).
  const items = whenDrained(streamEndpoints(plan, job.ports, { seed }), drained);
  for await (const o of runPipeline(sweepHere(items, options), options, undefined, budget.rateState))
    observations.push(o);
  return { observations, endpoints: Number(plan.addressCount) * job.ports.length };
}

/** A shard taken: `drained` once all its endpoints are under way, `done` once it is stored. */
interface ShardInFlight {
  drained: Promise<void>;
  done: Promise<void>;
}

/** Take a shard of `c` and start scanning it; null when it had none queued. */
async function startShard(
  db: StoreDb,
  boss: PgBoss,
  c: CampaignRow,
  opts: WorkerOptions,
  summary: WorkerSummary,
): Promise<ShardInFlight | null> {
  const [job] = await boss.fetch<ShardJob>(c.queue, { batchSize: 1 });
  if (!job) return null;
  let drained!: () => void;
  const swept = new Promise<void>((resolve) => {
    drained = resolve;
  });
  const done = scanAndStore(db, boss, c, job, opts, summary, drained)
    .catch((err) => {
      // The shard stays taken until its lease runs out; then it is scanned again.
      opts.log(`shard ${job.data.shard}: ${(err as Error).message}; left to its lease`);
    })
    .finally(drained);
  return { drained: swept, done };
}

async function scanAndStore(
  db: StoreDb,
  boss: PgBoss,
  c: CampaignRow,
  job: { id: string; retryCount: number; data: ShardJob },
  opts: WorkerOptions,
  summary: WorkerSummary,
  drained: () => void,
): Promise<void> {
  await persist("heartbeat", () => heartbeat(db, c, opts.name), opts);
  // Only the first take changes the row (the others neither lock it nor wait for a writer's lock).
  await persist(
    "marking the campaign running",
    () =>
      db.execute(sql`
        UPDATE campaigns SET state = CASE WHEN state = 'queued' THEN 'running' ELSE state END,
                             started_at = coalesce(started_at, now())
        WHERE id = ${c.id} AND (state = 'queued' OR started_at IS NULL)`),
    opts,
  );
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
    const started = performance.now();
    const { observations, endpoints } = await scanShard(db, c, job.data, opts, stop.signal, drained);
    const scanned = performance.now();
    if (stop.signal.aborted) {
      // Stopped mid-shard: give it back now rather than after the lease.
      await boss.fail(c.queue, job.id, { reason: `worker ${opts.name} stopped` }).catch(() => {});
      return;
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
    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    opts.log(
      `${c.name} shard ${job.data.shard}: ${endpoints} endpoints, ${observations.length} records ${result}; scanned in ${seconds(scanned - started)} s, stored in ${seconds(performance.now() - scanned)} s`,
    );
    if (result === "written") {
      summary.shards++;
      summary.endpoints += endpoints;
      summary.records += observations.length;
    } else if (result === "duplicate") summary.duplicates++;
  } finally {
    clearInterval(timer);
    opts.signal.removeEventListener("abort", onAbort);
  }
}

export async function runWorker(db: StoreDb, boss: PgBoss, opts: WorkerOptions): Promise<WorkerSummary> {
  const summary: WorkerSummary = { shards: 0, duplicates: 0, endpoints: 0, records: 0 };
  const most = Math.max(1, opts.shardsAtOnce ?? SHARDS_AT_ONCE);
  const pollMs = opts.pollMs ?? 500;
  const inFlight = new Set<Promise<void>>();
  while (!opts.signal.aborted) {
    if (inFlight.size >= most) {
      await Promise.race(inFlight);
      continue;
    }
    const shard = await persist(
      "taking a shard",
      async () => {
        for (const c of await activeCampaigns(db)) {
          if (opts.signal.aborted) return null;
          const s = await startShard(db, boss, c, opts, summary);
          if (s) return s;
          // Nothing to take: every shard may be stored already, by a writer that died before
          // completing the campaign.
          await completeIfAllDone(db, c.id);
        }
        return null;
      },
      opts,
      Number.POSITIVE_INFINITY,
    );
    if (shard) {
      const done = shard.done.finally(() => inFlight.delete(done));
      inFlight.add(done);
      // The next shard is taken once this one's endpoints are all under way.
      await Promise.race([shard.drained, done]);
      continue;
    }
    if (inFlight.size > 0) {
      // Nothing queued now: wait for a shard of ours to finish, or for a retry to come due.
      await Promise.race([...inFlight, sleep(pollMs, opts.signal)]);
      continue;
    }
    if (opts.untilIdle && (await persist("checking the queues", () => nothingLeft(db), opts))) break;
    await sleep(pollMs, opts.signal);
  }
  await Promise.all(inFlight);
  return summary;
}
