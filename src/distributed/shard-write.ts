// Writing one shard's results, exactly once. The shard's campaign_shards row (keyed by campaign
// and shard) is inserted in the same transaction as its observations, so a shard scanned twice
// (its first worker was killed after writing, before completing the job; or its lease expired
// while it was still writing) adds nothing the second time: the second insert waits for the
// first's transaction on the key and then finds it there.
// No lock on the campaign row is held while a shard is written. The records' sequence numbers
// are reserved by one UPDATE of their own (a shard found to be a duplicate leaves a gap, which
// nothing minds), and once the shard is committed, completeIfAllDone counts the done shards and
// completes the campaign with one conditional UPDATE, so exactly one caller completes the run
// (which closes unseen assets and counts the day once for the whole campaign); workers also call
// it for campaigns they find nothing left to take in, so a writer killed between its commit and
// that step leaves nothing undone. Holding the campaign row for the whole write (the enrichment,
// advisories, assets and findings of every record), or even for its last round trips, made
// every worker's writes wait in one line on a busy machine: with 4 workers a shard took longer
// to store than to scan.
import type { Observation } from "../scan/record.ts";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { completeRun, writeBatch } from "../store/write.ts";

export type ShardWriteResult = "written" | "duplicate" | "cancelled";

export interface ShardResult {
  campaignId: string;
  shard: number;
  worker: string;
  /** The pg-boss attempt (retry count) that produced it. */
  attempt: number;
  endpoints: number;
  observations: readonly Observation[];
}

const BATCH = 500;

/** Sequence numbers for `n` records of the campaign's run: the first, or null when cancelled. */
async function reserveSeqs(db: StoreDb, campaignId: string, n: number): Promise<number | null> {
  const [row] = rowsOf<{ first: number }>(
    await db.execute(sql`
      UPDATE campaigns SET next_seq = next_seq + ${n}
      WHERE id = ${campaignId} AND state <> 'cancelled'
      RETURNING next_seq - ${n} AS first`),
  );
  return row ? Number(row.first) : null;
}

class Cancelled extends Error {}

export async function writeShard(db: StoreDb, r: ShardResult): Promise<ShardWriteResult> {
  const [c] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`SELECT state, run_id FROM campaigns WHERE id = ${r.campaignId}`),
  );
  if (!c || c.state === "cancelled") return "cancelled";
  const [written] = rowsOf(
    await db.execute(
      sql`SELECT 1 FROM campaign_shards WHERE campaign_id = ${r.campaignId} AND shard = ${r.shard}`,
    ),
  );
  if (written) return "duplicate";
  const n = r.observations.length;
  let seq = n === 0 ? 0 : await reserveSeqs(db, r.campaignId, n);
  if (seq === null) return "cancelled";
  const runId = String(c.run_id);
  let result: ShardWriteResult;
  try {
    result = await db.transaction(async (tx) => {
      const gateways = r.observations.filter((o) => o.product !== null).length;
      const inserted = rowsOf(
        await tx.execute(sql`
          INSERT INTO campaign_shards (campaign_id, shard, worker, endpoints, records, gateways, attempt, done_at)
          VALUES (${r.campaignId}, ${r.shard}, ${r.worker}, ${r.endpoints}, ${n}, ${gateways}, ${r.attempt}, now())
          ON CONFLICT DO NOTHING RETURNING shard`),
      );
      if (inserted.length === 0) return "duplicate";
      for (let i = 0; i < n; i += BATCH) {
        const batch = r.observations.slice(i, i + BATCH).map((observation) => ({ seq: seq!++, observation }));
        await writeBatch(tx as unknown as StoreDb, runId, batch);
      }
      // Cancelled while this was written: nothing of it is kept (read without a lock: a cancel
      // landing in the last round trip lets this one shard through).
      const [now] = rowsOf<{ state: string }>(
        await tx.execute(sql`SELECT state FROM campaigns WHERE id = ${r.campaignId}`),
      );
      if (!now || now.state === "cancelled") throw new Cancelled();
      return "written";
    });
  } catch (err) {
    if (err instanceof Cancelled) return "cancelled";
    throw err;
  }
  if (result === "written") {
    // Outside the write: a worker's shards stored at the same moment, and its heartbeats, do not
    // wait for each other on its row.
    await db.execute(
      sql`UPDATE campaign_workers SET shards_done = shards_done + 1, last_heartbeat = now() WHERE campaign_id = ${r.campaignId} AND name = ${r.worker}`,
    );
  }
  // A duplicate too: its first writer may have died before this step.
  await completeIfAllDone(db, r.campaignId);
  return result;
}

/**
 * Complete the campaign once every shard is stored: its state and its run, in one transaction,
 * by whichever caller's UPDATE finds it not done yet (the others find nothing to update). True
 * when this call completed it.
 */
export async function completeIfAllDone(db: StoreDb, campaignId: string): Promise<boolean> {
  const [row] = rowsOf<{ n: number; total: number }>(
    await db.execute(sql`
      SELECT (SELECT count(*)::int FROM campaign_shards WHERE campaign_id = ${campaignId}) AS n,
             shard_total AS total
      FROM campaigns WHERE id = ${campaignId} AND state IN ('queued', 'running', 'paused')`),
  );
  if (!row || Number(row.n) < Number(row.total)) return false;
  return db.transaction(async (tx) => {
    const finishedAt = new Date().toISOString();
    const [done] = rowsOf<{ run_id: string }>(
      await tx.execute(sql`
        UPDATE campaigns SET state = 'done', finished_at = ${finishedAt}::timestamptz
        WHERE id = ${campaignId} AND state IN ('queued', 'running', 'paused')
        RETURNING run_id`),
    );
    if (!done) return false;
    await completeRun(tx as unknown as StoreDb, String(done.run_id), finishedAt);
    return true;
  });
}
