// Writing one shard's results, exactly once. The shard's campaign_shards row (keyed by campaign
// and shard) is inserted in the same transaction as its observations, so a shard scanned twice
// (its first worker was killed after writing, before completing the job; or its lease expired
// while it was still writing) adds nothing the second time: the second insert waits for the
// first's transaction on the key and then finds it there.
// The campaign row is locked only for moments: the records' sequence numbers are reserved by
// one UPDATE of their own (a shard found to be a duplicate leaves a gap, which nothing minds),
// and the row is locked again as the transaction's last step, to count the done shards. Holding
// it for the whole write (the enrichment, advisories, assets and findings of every record) made
// every worker's writes, and every worker's next take, wait in one line: with 4 workers a shard
// took twice as long as with one. Taken last, the lock still makes the last shard's writer the
// only one that sees every shard done: it completes the run, which closes unseen assets and
// counts the day once for the whole campaign.
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
    await db.execute(sql`SELECT state, run_id, shard_total FROM campaigns WHERE id = ${r.campaignId}`),
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
  try {
    return await db.transaction(async (tx) => {
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
      await tx.execute(
        sql`UPDATE campaign_workers SET shards_done = shards_done + 1, last_heartbeat = now() WHERE campaign_id = ${r.campaignId} AND name = ${r.worker}`,
      );
      // Last, under the campaign row's lock: cancelled meanwhile (nothing written), or the last
      // shard. NO KEY UPDATE: every writer's campaign_shards row holds a key-share lock on the
      // campaign (its foreign key), which FOR UPDATE would wait for, and they for it: a deadlock.
      const [now] = rowsOf<{ state: string }>(
        await tx.execute(sql`SELECT state FROM campaigns WHERE id = ${r.campaignId} FOR NO KEY UPDATE`),
      );
      if (!now || now.state === "cancelled") throw new Cancelled();
      const [done] = rowsOf<{ n: number }>(
        await tx.execute(
          sql`SELECT count(*)::int AS n FROM campaign_shards WHERE campaign_id = ${r.campaignId}`,
        ),
      );
      if (Number(done?.n) >= Number(c.shard_total)) {
        const finishedAt = new Date().toISOString();
        await tx.execute(
          sql`UPDATE campaigns SET state = 'done', finished_at = ${finishedAt}::timestamptz WHERE id = ${r.campaignId}`,
        );
        await completeRun(tx as unknown as StoreDb, runId, finishedAt);
      }
      return "written";
    });
  } catch (err) {
    if (err instanceof Cancelled) return "cancelled";
    throw err;
  }
}
