// Writing runs into the store. A run row is created `incomplete`; observations go in in
// batches, each batch one transaction that also folds its assets and findings in; only the
// last transaction marks the run `complete` (with its observation count). Every write is an
// upsert keyed by something stable (run id + sequence number, ip + port, finding identity),
// and first/last-seen are folded with least/greatest, so writing the same run again (a
// re-import, or a resume after a kill) changes nothing that was already there.
import { preAuthIds } from "../advisories/counts.ts";
import { placeBatch } from "../enrich/place-records.ts";
import { evidenceHash, findingId } from "../findings/identity.ts";
import type { Finding } from "../findings/model.ts";
import type { Observation } from "../scan/record.ts";
import { advisoryIdsOf, advisorySetHash, saveAdvisorySets, splitRecord } from "./advisory-sets.ts";
import {
  assetEventsFor,
  changedSets,
  closeUnseen,
  currentAssets,
  recomputeDailyStats,
} from "./asset-state.ts";
import { eq, sql } from "./drizzle.ts";
import { rowsOf, type StoreDb } from "./rows.ts";
import { assetEvents, assets, findings, observations, type RunScope, runs } from "./schema.ts";

export type RunKind = "scan" | "audit" | "skills";

export interface RunInfo {
  id: string;
  kind: RunKind;
  source?: string | null;
  startedAt: string;
  options?: Record<string, unknown>;
  targets?: string[];
  /** What a scan covered: assets inside it that the run did not see are closed when it completes. */
  scope?: RunScope | null;
  /** The monitor profile that started the run. */
  profile?: string | null;
}

export type RunState = "new" | "incomplete" | "complete";

// The identity functions live in src/findings/identity.ts (output code uses them without the store).
export { evidenceHash, findingId };

/** Create the run row (incomplete) unless it exists; say what state it was in. */
export async function beginRun(db: StoreDb, run: RunInfo): Promise<RunState> {
  const inserted = await db
    .insert(runs)
    .values({
      id: run.id,
      kind: run.kind,
      status: "incomplete",
      source: run.source ?? null,
      startedAt: run.startedAt,
      options: run.options ?? {},
      targets: run.targets ?? [],
      scope: run.scope ?? null,
      profile: run.profile ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: runs.id });
  if (inserted.length > 0) return "new";
  const [row] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, run.id));
  return row?.status === "complete" ? "complete" : "incomplete";
}

export interface Numbered {
  seq: number;
  observation: Observation;
}

/** a is strictly earlier than b (timestamps may carry any offset, so compare instants, not text). */
const before = (a: string, b: string) => Date.parse(a) < Date.parse(b);

const laterWins = (col: string) =>
  sql.raw(
    `CASE WHEN excluded.last_seen >= ${col.split(".")[0]}.last_seen THEN excluded.${col.split(".")[1]} ELSE ${col} END`,
  );

/** The later sighting's place when it has one, else the place already known. */
const placeWins = (col: string) =>
  sql.raw(
    `CASE WHEN excluded.last_seen >= assets.last_seen THEN coalesce(excluded.${col}, assets.${col}) ELSE coalesce(assets.${col}, excluded.${col}) END`,
  );

type Tx = Parameters<Parameters<StoreDb["transaction"]>[0]>[0];

/** A finding and when it was seen, as the findings table folds it in. */
export interface SeenFinding {
  finding: Finding;
  seen: string;
}

/** Fold findings into the findings table: one row per identity, first/last seen widened. */
async function upsertFindings(tx: Tx | StoreDb, runId: string, list: readonly SeenFinding[]): Promise<void> {
  const findingRows = new Map<string, typeof findings.$inferInsert>();
  for (const { finding: f, seen } of list) {
    const id = findingId(f);
    const prev = findingRows.get(id);
    const row = {
      id,
      ruleId: f.ruleId,
      asset: f.asset,
      evidenceHash: evidenceHash(f),
      severity: f.severity,
      title: f.title,
      finding: f,
      firstSeen: seen,
      lastSeen: seen,
      firstRunId: runId,
      lastRunId: runId,
    };
    if (!prev) findingRows.set(id, row);
    else {
      const earlier = before(prev.firstSeen, seen) ? prev : row;
      const later = before(seen, prev.lastSeen) ? prev : row;
      findingRows.set(id, { ...later, firstSeen: earlier.firstSeen, firstRunId: earlier.firstRunId });
    }
  }
  if (findingRows.size === 0) return;
  // Most findings of a daily scan were seen yesterday: widen their seen-range with a light
  // UPDATE (no finding JSON sent), and send the full row only for those not stored yet. The
  // stored finding keeps the evidence of its first sighting (same identity; only nonces differ).
  const values = sql.join(
    [...findingRows.values()].map(
      (r) =>
        sql`(${r.id}, ${r.firstSeen}::timestamptz, ${r.lastSeen}::timestamptz, ${r.firstRunId}, ${r.lastRunId}, ${r.severity}, ${r.title})`,
    ),
    sql`, `,
  );
  const updated = rowsOf<{ id: string }>(
    await tx.execute(sql`
      UPDATE findings AS f SET
        severity = CASE WHEN v.last_seen >= f.last_seen THEN v.severity ELSE f.severity END,
        title = CASE WHEN v.last_seen >= f.last_seen THEN v.title ELSE f.title END,
        last_run_id = CASE WHEN v.last_seen >= f.last_seen THEN v.last_run_id ELSE f.last_run_id END,
        first_run_id = CASE WHEN v.first_seen < f.first_seen THEN v.first_run_id ELSE f.first_run_id END,
        first_seen = least(f.first_seen, v.first_seen),
        last_seen = greatest(f.last_seen, v.last_seen)
      FROM (VALUES ${values}) AS v(id, first_seen, last_seen, first_run_id, last_run_id, severity, title)
      WHERE f.id = v.id
      RETURNING f.id`),
  );
  for (const { id } of updated) findingRows.delete(String(id));
  if (findingRows.size === 0) return;
  await tx
    .insert(findings)
    .values([...findingRows.values()])
    .onConflictDoUpdate({
      target: findings.id,
      set: {
        severity: laterWins("findings.severity"),
        title: laterWins("findings.title"),
        lastRunId: laterWins("findings.last_run_id"),
        firstRunId: sql.raw(
          "CASE WHEN excluded.first_seen < findings.first_seen THEN excluded.first_run_id ELSE findings.first_run_id END",
        ),
        firstSeen: sql.raw("least(findings.first_seen, excluded.first_seen)"),
        lastSeen: sql.raw("greatest(findings.last_seen, excluded.last_seen)"),
      },
    });
}

/**
 * Findings of an audit or skills run (no endpoints): one transaction that folds them into the
 * findings table, in chunks so a large report never becomes one oversized statement.
 */
export async function writeFindings(db: StoreDb, runId: string, list: readonly SeenFinding[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (let i = 0; i < list.length; i += 500) await upsertFindings(tx, runId, list.slice(i, i + 500));
  });
}

/** The asset row an observation makes (only reachable endpoints with an address become assets). */
function assetRow(o: Observation, runId: string): typeof assets.$inferInsert {
  return {
    ip: o.ip,
    port: o.port,
    host: o.host,
    product: o.product,
    version: o.version,
    auth: o.auth,
    remoteLooksLocal: o.remoteLooksLocal,
    severity: o.severity,
    advisories: [],
    advisorySet: advisorySetHash(o.advisories),
    preauthAdvisories: preAuthIds(o.advisories),
    country: o.country ?? null,
    asn: o.asn ?? null,
    asOrg: o.asOrg ?? null,
    verified: o.source?.verified !== false,
    preauthCount: preAuthIds(o.advisories).length,
    firstSeen: o.scannedAt,
    lastSeen: o.scannedAt,
    lastRunId: runId,
  };
}

/** One batch of observations of a run, with their assets, asset events and findings, in one transaction. */
export async function writeBatch(db: StoreDb, runId: string, unplaced: readonly Numbered[]): Promise<void> {
  if (unplaced.length === 0) return;
  // Every record is stored with where its address is routed (src/enrich/place-records.ts).
  const batch = placeBatch(unplaced);
  const assetRows = new Map<string, typeof assets.$inferInsert>();
  for (const { observation: o } of batch) {
    if (!o.reachable || o.ip === "") continue;
    const key = `${o.ip}|${o.port}`;
    const prev = assetRows.get(key);
    const row = assetRow(o, runId);
    if (!prev) assetRows.set(key, row);
    else {
      const first = before(prev.firstSeen, row.lastSeen) ? prev.firstSeen : row.lastSeen;
      assetRows.set(
        key,
        before(row.lastSeen, prev.lastSeen) ? { ...prev, firstSeen: first } : { ...row, firstSeen: first },
      );
    }
  }
  const seenFindings = batch.flatMap(({ observation: o }) =>
    o.findings.map((finding) => ({ finding, seen: o.scannedAt })),
  );
  await db.transaction(async (tx) => {
    await saveAdvisorySets(
      tx,
      batch.map((b) => b.observation),
    );
    await tx
      .insert(observations)
      .values(
        batch.map(({ seq, observation: o }) => ({
          ...splitRecord(o),
          runId,
          seq,
          host: o.host,
          ip: o.ip === "" ? null : o.ip,
          port: o.port,
          reachable: o.reachable,
          product: o.product,
          version: o.version,
          auth: o.auth,
          remoteLooksLocal: o.remoteLooksLocal,
          severity: o.severity,
          scannedAt: o.scannedAt,
        })),
      )
      .onConflictDoNothing();
    if (assetRows.size > 0) {
      const incoming = [...assetRows.values()];
      const current = await currentAssets(tx, incoming);
      const events = assetEventsFor(
        current,
        incoming,
        runId,
        await advisoryIdsOf(tx, changedSets(current, incoming)),
      );
      await tx
        .insert(assets)
        .values(incoming)
        .onConflictDoUpdate({
          target: [assets.ip, assets.port],
          set: {
            host: laterWins("assets.host"),
            product: laterWins("assets.product"),
            version: laterWins("assets.version"),
            auth: laterWins("assets.auth"),
            remoteLooksLocal: laterWins("assets.remote_looks_local"),
            severity: laterWins("assets.severity"),
            advisories: laterWins("assets.advisories"),
            advisorySet: laterWins("assets.advisory_set"),
            preauthAdvisories: laterWins("assets.preauth_advisories"),
            lastRunId: laterWins("assets.last_run_id"),
            verified: laterWins("assets.verified"),
            preauthCount: laterWins("assets.preauth_count"),
            // An address's place does not change with a sighting: a record without one keeps the known place.
            country: placeWins("country"),
            asn: placeWins("asn"),
            asOrg: placeWins("as_org"),
            // Seen after it was closed: open again (a late import of an older run changes nothing).
            state: sql.raw(
              "CASE WHEN assets.state = 'closed' AND excluded.last_seen > assets.closed_at THEN 'open' ELSE assets.state END",
            ),
            reopenCount: sql.raw(
              "assets.reopen_count + CASE WHEN assets.state = 'closed' AND excluded.last_seen > assets.closed_at THEN 1 ELSE 0 END",
            ),
            closedAt: sql.raw(
              "CASE WHEN assets.state = 'closed' AND excluded.last_seen > assets.closed_at THEN NULL ELSE assets.closed_at END",
            ),
            firstSeen: sql.raw("least(assets.first_seen, excluded.first_seen)"),
            lastSeen: sql.raw("greatest(assets.last_seen, excluded.last_seen)"),
          },
        });
      if (events.length > 0) await tx.insert(assetEvents).values(events).onConflictDoNothing();
    }
    await upsertFindings(tx, runId, seenFindings);
  });
}

/** Mark a run complete, in one transaction, with the number of observations it holds. */
export async function completeRun(db: StoreDb, runId: string, finishedAt: string): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = rowsOf<{ n: number }>(
      await tx.execute(sql`SELECT count(*)::int AS n FROM observations WHERE run_id = ${runId}`),
    );
    const n = Number(row?.n ?? 0);
    const [run] = await tx
      .update(runs)
      .set({ status: "complete", finishedAt, observationCount: n })
      .where(eq(runs.id, runId))
      .returning({ kind: runs.kind, startedAt: runs.startedAt, scope: runs.scope });
    if (run?.kind === "scan") {
      if (run.scope)
        await closeUnseen(tx, { id: runId, startedAt: run.startedAt, finishedAt, scope: run.scope });
      await recomputeDailyStats(tx, finishedAt);
    }
    return n;
  });
}

/** Streams observations of one run into the store in batches of `batchSize`. */
export class RunWriter {
  readonly db: StoreDb;
  readonly runId: string;
  readonly batchSize: number;
  #pending: Numbered[] = [];
  #seq = 0;
  written = 0;

  constructor(db: StoreDb, runId: string, batchSize = 500) {
    this.db = db;
    this.runId = runId;
    this.batchSize = batchSize;
  }

  async add(observation: Observation, seq = this.#seq): Promise<void> {
    this.#seq = seq + 1;
    this.#pending.push({ seq, observation });
    if (this.#pending.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    await writeBatch(this.db, this.runId, batch);
    this.written += batch.length;
  }

  /** Flush what is left and mark the run complete; returns the run's observation count. */
  async finish(finishedAt = new Date().toISOString()): Promise<number> {
    await this.flush();
    return completeRun(this.db, this.runId, finishedAt);
  }
}
