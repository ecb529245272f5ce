// `scan --store`: one scan becomes one run (a fresh id) whose records stream into the store in batches.
import { randomUUID } from "node:crypto";
import type { Observation } from "../fingerprints/observation.ts";
import { openStore } from "./db.ts";
import { beginRun, RunWriter } from "./write.ts";

export interface ScanRunSink {
  runId: string;
  add(o: Observation): Promise<void>;
  /** Write the rest, mark the run complete, close the store. */
  finish(): Promise<number>;
  /** Write the rest but leave the run incomplete (interrupted), close the store. */
  close(): Promise<void>;
}

export async function openScanRun(run: {
  targets: string[];
  options: Record<string, unknown>;
  batchSize?: number;
}): Promise<ScanRunSink> {
  const store = await openStore();
  const runId = `scan-${randomUUID()}`;
  await beginRun(store.db, {
    id: runId,
    kind: "scan",
    source: "scan",
    startedAt: new Date().toISOString(),
    options: run.options,
    targets: run.targets.slice(0, 10_000),
  });
  const writer = new RunWriter(store.db, runId, run.batchSize ?? 200);
  return {
    runId,
    add: (o) => writer.add(o),
    finish: async () => {
      try {
        return await writer.finish();
      } finally {
        await store.close();
      }
    },
    close: async () => {
      try {
        await writer.flush();
      } finally {
        await store.close();
      }
    },
  };
}
