// Campaigns in the store: create (cut the scope into shards, enqueue one pg-boss job per shard,
// open the campaign's scan run), list, status, pause, resume, cancel. Done shards are rows of
// campaign_shards (written by the worker with the shard's results); queued, active and failed
// shards are counted from pg-boss's job table.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { PgBoss } from "pg-boss";
import { RunError, UsageError } from "../core/errors.ts";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { scopeOf } from "../store/scan-sink.ts";
import { beginRun } from "../store/write.ts";
import type { Interval } from "../targets/ip.ts";
import { BOSS_SCHEMA } from "./connect.ts";
import { planShards, type Shard } from "./shards.ts";

export type CampaignState = "queued" | "running" | "paused" | "done" | "cancelled";

/** What every worker needs to scan a campaign's shards the same way. */
export interface CampaignSpec {
  targets: string[];
  excludes: string[];
  ports: number[];
  /** Campaign-wide new connections per second, shared by all workers (0 = unlimited). */
  rate: number;
  concurrency: number;
  probeConcurrency: number;
  perHost: number;
  timeoutMs: number;
  all: boolean;
  /** Ranges no worker scans: the default blocklist less what was named, and --blocklist FILE. */
  blocklist: { cidr: string; reason: string }[];
  shardPrefix: number;
  seed: number;
  /** Seconds a shard's lease lasts without a heartbeat before it is handed to another worker. */
  leaseSeconds: number;
  /** campaign create --contact: put into every probe's User-Agent (src/net/http.ts userAgentWith). */
  contact?: string;
}

/** The data of one shard's job. */
export interface ShardJob {
  campaignId: string;
  shard: number;
  ranges: [string, string][];
  ports: number[];
}

export interface CampaignRow {
  id: string;
  name: string;
  runId: string;
  queue: string;
  state: CampaignState;
  spec: CampaignSpec;
  shardTotal: number;
  endpointTotal: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (v: unknown): string | null => (v == null ? null : new Date(String(v)).toISOString());
const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;

function campaignOf(r: Record<string, unknown>): CampaignRow {
  return {
    id: String(r.id),
    name: String(r.name),
    runId: String(r.run_id),
    queue: String(r.queue),
    state: String(r.state) as CampaignState,
    spec: json<CampaignSpec>(r.spec),
    shardTotal: Number(r.shard_total),
    endpointTotal: Number(r.endpoint_total),
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

export async function findCampaign(db: StoreDb, name: string): Promise<CampaignRow | null> {
  const [row] = rowsOf(await db.execute(sql`SELECT * FROM campaigns WHERE name = ${name}`));
  return row ? campaignOf(row) : null;
}

export async function getCampaign(db: StoreDb, name: string): Promise<CampaignRow> {
  const c = await findCampaign(db, name);
  if (!c) throw new UsageError(`no campaign named "${name}" (see clawpatrol campaign list)`);
  return c;
}

export async function campaignById(db: StoreDb, id: string): Promise<CampaignRow | null> {
  const [row] = rowsOf(await db.execute(sql`SELECT * FROM campaigns WHERE id = ${id}`));
  return row ? campaignOf(row) : null;
}

/** Campaigns workers take shards from, oldest first. */
export async function activeCampaigns(db: StoreDb): Promise<CampaignRow[]> {
  return rowsOf(
    await db.execute(
      sql`SELECT * FROM campaigns WHERE state IN ('queued', 'running') ORDER BY created_at, id`,
    ),
  ).map(campaignOf);
}

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

export interface CreateInput {
  name: string;
  spec: CampaignSpec;
  /** The scope: normalised intervals with excludes and blocklists removed. */
  intervals: Interval[];
}

/** Jobs are inserted this many at a time. */
const INSERT_CHUNK = 1000;

export async function createCampaign(
  db: StoreDb,
  boss: PgBoss,
  input: CreateInput,
): Promise<{ campaign: CampaignRow; shards: Shard[] }> {
  if (!NAME.test(input.name))
    throw new UsageError(
      `campaign name "${input.name.slice(0, 80)}": use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)`,
    );
  if (await findCampaign(db, input.name))
    throw new UsageError(`a campaign named "${input.name}" exists already (see clawpatrol campaign status)`);
  const shards = planShards(input.intervals, input.spec.ports, input.spec.shardPrefix, input.spec.seed);
  if (shards.length === 0)
    throw new UsageError("nothing left to scan once excludes and blocklists are applied");
  const id = randomUUID();
  const queue = `clawpatrol.campaign.${id}`;
  const runId = `campaign-${id}`;
  const now = new Date().toISOString();
  const lease = input.spec.leaseSeconds;
  // The jobs first, the campaign row last: workers look only at campaigns in the table, so a
  // creation that fails half-way leaves nothing any worker would take.
  await boss.createQueue(queue, {
    heartbeatSeconds: lease,
    expireInSeconds: Math.max(3600, lease * 4),
    retryLimit: 20,
    retryDelay: 1,
    deleteAfterSeconds: 7 * 86_400,
    retentionSeconds: 30 * 86_400,
  });
  try {
    for (let i = 0; i < shards.length; i += INSERT_CHUNK) {
      await boss.insert(
        queue,
        shards.slice(i, i + INSERT_CHUNK).map((s) => ({
          data: { campaignId: id, shard: s.index, ranges: s.ranges, ports: s.ports } satisfies ShardJob,
          // Taken in the permuted order (pg-boss fetches higher priority first).
          priority: shards.length - s.index,
        })),
      );
    }
    const endpointTotal = shards.reduce((n, s) => n + s.endpoints, 0);
    await beginRun(db, {
      id: runId,
      kind: "scan",
      source: `campaign ${input.name}`,
      startedAt: now,
      options: { campaign: input.name, ports: input.spec.ports, excludes: input.spec.excludes },
      targets: input.spec.targets.slice(0, 10_000),
      scope: scopeOf(input.intervals, input.spec.ports),
    });
    await db.execute(sql`
      INSERT INTO campaigns (id, name, run_id, queue, state, spec, shard_total, endpoint_total, created_at)
      VALUES (${id}, ${input.name}, ${runId}, ${queue}, 'queued', ${JSON.stringify(input.spec)}::jsonb,
              ${shards.length}, ${endpointTotal}, ${now}::timestamptz)`);
  } catch (err) {
    await boss.deleteQueue(queue).catch(() => {});
    if ((err as { code?: string }).code === "23505")
      throw new UsageError(`a campaign named "${input.name}" exists already`);
    throw err;
  }
  return { campaign: (await campaignById(db, id))!, shards };
}

export interface WorkerStatus {
  name: string;
  host: string;
  pid: number;
  shardsDone: number;
  lastHeartbeat: string;
}

export interface CampaignStatus {
  name: string;
  state: CampaignState;
  runId: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  shards: { total: number; queued: number; active: number; done: number; failed: number };
  endpoints: { total: number; done: number };
  gateways: number;
  /** Endpoints per second over the last minute of done shards (0 when none). */
  rate: number;
  /** Seconds until done at that rate; null when it cannot be told. */
  etaSeconds: number | null;
  workers: WorkerStatus[];
}

/**
 * Jobs of one queue by pg-boss state; none when pg-boss has no tables in this database (the
 * dashboard over a store no worker has used yet, or a PGlite copy).
 */
async function jobStates(db: StoreDb, queue: string): Promise<Record<string, number>> {
  const [present] = rowsOf<{ present: boolean }>(
    await db.execute(sql`SELECT to_regclass(${`${BOSS_SCHEMA}.job`}) IS NOT NULL AS present`),
  );
  if (!present?.present) return {};
  const rows = rowsOf<{ state: string; n: number }>(
    await db.execute(
      sql`SELECT state::text AS state, count(*)::int AS n FROM ${sql.raw(BOSS_SCHEMA)}.job WHERE name = ${queue} GROUP BY state`,
    ),
  );
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

const RATE_WINDOW_SECONDS = 60;

export async function campaignStatus(db: StoreDb, c: CampaignRow): Promise<CampaignStatus> {
  const jobs = await jobStates(db, c.queue);
  const [done] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT count(*)::int AS shards, coalesce(sum(endpoints), 0)::bigint AS endpoints,
             coalesce(sum(gateways), 0)::int AS gateways,
             coalesce(sum(endpoints) FILTER (WHERE done_at > now() - make_interval(secs => ${RATE_WINDOW_SECONDS})), 0)::bigint AS recent,
             extract(epoch FROM now() - ${c.startedAt ?? c.createdAt}::timestamptz)::float8 AS age
      FROM campaign_shards WHERE campaign_id = ${c.id}`),
  );
  const doneShards = Number(done?.shards ?? 0);
  const doneEndpoints = Number(done?.endpoints ?? 0);
  const window = Math.max(1, Math.min(RATE_WINDOW_SECONDS, Number(done?.age ?? 0)));
  const running = c.state === "running" || c.state === "queued";
  const rate = running ? Number(done?.recent ?? 0) / window : 0;
  const left = Math.max(0, c.endpointTotal - doneEndpoints);
  const workers = rowsOf<Record<string, unknown>>(
    await db.execute(
      sql`SELECT name, host, pid, shards_done, last_heartbeat FROM campaign_workers WHERE campaign_id = ${c.id} ORDER BY name`,
    ),
  ).map((w) => ({
    name: String(w.name),
    host: String(w.host),
    pid: Number(w.pid),
    shardsDone: Number(w.shards_done),
    lastHeartbeat: iso(w.last_heartbeat)!,
  }));
  return {
    name: c.name,
    state: c.state,
    runId: c.runId,
    createdAt: c.createdAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    shards: {
      total: c.shardTotal,
      // A shard whose job completed without a done row (a cancelled campaign's) counts as neither.
      queued: (jobs.created ?? 0) + (jobs.retry ?? 0),
      active: jobs.active ?? 0,
      done: doneShards,
      failed: jobs.failed ?? 0,
    },
    endpoints: { total: c.endpointTotal, done: doneEndpoints },
    gateways: Number(done?.gateways ?? 0),
    rate: Math.round(rate * 10) / 10,
    etaSeconds: left === 0 ? 0 : rate > 0 ? Math.ceil(left / rate) : null,
    workers,
  };
}

export async function listCampaigns(db: StoreDb): Promise<CampaignRow[]> {
  return rowsOf(await db.execute(sql`SELECT * FROM campaigns ORDER BY created_at DESC, id`)).map(campaignOf);
}

/** The status of every campaign, newest first: what the dashboard's campaign page shows. */
export async function campaignStatuses(db: StoreDb): Promise<CampaignStatus[]> {
  const out: CampaignStatus[] = [];
  for (const c of await listCampaigns(db)) out.push(await campaignStatus(db, c));
  return out;
}

/** pause: workers take no more of its shards (those in flight finish); resume: they take them again. */
export async function setPaused(db: StoreDb, name: string, paused: boolean): Promise<CampaignState> {
  const c = await getCampaign(db, name);
  const from: CampaignState[] = paused ? ["queued", "running"] : ["paused"];
  if (!from.includes(c.state))
    throw new UsageError(`campaign "${name}" is ${c.state}: cannot ${paused ? "pause" : "resume"} it`);
  const to: CampaignState = paused ? "paused" : c.startedAt ? "running" : "queued";
  await db.execute(sql`UPDATE campaigns SET state = ${to} WHERE id = ${c.id} AND state = ${c.state}`);
  return to;
}

/** cancel: queued shards are dropped; results of shards in flight are not written. */
export async function cancelCampaign(db: StoreDb, boss: PgBoss, name: string): Promise<void> {
  const c = await getCampaign(db, name);
  if (c.state === "done" || c.state === "cancelled")
    throw new UsageError(`campaign "${name}" is ${c.state} already`);
  await db.execute(
    sql`UPDATE campaigns SET state = 'cancelled', finished_at = now() WHERE id = ${c.id} AND state NOT IN ('done', 'cancelled')`,
  );
  try {
    await boss.deleteQueuedJobs(c.queue);
  } catch (err) {
    throw new RunError(
      `campaign cancelled, but its queued shards could not be dropped: ${(err as Error).message}`,
    );
  }
}

/** True when no campaign a worker would take from has a shard queued, waiting for a retry, or in flight. */
export async function nothingLeft(db: StoreDb): Promise<boolean> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`
      SELECT count(*)::int AS n FROM ${sql.raw(BOSS_SCHEMA)}.job j JOIN campaigns c ON j.name = c.queue
      WHERE c.state IN ('queued', 'running') AND j.state IN ('created', 'retry', 'active')`),
  );
  return Number(row?.n ?? 0) === 0;
}

/** This machine's name for campaign status. */
export const HOST = hostname();
