// Adaptive pacing on a fake clock: the controller's rate as signals come in, the per-network
// politeness cap, and the fixed --rate cap left as it was.
import { describe, expect, it } from "vitest";
import {
  AdaptivePacer,
  type AdaptivePolicy,
  CongestionController,
  DEFAULT_ADAPTIVE,
  isNearAddress,
  KeyedSemaphore,
  NEAR_ADAPTIVE,
  networkKey,
  pacerFor,
  RateLimiter,
  Semaphore,
  signalOf,
} from "../../src/net/pacing.ts";

const policy: AdaptivePolicy = { ...DEFAULT_ADAPTIVE, initialRate: 1000, minRate: 50, maxRate: 16_000 };

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/**
 * One epoch of traffic at the controller's current rate: as many connects as the rate allows
 * in an epoch, `lostShare` of them lost, then the clock moves past the epoch.
 */
function epoch(c: CongestionController, clock: ReturnType<typeof fakeClock>, lostShare: number): number {
  const n = Math.round((c.rate * policy.epochMs) / 1000);
  const lost = Math.round(n * lostShare);
  for (let i = 0; i < n; i++) {
    c.took();
    c.record(i < lost ? "lost" : "answered");
  }
  clock.advance(policy.epochMs);
  return c.rate;
}

describe("CongestionController", () => {
  it("doubles each epoch while connects are answered, up to the ceiling", () => {
    const clock = fakeClock();
    const c = new CongestionController(policy, clock.now);
    expect(c.rate).toBe(1000);
    const rates = Array.from({ length: 6 }, () => epoch(c, clock, 0));
    expect(rates).toEqual([2000, 4000, 8000, 16_000, 16_000, 16_000]);
    expect(c.inSlowStart).toBe(true);
  });

  it("halves when losses jump above normal, then grows by steps, never below the floor", () => {
    const clock = fakeClock();
    const c = new CongestionController(policy, clock.now);
    epoch(c, clock, 0.02);
    epoch(c, clock, 0.02);
    expect(c.rate).toBe(4000);
    expect(epoch(c, clock, 0.5)).toBe(2000);
    expect(c.inSlowStart).toBe(false);
    // Past slow start: a quarter of the initial rate per clean epoch.
    expect(epoch(c, clock, 0.02)).toBe(2250);
    expect(epoch(c, clock, 0.02)).toBe(2500);
    // Sustained heavy loss walks it down to the floor and no further.
    for (let i = 0; i < 12; i++) epoch(c, clock, 0.9);
    expect(c.rate).toBe(policy.minRate);
  });

  it("learns a network where most connects time out anyway, and keeps growing there", () => {
    const clock = fakeClock();
    const c = new CongestionController(policy, clock.now);
    // The internet: 95% of addresses never answer, whatever the rate.
    const rates = Array.from({ length: 4 }, () => epoch(c, clock, 0.95));
    expect(rates).toEqual([2000, 4000, 8000, 16_000]);
  });

  it("does not grow a rate the scan is not using, nor change on too few signals", () => {
    const clock = fakeClock();
    const c = new CongestionController(policy, clock.now);
    // 10 connects in an epoch that allows 100: held back by concurrency, not by the rate.
    for (let i = 0; i < 10; i++) {
      c.took();
      c.record("answered");
    }
    clock.advance(policy.epochMs);
    expect(c.rate).toBe(1000);
    // 3 losses are below minSamples: no back-off on so little.
    for (let i = 0; i < 3; i++) c.record("lost");
    clock.advance(policy.epochMs);
    expect(c.rate).toBe(1000);
  });
});

describe("signalOf", () => {
  it("reads open and refused as answered, timeout and reset as lost, the rest as nothing", () => {
    expect(["open", "refused"].map((o) => signalOf(o as "open"))).toEqual(["answered", "answered"]);
    expect(["timeout", "reset"].map((o) => signalOf(o as "timeout"))).toEqual(["lost", "lost"]);
    expect(["unreachable", "tls", "error"].map((o) => signalOf(o as "error"))).toEqual([
      "none",
      "none",
      "none",
    ]);
  });
});

describe("AdaptivePacer", () => {
  it("spaces connections by the controller's rate", async () => {
    const clock = fakeClock();
    const waits: number[] = [];
    const pacer = new AdaptivePacer(policy, clock.now, async (ms) => {
      waits.push(ms);
    });
    // At 1000/s, five connects claimed at t=0 start 1 ms apart (0 and sub-ms waits are not slept).
    const slots = Array.from({ length: 5 }, () => pacer.claim("127.0.0.1"));
    expect(slots).toEqual([0, 1, 2, 3, 4]);
    await pacer.take("127.0.0.1");
    expect(waits).toEqual([5]);
  });

  it("holds one destination network to its politeness cap while others go on", () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer(
      { ...policy, initialRate: 16_000, perNetworkRate: 100 },
      clock.now,
      async () => {},
    );
    // 100/s to one /24: each connect to 198.51.100.x is 10 ms after the last.
    const same = [1, 2, 3].map((h) => pacer.claim(`198.51.100.${h}`));
    expect(same).toEqual([0, 10, 20]);
    // Another /24 is not held back by that one.
    expect(pacer.claim("198.51.101.1")).toBeLessThan(1);
    // Loopback is exempt.
    expect([1, 2, 3].map((h) => pacer.claim(`127.0.0.${h}`)).every((s) => s < 1)).toBe(true);
  });

  it("backs off in real use: a burst of timeouts halves the rate the next epoch", () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer(policy, clock.now, async () => {});
    for (let i = 0; i < 100; i++) {
      pacer.claim("127.0.0.1");
      pacer.report("answered");
    }
    clock.advance(policy.epochMs);
    expect(pacer.controller.rate).toBe(2000);
    for (let i = 0; i < 200; i++) {
      pacer.claim("127.0.0.1");
      pacer.report(i % 2 === 0 ? "lost" : "answered");
    }
    clock.advance(policy.epochMs);
    expect(pacer.controller.rate).toBe(1000);
  });
});

describe("a fast start on loopback and private networks", () => {
  const near: AdaptivePolicy = { ...policy, initialRate: 8000 };

  it("tells loopback, private, link-local and ULA destinations from the internet", () => {
    for (const ip of ["127.0.0.1", "127.1.2.3", "10.9.8.7", "172.16.0.1", "172.31.255.254", "192.168.1.1"])
      expect(isNearAddress(ip), ip).toBe(true);
    for (const ip of ["169.254.10.1", "::1", "fd12:3456::1", "fc00::5", "fe80::1", "::ffff:10.0.0.1"])
      expect(isNearAddress(ip), ip).toBe(true);
    for (const ip of ["8.8.8.8", "172.15.0.1", "172.32.0.1", "192.169.0.1", "11.0.0.1", "198.51.100.7"])
      expect(isNearAddress(ip), ip).toBe(false);
    for (const ip of ["2001:db8::1", "fe00::1", "::ffff:8.8.8.8", "1.127.0.1"])
      expect(isNearAddress(ip), ip).toBe(false);
  });

  it("paces near destinations by the near start and the internet by the polite one", () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer(policy, clock.now, async () => {}, near);
    // 8,000/s near: 0.125 ms apart; 1,000/s far: 1 ms apart, each lane on its own spacing.
    const nearSlots = Array.from({ length: 8 }, (_, i) => pacer.claim(`127.0.0.${i + 1}`));
    expect(nearSlots[7]).toBeCloseTo(7 * 0.125);
    const farSlots = Array.from({ length: 3 }, (_, i) => pacer.claim(`198.51.${100 + i}.1`));
    expect(farSlots).toEqual([0, 1, 2]);
    expect(pacer.nearController?.rate).toBe(8000);
    expect(pacer.controller.rate).toBe(1000);
  });

  it("still backs off near: losses halve the near rate and leave the internet's alone", () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer(policy, clock.now, async () => {}, near);
    const round = (lostEvery: number) => {
      for (let i = 0; i < 1000; i++) {
        pacer.claim("10.0.0.1");
        pacer.report(i % lostEvery === 0 ? "lost" : "answered", "10.0.0.1");
      }
      for (let i = 0; i < 100; i++) {
        pacer.claim("203.0.113.1");
        pacer.report("answered", "203.0.113.1");
      }
      clock.advance(policy.epochMs);
    };
    round(1000);
    expect(pacer.nearController?.rate).toBe(16_000);
    expect(pacer.controller.rate).toBe(2000);
    round(2);
    expect(pacer.nearController?.rate).toBe(8000);
    expect(pacer.nearController?.inSlowStart).toBe(false);
    expect(pacer.controller.rate).toBe(4000);
  });

  it("is what a scan without --rate gets", () => {
    const pacer = pacerFor("adaptive") as AdaptivePacer;
    expect(pacer.nearController?.rate).toBe(NEAR_ADAPTIVE.initialRate);
    expect(pacer.controller.rate).toBe(DEFAULT_ADAPTIVE.initialRate);
    expect(NEAR_ADAPTIVE.initialRate).toBeGreaterThanOrEqual(10 * DEFAULT_ADAPTIVE.initialRate);
  });
});

describe("networkKey and pacerFor", () => {
  it("keys IPv4 by /24 and IPv6 by its first three groups", () => {
    expect(networkKey("203.0.113.77")).toBe("203.0.113");
    expect(networkKey("2001:db8:1:2::5")).toBe("2001:db8:1");
  });

  it("gives a fixed RateLimiter for a number (--rate), an adaptive pacer otherwise", () => {
    expect(pacerFor(500)).toBeInstanceOf(RateLimiter);
    expect(pacerFor(0).limited).toBe(false);
    expect(pacerFor("adaptive")).toBeInstanceOf(AdaptivePacer);
  });
});

describe("Semaphore and KeyedSemaphore", () => {
  it("hand a released slot to the oldest waiter, never also to a newcomer", async () => {
    const sem = new Semaphore(1);
    const keyed = new KeyedSemaphore(1);
    for (const acquire of [() => sem.acquire(), () => keyed.acquire("10.0.0.1")]) {
      let held = 0;
      let peak = 0;
      const hold = async (order: string[], name: string) => {
        const release = await acquire();
        held++;
        peak = Math.max(peak, held);
        order.push(name);
        await Promise.resolve();
        held--;
        release();
      };
      const order: string[] = [];
      const first = await acquire();
      const waiter = hold(order, "waiter");
      await Promise.resolve();
      // Released, and at once a newcomer asks: the waiter was first and gets the slot alone.
      first();
      const newcomer = hold(order, "newcomer");
      await Promise.all([waiter, newcomer]);
      expect(order).toEqual(["waiter", "newcomer"]);
      expect(peak).toBe(1);
    }
    expect(keyed.keys).toBe(0);
  });
});
