// One monitor scan, in-process, through the same engine `clawpatrol scan` uses: the profile's
// target plan streamed as endpoints, swept, probed, fingerprinted and assessed, and every record
// written into the store as a scan run with the profile's scope, so the store's asset state
// closes what the run covered but did not see and records the run's asset events.
import { randomUUID } from "node:crypto";
import { limitsForTimeout } from "../net/limits.ts";
import type { ScanProgress } from "../scan/engine.ts";
import { scanPlan } from "../scan/scan-plan.ts";
import type { StoreDb } from "../store/db.ts";
import { scopeOf } from "../store/scan-sink.ts";
import { beginRun, RunWriter } from "../store/write.ts";
import type { Profile } from "./config.ts";

export interface MonitorScanResult {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** complete: the run covered its scope; interrupted: stopped early, left incomplete in the store. */
  status: "complete" | "interrupted";
  progress: ScanProgress;
  records: number;
}

export async function runMonitorScan(
  db: StoreDb,
  profile: Profile,
  options: {
    signal?: AbortSignal;
    runId?: string;
    onStart?: (runId: string, startedAt: string) => Promise<void>;
  } = {},
): Promise<MonitorScanResult> {
  const runId = options.runId ?? `scan-${randomUUID()}`;
  const startedAt = new Date().toISOString();
  await beginRun(db, {
    id: runId,
    kind: "scan",
    source: "monitor",
    startedAt,
    options: {
      ports: profile.portSpec,
      excludes: profile.excludes,
      timeout: profile.timeoutMs,
      rate: profile.rate,
      concurrency: profile.concurrency,
    },
    targets: profile.targets.slice(0, 10_000),
    scope: scopeOf(profile.plan.intervals, profile.ports),
    profile: profile.name,
  });
  await options.onStart?.(runId, startedAt);
  const writer = new RunWriter(db, runId, 200);
  let progress: ScanProgress = { swept: 0, open: 0, probed: 0, gateways: 0, inFlight: 0 };
  const results = scanPlan(
    profile.plan,
    profile.ports,
    Math.floor(Math.random() * 2 ** 48),
    {
      rate: profile.rate,
      concurrency: profile.concurrency,
      probeConcurrency: profile.probeConcurrency,
      perHost: profile.perHost,
      limits: limitsForTimeout(profile.timeoutMs),
      includeClosed: false,
      advise: { load: async () => (await import("../scan/advise.ts")).scanAdvisor() },
      ...(options.signal ? { signal: options.signal } : {}),
    },
    (p) => {
      progress = p;
    },
  );
  for await (const o of results) await writer.add(o);
  const finishedAt = new Date().toISOString();
  if (options.signal?.aborted) {
    // What was found is kept, but the run never looks like a full picture of its scope.
    await writer.flush();
    return { runId, startedAt, finishedAt, status: "interrupted", progress, records: writer.written };
  }
  await writer.finish(finishedAt);
  return { runId, startedAt, finishedAt, status: "complete", progress, records: writer.written };
}
