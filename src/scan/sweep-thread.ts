// The connect sweep on its own thread. On a scan of many addresses the sweep is most of the
// CPU (a connect, a refusal and a close per address), and it competes with the probes for
// the one JavaScript thread; on a second core it does not. The thread (sweep-worker.ts)
// walks the same target stream and posts the open endpoints here, in batches; the probe
// stage connects to them again (a socket cannot move between threads). The main thread
// sweeps too, with a few sweepers, in the gaps its probes leave: both claim positions of
// one shared walk (sharedWalk), so every endpoint is swept once. Both draw new connections from one shared rate
// (RateLimiter over shared memory).
//
// Flow control: the thread stops taking endpoints while `window` open ones wait for the
// probe stage (each sweeper may add the one it was connecting to), so a network full of
// open ports cannot pile up endpoints in memory.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { MODULE_EXT } from "../core/module-ext.ts";
import type { TargetPlan } from "../targets/spec.ts";
import type { Endpoint, Unresolved } from "../targets/stream.ts";
import type { ProbeStage, SweepRunner } from "./engine.ts";

/** Below this many endpoints the thread's start-up (~30 ms) costs more than it saves. */
export const SWEEP_THREAD_MIN_ENDPOINTS = 1024;

export interface SweepJob {
  plan: TargetPlan;
  ports: number[];
  seed: number;
  concurrency: number;
  connectTimeoutMs: number;
  includeClosed: boolean;
  rate: number | "adaptive";
  rateState: SharedArrayBuffer;
  /** The shared position of the address walk (sharedWalk): the main thread sweeps too. */
  walkState: SharedArrayBuffer;
  window: number;
}

export type WireOutcome =
  | { open: Endpoint }
  | { closed: Endpoint; error: string; ms: number }
  | { unresolved: Unresolved };

/** Thread → here: outcomes so far and the running counts; `done` once after the last. */
export interface FromSweep {
  outcomes: WireOutcome[];
  swept: number;
  open: number;
  done?: true;
}

/** Here → thread: stop taking endpoints, or `ack` open endpoints whose probe finished. */
export interface ToSweep {
  stop?: true;
  ack?: number;
}

/**
 * Whether a scan sweeps on its own thread: with two cores or more and enough endpoints.
 * CLAWPATROL_SWEEP_THREAD=0 or 1 forces it off or on (tests, benchmarks).
 */
export function useSweepThread(plannedEndpoints: bigint): boolean {
  const forced = process.env.CLAWPATROL_SWEEP_THREAD;
  if (forced === "0") return false;
  if (forced === "1") return true;
  return availableParallelism() >= 2 && plannedEndpoints >= BigInt(SWEEP_THREAD_MIN_ENDPOINTS);
}

/**
 * Sweepers the main thread keeps beside the thread: a few, so that it sweeps in the gaps its
 * probes leave and the thread does the bulk. (On the /20 benchmark: 0.44 s with 8, 0.47 s
 * with 32, 0.50 s with 128 or with none.)
 */
export function mainThreadSweepers(concurrency: number): number {
  return Math.max(1, Math.min(8, Math.floor(concurrency / 16)));
}

/** A sweep that runs `job` on a worker thread and hands each outcome to the probe stage. */
export function sweepOnThread(job: SweepJob, signal?: AbortSignal): SweepRunner {
  return (stage: ProbeStage) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL(`./sweep-worker${MODULE_EXT}`, import.meta.url), { workerData: job });
      const probing = new Set<Promise<void>>();
      let sweepDone = false;
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", stop);
        if (err === undefined) resolve();
        else {
          void worker.terminate();
          reject(err);
        }
      };
      const stop = () => worker.postMessage({ stop: true } satisfies ToSweep);
      if (signal?.aborted) stop();
      else signal?.addEventListener("abort", stop, { once: true });

      const probe = (e: Endpoint) => {
        const p: Promise<void> = stage
          .open(e, null)
          .catch(settle)
          .finally(() => {
            probing.delete(p);
            if (!sweepDone) worker.postMessage({ ack: 1 } satisfies ToSweep);
            else if (probing.size === 0) settle();
          });
        probing.add(p);
      };

      // The thread reports its running counts; the main thread's sweep adds its own.
      let swept = 0;
      let open = 0;
      worker.on("message", (m: FromSweep) => {
        stage.progress.swept += m.swept - swept;
        stage.progress.open += m.open - open;
        swept = m.swept;
        open = m.open;
        for (const o of m.outcomes) {
          if ("open" in o) probe(o.open);
          else if ("closed" in o) stage.closed(o.closed, o.error, o.ms);
          else stage.unresolved(o.unresolved);
        }
        if (m.done) {
          sweepDone = true;
          if (probing.size === 0) settle();
        }
      });
      worker.on("error", (err) => settle(err));
      worker.on("exit", (code) => {
        if (!sweepDone) settle(new Error(`the sweep thread stopped early (exit code ${code})`));
      });
    });
}
