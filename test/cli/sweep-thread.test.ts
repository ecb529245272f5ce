// The connect sweep on its own thread (src/scan/sweep-thread.ts): the same records as a
// sweep on the main thread, refusals reported with --all, Ctrl-C honoured, at most `window`
// (+ connects in flight) open endpoints waiting for the probe stage, and one connection
// rate for both threads.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { availableParallelism } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { DEFAULT_LIMITS, limitsForTimeout } from "../../src/net/limits.ts";
import { RateLimiter } from "../../src/net/pacing.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import type { ProbeStage } from "../../src/scan/engine.ts";
import { scanPlan } from "../../src/scan/scan-plan.ts";
import {
  mainThreadSweepers,
  SWEEP_THREAD_MIN_ENDPOINTS,
  sweepOnThread,
  useSweepThread,
} from "../../src/scan/sweep-thread.ts";
import { buildPlan } from "../../src/targets/spec.ts";
import { runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const fixture = (name: string) =>
  transcriptFromJson(readFileSync(new URL(`../fixtures/zoo/local/${name}.json`, import.meta.url), "utf8"));

// Six replay gateways spread over 127.45.0.0/22 (1,024 addresses: the thread's threshold).
const ADDRESSES = ["127.45.0.9", "127.45.0.200", "127.45.1.77", "127.45.2.3", "127.45.3.128", "127.45.3.254"];
const NAMES = [
  "oc96-lan-token",
  "cb124-loopback-noauth",
  "oc313-lan-token",
  "oc129-lan-token",
  "oc527-lan-token",
  "oc415-loopback-noauth",
];
const servers: ReplayServer[] = [];
beforeAll(async () => {
  for (let i = 0; i < ADDRESSES.length; i++)
    servers.push(await startReplayServer(fixture(NAMES[i]!), ADDRESSES[i], 18789));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const scanArgs = [
  "scan",
  "127.45.0.0/22",
  "-p",
  "18789",
  "--json",
  "--rate",
  "0",
  "--fail-on",
  "none",
  "--seed",
  "3",
];
const summary = (ndjson: string) =>
  ndjson
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .map((o) => `${o.ip}:${o.port} ${o.product} ${o.version} ${o.auth} ${o.severity} ${o.advisories.length}`)
    .sort();

describe("sweep thread, through the CLI", () => {
  it("gives the same records as the sweep on the main thread", async () => {
    const connections = () => servers.reduce((n, s) => n + s.connections(), 0);
    const before = connections();
    const inline = await runClawpatrol(scanArgs, { env: { CLAWPATROL_SWEEP_THREAD: "0" } });
    // On the main thread the sweep's socket carries the whole probe: one connection each.
    expect(connections() - before).toBe(6);
    const threaded = await runClawpatrol(scanArgs, { env: { CLAWPATROL_SWEEP_THREAD: "1" } });
    // Both threads sweep one shared walk. A socket cannot move between threads: a gateway
    // the thread found gets the sweep's connect, then the probe's; one found here, one.
    const extra = connections() - before - 6;
    expect(extra).toBeGreaterThanOrEqual(6);
    expect(extra).toBeLessThanOrEqual(12);
    expect(threaded.code).toBe(0);
    expect(inline.code).toBe(0);
    expect(summary(threaded.stdout)).toHaveLength(6);
    expect(summary(threaded.stdout)).toEqual(summary(inline.stdout));
    expect(threaded.stderr).toMatch(/^1024 endpoints swept, 6 open, 6 OpenClaw-family gateways/m);
  }, 60_000);

  it("reports every refused endpoint with --all", async () => {
    const r = await runClawpatrol([...scanArgs, "--all"], { env: { CLAWPATROL_SWEEP_THREAD: "1" } });
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(1024);
    expect(records.filter((o) => o.reachable)).toHaveLength(6);
    expect(new Set(records.map((o) => o.ip)).size).toBe(1024);
    expect(records.find((o) => !o.reachable)?.error).toMatch(/^refused/);
  }, 60_000);

  it("stops on Ctrl-C: endpoints in flight finish, the exit code is 130", async () => {
    // A /16 with nothing listening at 2,000 connections per second would take 33 s.
    const child = spawn(
      process.execPath,
      [
        `${REPO_ROOT}/bin/clawpatrol.mjs`,
        "scan",
        "127.46.0.0/16",
        "--json",
        "--rate",
        "2000",
        "--fail-on",
        "none",
      ],
      { env: { ...process.env, CLAWPATROL_SWEEP_THREAD: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    const swept = Number(/(\d+) endpoints swept/.exec(stderr)?.[1]);
    expect(swept).toBeGreaterThan(0);
    expect(swept).toBeLessThan(65_536);
  }, 30_000);
});

describe("scanPlan (the entry of scan and monitor)", () => {
  it("sweeps a 1,024-endpoint plan with the thread's help and finds the same gateways", async () => {
    const plan = buildPlan(["127.45.0.0/22"], []);
    const records = [];
    for await (const o of scanPlan(plan, [18789], 5, {
      rate: 0,
      concurrency: 64,
      probeConcurrency: 16,
      perHost: 2,
      limits: limitsForTimeout(3000),
      includeClosed: false,
      advise: NO_ADVISORIES,
    }))
      records.push(o);
    expect(records.map((o) => `${o.ip} ${o.product} ${o.version}`).sort()).toHaveLength(6);
    expect(new Set(records.map((o) => o.ip))).toEqual(new Set(ADDRESSES));
    expect(records.every((o) => o.product !== null && o.version !== null)).toBe(true);
  }, 30_000);
});

describe("sweep thread, flow control", () => {
  it("keeps at most `window` (+ connects in flight) open endpoints waiting for the probe stage", async () => {
    // Eight listeners; the probe stage holds every endpoint until released.
    const listeners: net.Server[] = [];
    for (let i = 1; i <= 8; i++) {
      const s = net.createServer((sock) => sock.destroy());
      await new Promise<void>((r) => s.listen(18789, `127.47.0.${i}`, () => r()));
      listeners.push(s);
    }
    const release: (() => void)[] = [];
    const opened: string[] = [];
    const stage: ProbeStage = {
      rate: new RateLimiter(0),
      progress: { swept: 0, open: 0, probed: 0, gateways: 0, inFlight: 0 },
      unresolved: () => {},
      closed: () => {},
      open: (e) =>
        new Promise<void>((r) => {
          opened.push(e.ip);
          release.push(r);
        }),
    };
    const done = sweepOnThread({
      plan: buildPlan(["127.47.0.1-127.47.0.8"], []),
      ports: [18789],
      seed: 1,
      // One connect at a time: the window is then exact (each sweeper may overshoot it by
      // the one endpoint it was connecting to).
      concurrency: 1,
      connectTimeoutMs: DEFAULT_LIMITS.connectTimeoutMs,
      includeClosed: false,
      rate: 0,
      rateState: RateLimiter.sharedState(),
      // Nobody else claims positions of this walk: the thread sweeps all eight.
      walkState: new SharedArrayBuffer(8),
      window: 2,
    })(stage);
    await new Promise((r) => setTimeout(r, 500));
    expect(opened).toHaveLength(2);
    // Each finished probe lets one more through, until all eight are done.
    while (opened.length < 8 || release.length > 0) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    await done;
    expect(new Set(opened).size).toBe(8);
    expect(stage.progress.swept).toBe(8);
    for (const s of listeners) s.close();
  }, 20_000);
});

describe("when the sweep gets its own thread", () => {
  it("from the threshold on, with two cores or more, unless forced either way", () => {
    const saved = process.env.CLAWPATROL_SWEEP_THREAD;
    try {
      delete process.env.CLAWPATROL_SWEEP_THREAD;
      const twoCores = availableParallelism() >= 2;
      expect(useSweepThread(BigInt(SWEEP_THREAD_MIN_ENDPOINTS))).toBe(twoCores);
      expect(useSweepThread(BigInt(SWEEP_THREAD_MIN_ENDPOINTS - 1))).toBe(false);
      process.env.CLAWPATROL_SWEEP_THREAD = "1";
      expect(useSweepThread(1n)).toBe(true);
      process.env.CLAWPATROL_SWEEP_THREAD = "0";
      expect(useSweepThread(10n ** 9n)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.CLAWPATROL_SWEEP_THREAD;
      else process.env.CLAWPATROL_SWEEP_THREAD = saved;
    }
  });
});

describe("the main thread's share of the sweep", () => {
  it("is a few sweepers (1 to 8), whatever --concurrency says: the thread does the bulk", () => {
    expect(mainThreadSweepers(1)).toBe(1);
    expect(mainThreadSweepers(128)).toBe(8);
    expect(mainThreadSweepers(20_000)).toBe(8);
  });
});

describe("one rate for two threads", () => {
  it("two limiters on one shared state space their slots together", async () => {
    const state = RateLimiter.sharedState();
    const a = new RateLimiter(200, state);
    const b = new RateLimiter(200, state);
    const started = performance.now();
    // 21 connections at 200/s take at least 100 ms, whichever limiter hands them out.
    await Promise.all(Array.from({ length: 21 }, (_, i) => (i % 2 ? a : b).take()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    // Alone, each limiter would have handed out its 10-11 in about half of that.
  });
});
