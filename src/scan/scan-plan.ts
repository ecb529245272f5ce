// A scan of a target plan: the entry point of `scan` and `monitor`. It decides where the
// connect sweep runs: on a thread of its own, with the main thread helping (many IPv4
// endpoints and two cores or more; see sweep-thread.ts), or on the main thread alone.

import { RateLimiter } from "../net/pacing.ts";
import type { TargetPlan } from "../targets/spec.ts";
import { canShareWalk, plannedEndpointCount, sharedWalk, streamEndpoints } from "../targets/stream.ts";
import {
  bothSweeps,
  runPipeline,
  runScan,
  type ScanOptions,
  type ScanProgress,
  sweepHere,
} from "./engine.ts";
import type { Observation } from "./record.ts";
import { mainThreadSweepers, sweepOnThread, useSweepThread } from "./sweep-thread.ts";

export function scanPlan(
  plan: TargetPlan,
  ports: number[],
  seed: number,
  options: ScanOptions,
  onProgress?: (p: ScanProgress) => void,
): AsyncGenerator<Observation> {
  if (!useSweepThread(plannedEndpointCount(plan, ports)) || !canShareWalk(plan, ports))
    return runScan(streamEndpoints(plan, ports, { seed }), options, onProgress);
  // Both threads draw from one rate and claim positions of one walk.
  const rateState = RateLimiter.sharedState();
  const walkState = new SharedArrayBuffer(8);
  const thread = sweepOnThread(
    {
      plan,
      ports,
      seed,
      concurrency: options.concurrency,
      connectTimeoutMs: options.limits.connectTimeoutMs,
      includeClosed: options.includeClosed,
      rate: options.rate,
      rateState,
      walkState,
      window: Math.max(64, 4 * options.probeConcurrency),
    },
    options.signal,
  );
  const here = sweepHere(streamEndpoints(plan, ports, { seed, claim: sharedWalk(walkState) }), {
    ...options,
    concurrency: mainThreadSweepers(options.concurrency),
  });
  return runPipeline(bothSweeps(thread, here), options, onProgress, rateState);
}
