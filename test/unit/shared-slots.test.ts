// Two scans in one process sharing one budget of endpoint slots (a campaign worker scanning two
// shards at once): together they never have more endpoints in flight than the budget, and each
// still sweeps every endpoint it was given.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/net/limits.ts";
import { Semaphore } from "../../src/net/pacing.ts";
import { type EndpointSlots, runScan, type ScanOptions } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import type { TargetItem } from "../../src/targets/stream.ts";

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Refused endpoints on loopback: 127.0.0.1..n on a closed port. */
async function* endpoints(n: number, port: number): AsyncGenerator<TargetItem> {
  for (let i = 1; i <= n; i++) {
    const ip = `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    yield {
      endpoint: { host: ip, ip, family: 4, port, tls: false, basePath: "", hostHeader: ip, servername: ip },
    };
  }
}

/** A Semaphore that remembers the most slots ever held at once. */
function countingSlots(limit: number): EndpointSlots & { peak: () => number } {
  const inner = new Semaphore(limit);
  let held = 0;
  let peak = 0;
  return {
    async acquire() {
      const release = await inner.acquire();
      held++;
      peak = Math.max(peak, held);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        held--;
        release();
      };
    },
    peak: () => peak,
  };
}

const options = (slots?: EndpointSlots): ScanOptions => ({
  rate: 0,
  concurrency: 16,
  probeConcurrency: 4,
  perHost: 2,
  limits: { ...DEFAULT_LIMITS, connectTimeoutMs: 1000, exchangeTimeoutMs: 1500 },
  includeClosed: true,
  advise: () => ({ advisories: [], upgradeTo: null }),
  ...(slots ? { sweepSlots: slots } : {}),
});

async function collect(gen: AsyncGenerator<Observation>): Promise<Observation[]> {
  const out: Observation[] = [];
  for await (const o of gen) out.push(o);
  return out;
}

describe("endpoint slots shared by two scans", () => {
  it("keep both scans together within the budget, every endpoint swept", async () => {
    const port = await closedPort();
    const slots = countingSlots(5);
    const [a, b] = await Promise.all([
      collect(runScan(endpoints(300, port), options(slots))),
      collect(runScan(endpoints(300, port), options(slots))),
    ]);
    expect(a).toHaveLength(300);
    expect(b).toHaveLength(300);
    expect(a.every((o) => !o.reachable && o.error?.startsWith("refused"))).toBe(true);
    expect(slots.peak()).toBe(5);
  });

  it("are what holds them back: the same scans without a shared budget go past it", async () => {
    const port = await closedPort();
    const slots = countingSlots(1000);
    await Promise.all([
      collect(runScan(endpoints(300, port), options(slots))),
      collect(runScan(endpoints(300, port), options(slots))),
    ]);
    // Each scan's own concurrency (16) is the only limit left.
    expect(slots.peak()).toBeGreaterThan(16);
    expect(slots.peak()).toBeLessThanOrEqual(32);
  });
});
