// Writing one shard's results, exactly once. The shard's campaign_shards row (keyed by campaign
// and shard) is inserted in the same transaction as its observations (each keyed by the
// campaign's run and a sequence number handed out under the campaign row's lock), so a shard
// scanned twice (its first worker was killed after writing, before completing the job; or its
// lease expired while it was still writing) adds nothing the second time. The campaign row's
// lock also makes the last shard's writer the only one that sees every shard done: it completes
// the run, which closes unseen assets and counts the day once for the whole campaign.
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

export async function writeShard(db: StoreDb, r: ShardResult): Promise<ShardWriteResult> {
  return db.transaction(async (tx) => {
    const [c] = rowsOf<Record<string, unknown>>(
      await tx.execute(
        sql`SELECT state, run_id, next_seq, shard_total FROM campaigns WHERE id = ${r.campaignId} FOR UPDATE`,
      ),
    );
    if (!c || c.state === "cancelled") return "cancelled";
    const gateways = r.observations.filter((o) => o.product !== null).length;
    const inserted = rowsOf(
      await tx.execute(sql`
        INSERT INTO campaign_shards (campaign_id, shard, worker, endpoints, records, gateways, attempt, done_at)
        VALUES (${r.campaignId}, ${r.shard}, ${r.worker}, ${r.endpoints}, ${r.observations.length}, ${gateways}, ${r.attempt}, now())
        ON CONFLICT DO NOTHING RETURNING shard`),
    );
    if (inserted.length === 0) return "duplicate";
    const runId = String(c.run_id);
    let seq = Number(c.next_seq);
    await tx.execute(
      sql`UPDATE campaigns SET next_seq = next_seq + ${r.observations.length}, state = CASE WHEN state = 'queued' THEN 'running' ELSE state END, started_at = coalesce(started_at, now()) WHERE id = ${r.campaignId}`,
    );
    for (let i = 0; i < r.observations.length; i += BATCH) {
      const batch = r.observations.slice(i, i + BATCH).map((observation) => ({ seq: seq++, observation }));
      await writeBatch(tx as unknown as StoreDb, runId, batch);
    }
    await tx.execute(
      sql`UPDATE campaign_workers SET shards_done = shards_done + 1, last_heartbeat = now() WHERE campaign_id = ${r.campaignId} AND name = ${r.worker}`,
    );
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
}
