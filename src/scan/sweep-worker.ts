// The sweep thread's entry (see sweep-thread.ts): walks the plan's endpoints with bare
// connects, `concurrency` at a time, and posts what the probe stage needs: open endpoints
// (their sockets closed here), refusals when asked for, names that did not resolve.
import { parentPort, workerData } from "node:worker_threads";
import { pacerFor, signalOf } from "../net/pacing.ts";
import { Sweeper } from "../net/sweep.ts";
import { sharedWalk, streamEndpoints } from "../targets/stream.ts";
import type { FromSweep, SweepJob, ToSweep, WireOutcome } from "./sweep-thread.ts";

// Node builds an Error for every refused connect; stacks for millions of them cost CPU.
Error.stackTraceLimit = 0;

const job = workerData as SweepJob;
const port = parentPort!;
// An adaptive rate is this thread's own, learnt from its own connects (the main thread keeps
// another); a fixed rate is shared with the main thread.
const rate = pacerFor(job.rate, job.rateState);
let stopped = false;
let unacked = 0;
let waiting: (() => void)[] = [];
port.on("message", (m: ToSweep) => {
  if (m.stop) stopped = true;
  if (m.ack) unacked -= m.ack;
  const wake = waiting;
  waiting = [];
  for (const w of wake) w();
});

let swept = 0;
let open = 0;
let batch: WireOutcome[] = [];
let queued: NodeJS.Immediate | null = null;
const flush = () => {
  if (queued) clearImmediate(queued);
  queued = null;
  port.postMessage({ outcomes: batch, swept, open } satisfies FromSweep);
  batch = [];
};
const post = (o: WireOutcome) => {
  batch.push(o);
  if (batch.length >= 64) flush();
  else queued ??= setImmediate(flush);
};
// The counts move even when nothing is posted (a network of closed ports): report them.
const ticker = setInterval(flush, 200);

// Addresses only, from the walk shared with the main thread (which takes names and URLs).
const iterator = streamEndpoints(job.plan, job.ports, {
  seed: job.seed,
  claim: sharedWalk(job.walkState),
  names: false,
})[Symbol.asyncIterator]();

async function sweeper(): Promise<void> {
  const s = new Sweeper();
  try {
    for (;;) {
      while (unacked >= job.window && !stopped) await new Promise<void>((r) => waiting.push(r));
      if (stopped) return;
      const next = await iterator.next();
      if (next.done) return;
      const item = next.value;
      if ("unresolved" in item) {
        post({ unresolved: item.unresolved });
        continue;
      }
      const e = item.endpoint;
      if (rate.limited) await rate.take(e.ip);
      const r = await s.connect(e.ip, e.port, job.connectTimeoutMs);
      rate.report?.(signalOf(r.ok ? "open" : r.error), e.ip);
      swept++;
      if (r.ok) {
        r.socket.destroy();
        open++;
        unacked++;
        post({ open: e });
      } else if (job.includeClosed) post({ closed: e, error: `${r.error}: ${r.detail}`, ms: r.ms });
    }
  } finally {
    s.close();
  }
}

await Promise.all(Array.from({ length: job.concurrency }, sweeper));
clearInterval(ticker);
if (queued) clearImmediate(queued);
port.postMessage({ outcomes: batch, swept, open, done: true } satisfies FromSweep);
port.close();
