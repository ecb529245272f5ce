// `scan --store`: one scan becomes one run (a fresh id) whose records stream into the store in batches.
import { randomUUID } from "node:crypto";
import type { Observation } from "../scan/record.ts";
import { defaultDataDir, lockOwner, StoreBusyError } from "./lock.ts";
import type { RunSummary } from "./runs.ts";
import type { RunScope } from "./schema.ts";
import { scopeOf } from "./scope.ts";
import { readServeFile } from "./serve-file.ts";
import { openThreadSession } from "./session-thread.ts";
import { SessionRunWriter } from "./session-writer.ts";

export { scopeOf };

export interface ScanRunSink {
  runId: string;
  /** Where the run went (for the line that says so). */
  readonly where: string;
  add(o: Observation): Promise<void>;
  /** Write the rest, mark the run complete, close the store; what the run stored. */
  finish(): Promise<RunSummary>;
  /** Write the rest but leave the run incomplete (interrupted), close the store; what it stored. */
  close(): Promise<RunSummary>;
}

/**
 * Open a scan run. The store is opened beside the scan, not before it (loading the database
 * and starting PGlite cost about as long as a small scan): records wait in memory until it is
 * ready. Only a store that is certainly unavailable (held by a process that is no dashboard)
 * fails here, before any scanning. When a running `serve` holds the store, the run goes
 * through it (src/store/remote.ts).
 */
export async function openScanRun(run: {
  targets: string[];
  options: Record<string, unknown>;
  scope?: RunScope | null;
  profile?: string | null;
  batchSize?: number;
}): Promise<ScanRunSink> {
  checkNotHeld();
  const runId = `scan-${randomUUID()}`;
  const startedAt = new Date().toISOString();
  const ready = (async () => {
    // On its own thread: PGlite's work overlaps the scan instead of adding to it.
    const session = await openThreadSession();
    try {
      await session.beginRun({
        id: runId,
        kind: "scan",
        source: "scan",
        startedAt,
        options: run.options,
        targets: run.targets.slice(0, 10_000),
        scope: run.scope ?? null,
        profile: run.profile ?? null,
      });
    } catch (err) {
      await session.close().catch(() => {});
      throw err;
    }
    return { session, writer: new SessionRunWriter(session, runId, run.batchSize ?? 200) };
  })();
  // Until the store is ready, records are kept here; a failure to open is reported when the
  // scan hands over its records (add, finish or close), not as an unhandled rejection.
  ready.catch(() => {});
  const waiting: Observation[] = [];
  let opened: Awaited<typeof ready> | null = null;
  const writer = async () => {
    if (!opened) {
      opened = await ready;
      for (const o of waiting.splice(0)) await opened.writer.add(o);
    }
    return opened.writer;
  };
  const session = () => opened!.session;
  return {
    runId,
    get where() {
      return opened ? opened.session.where : "the store";
    },
    add: async (o) => {
      if (opened) await opened.writer.add(o);
      else {
        waiting.push(o);
        // Past a batch, wait for the store rather than hold a large scan in memory.
        if (waiting.length >= (run.batchSize ?? 200)) await writer();
      }
    },
    finish: async () => {
      const w = await writer();
      try {
        return await w.finish();
      } finally {
        await session().close();
      }
    },
    close: async () => {
      const w = await writer();
      try {
        await w.flush();
        return await session().summary(runId);
      } finally {
        await session().close();
      }
    },
  };
}

/** Fail at once when the PGlite store is held by a process that is no dashboard (a scan, monitor). */
function checkNotHeld(): void {
  if (process.env.DATABASE_URL) return;
  const dir = defaultDataDir();
  const owner = lockOwner(dir);
  if (owner !== null && readServeFile(dir, owner) === null)
    throw new StoreBusyError(
      `the store ${dir} is in use by process ${owner} (PGlite allows one process; wait for it to finish, or use DATABASE_URL for shared use)`,
      dir,
      owner,
    );
}
