import { loadStoredSuppressions } from "../findings/stored-suppressions.ts";
import { openStore, type Store, StoreBusyError, type StoreDb } from "./db.ts";
import { listGateways } from "./gateways.ts";
import { listAssets, listFindings, streamRecords } from "./query.ts";
import { listRunSummaries, runExists, runSummary } from "./runs.ts";
import type { StoreSession } from "./session-types.ts";
import { beginRun, completeRun, writeBatch } from "./write.ts";

export type { StoredFindingRow, StoreSession } from "./session-types.ts";

/** A session on a store this process opened. */
export function localSession(store: Store): StoreSession {
  return dbSession(store.db, `${store.backend} ${store.location}`, () => store.close());
}

/** A session on an open database handle (closing it is the caller's `close`). */
export function dbSession(
  db: StoreDb,
  where: string,
  close: () => Promise<void> = async () => {},
): StoreSession {
  return {
    where,
    listAssets: (f) => listAssets(db, f),
    listRuns: (limit) => listRunSummaries(db, limit),
    runExists: (id) => runExists(db, id),
    records: (f) => streamRecords(db, f),
    findings: (f) => listFindings(db, f),
    gateways: () => listGateways(db),
    suppressions: () => loadStoredSuppressions(db),
    beginRun: (run) => beginRun(db, run),
    writeBatch: (runId, batch) => writeBatch(db, runId, batch),
    completeRun: async (runId, finishedAt) => {
      await completeRun(db, runId, finishedAt);
      return runSummary(db, runId);
    },
    summary: (runId) => runSummary(db, runId),
    close,
  };
}

/**
 * Open the store for a command. A PGlite store held by a running `serve` is reached through
 * it; held by anything else (a scan, monitor), the error says who holds it and what to do.
 */
export async function openSession(open: () => Promise<Store> = () => openStore()): Promise<StoreSession> {
  try {
    return localSession(await open());
  } catch (err) {
    if (!(err instanceof StoreBusyError) || err.dir === null) throw err;
    const { servedSession } = await import("./remote.ts");
    const served = await servedSession(err.dir, err.owner);
    if (served) return served;
    throw err;
  }
}

/** openSession for a command: any failure is one line the user can act on (exit 3). */
export async function openCommandSession(): Promise<StoreSession> {
  const { RunError } = await import("../core/errors.ts");
  try {
    return await openSession();
  } catch (err) {
    if (err instanceof RunError) throw err;
    throw new RunError(`cannot open the store: ${(err as Error).message}`);
  }
}

export { SessionRunWriter } from "./session-writer.ts";
