// `scan --store`: one scan becomes one run (a fresh id) whose records stream into the store in batches.
import { randomUUID } from "node:crypto";
import type { Observation } from "../fingerprints/observation.ts";
import { formatIp, type Interval } from "../targets/ip.ts";
import { MAX_SCOPE_RANGES } from "./asset-state.ts";
import { openStore } from "./db.ts";
import type { RunScope } from "./schema.ts";
import { beginRun, RunWriter } from "./write.ts";

export interface ScanRunSink {
  runId: string;
  add(o: Observation): Promise<void>;
  /** Write the rest, mark the run complete, close the store. */
  finish(): Promise<number>;
  /** Write the rest but leave the run incomplete (interrupted), close the store. */
  close(): Promise<void>;
}

/**
 * A scan's scope for the store: its address intervals (excludes already cut out) and ports.
 * Hostnames and URLs are left out (what they resolve to can change), so their assets are never
 * closed by absence; a scope too large to keep is none at all.
 */
export function scopeOf(intervals: readonly Interval[], ports: readonly number[]): RunScope | null {
  if (intervals.length === 0 || intervals.length > MAX_SCOPE_RANGES) return null;
  return {
    ranges: intervals.map((i) => [formatIp(i.family, i.start), formatIp(i.family, i.end)]),
    ports: [...ports],
  };
}

export async function openScanRun(run: {
  targets: string[];
  options: Record<string, unknown>;
  scope?: RunScope | null;
  profile?: string | null;
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
    scope: run.scope ?? null,
    profile: run.profile ?? null,
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
