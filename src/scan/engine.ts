// The scan pipeline: targets → TCP connect sweep → probe → fingerprint → assess → records.
// The sweep (here: a pool of workers pulling from the streamed, permuted target iterator;
// or on its own thread, sweep-thread.ts) tries each endpoint with a bare connect, and only
// open ports go on to the bounded probe stage. Records come out as they complete; memory
// does not grow with the target count.

import { fingerprintTranscript, probeEndpoint } from "../fingerprints/probe-endpoint.ts";
import { isFamilyProduct } from "../fingerprints/products.ts";
import type { Transcript } from "../fingerprints/transcript.ts";
import type { ExchangeLimits } from "../net/limits.ts";
import { KeyedSemaphore, type Pacer, pacerFor, Semaphore, signalOf } from "../net/pacing.ts";
import { HeldSocket, Sweeper } from "../net/sweep.ts";
import { isLoopback, parseIp } from "../targets/ip.ts";
import type { Endpoint, TargetItem, Unresolved } from "../targets/stream.ts";
import { type AdviseFn, assess } from "./assess.ts";
import { NOT_A_GATEWAY, type Observation, SCAN_SCHEMA } from "./record.ts";

export interface ScanOptions {
  /**
   * New connections per second, all stages together: a hard cap (0 = unlimited), or
   * "adaptive" (src/net/pacing.ts: grows while connects are answered, backs off on loss).
   */
  rate: number | "adaptive";
  /** Endpoints in flight at once (connect sweep). */
  concurrency: number;
  /** Endpoints being probed at once (each uses up to two sockets). */
  probeConcurrency: number;
  /** Endpoints of one host probed at once. */
  perHost: number;
  limits: ExchangeLimits;
  /** Also emit records for endpoints that did not answer. */
  includeClosed: boolean;
  /**
   * Advisory matching: a function, or a loader called once, when the first endpoint needs it
   * (the advisory database is only loaded when a scan finds something to match).
   */
  advise: AdviseFn | { load: () => Promise<AdviseFn> };
  /** Called with each transcript (for --record). */
  onTranscript?: (t: Transcript) => void;
  /** Stop taking new endpoints when aborted; endpoints in flight finish and are reported. */
  signal?: AbortSignal;
  /** The probes' User-Agent (scan --contact); the default one when absent. */
  userAgent?: string;
  /**
   * Endpoint slots shared with other scans of this process (a campaign worker scanning two
   * shards at once): each endpoint in flight holds one, so together they stay within it.
   */
  sweepSlots?: EndpointSlots;
}

/** Slots a scan's endpoints in flight hold (a Semaphore). */
export interface EndpointSlots {
  acquire(): Promise<() => void>;
}

export interface ScanProgress {
  swept: number;
  open: number;
  probed: number;
  /** OpenClaw-family gateways identified. */
  gateways: number;
  /** Other agentic-AI products identified (MCP servers, ...); absent means none. */
  services?: number;
  inFlight: number;
}

export function isLoopbackAddress(ip: string): boolean {
  const p = parseIp(ip);
  return p !== null && isLoopback(p.family, p.value);
}

function baseUrl(e: Endpoint, tls: boolean): string {
  return `${tls ? "https" : "http"}://${e.hostHeader}${e.basePath}/`;
}

function record(
  e: Endpoint,
  fields: Partial<Observation> & Pick<Observation, "reachable" | "scannedAt" | "ms">,
): Observation {
  return {
    schema: SCAN_SCHEMA,
    host: e.host,
    ip: e.ip,
    port: e.port,
    url: baseUrl(e, e.tls ?? false),
    exposure: isLoopbackAddress(e.ip) ? "loopback" : "network",
    tls: null,
    ...NOT_A_GATEWAY,
    advisories: [],
    upgradeTo: null,
    findings: [],
    severity: null,
    error: null,
    ...fields,
  };
}

/** Fingerprint + assess one transcript: the pure half of the pipeline (also used by replay tests). */
export function observe(t: Transcript, advise: AdviseFn): Observation {
  const { verdict, by } = fingerprintTranscript(t);
  const exposure = t.viaLoopback ? "loopback" : "network";
  const assessed = assess(verdict, { asset: `${t.endpoint.host}:${t.endpoint.port}`, exposure }, advise, by);
  const rootError = t.http[0]?.response || t.http[0]?.nonHttp ? null : (t.http[0]?.error ?? null);
  return {
    ...record(t.endpoint, { reachable: true, scannedAt: t.startedAt, ms: t.ms }),
    url: baseUrl(t.endpoint, t.tls),
    exposure,
    tls: t.tlsInfo,
    ...verdict,
    ...assessed,
    error: rootError,
  };
}

/**
 * What the sweep hands the probe stage. `open` runs the probe and resolves when its record
 * is out; the sweep decides how many it runs at once.
 */
export interface ProbeStage {
  rate: Pacer;
  progress: ScanProgress;
  unresolved(u: Unresolved): void;
  closed(e: Endpoint, error: string, ms: number): void;
  open(e: Endpoint, held: HeldSocket | null): Promise<void>;
}

/** A sweep: started with the probe stage, resolves when it has handed on every endpoint. */
export type SweepRunner = (stage: ProbeStage) => Promise<void>;

/** The scan over `items`, swept on this thread (see sweepHere). */
export function runScan(
  items: AsyncIterable<TargetItem>,
  options: ScanOptions,
  onProgress?: (p: ScanProgress) => void,
): AsyncGenerator<Observation> {
  return runPipeline(sweepHere(items, options), options, onProgress);
}

/**
 * The in-thread sweep: `concurrency` workers pull endpoints from the target iterator, each
 * with a bare connect; an open port goes on to the probe stage, which the worker waits for
 * (so at most `concurrency` endpoints are in flight), its socket carrying the first request.
 */
export function sweepHere(items: AsyncIterable<TargetItem>, options: ScanOptions): SweepRunner {
  return async (stage) => {
    const iterator = items[Symbol.asyncIterator]();
    const { progress, rate } = stage;
    async function handle(item: TargetItem, sweeper: Sweeper): Promise<void> {
      if ("unresolved" in item) return stage.unresolved(item.unresolved);
      const e = item.endpoint;
      // (Unlimited: no await at all; a sweep of millions pays for every promise.)
      if (rate.limited) await rate.take(e.ip);
      const swept = await sweeper.connect(e.ip, e.port, options.limits.connectTimeoutMs);
      rate.report?.(signalOf(swept.ok ? "open" : swept.error), e.ip);
      progress.swept++;
      if (!swept.ok) return stage.closed(e, `${swept.error}: ${swept.detail}`, swept.ms);
      progress.open++;
      await stage.open(e, new HeldSocket(swept.socket));
    }
    async function worker(): Promise<void> {
      const sweeper = new Sweeper();
      try {
        for (;;) {
          if (options.signal?.aborted) return;
          // A shared slot is taken before the next endpoint, so none waits half-started.
          const release = options.sweepSlots ? await options.sweepSlots.acquire() : null;
          try {
            if (options.signal?.aborted) return;
            const next = await iterator.next();
            if (next.done) return;
            progress.inFlight++;
            try {
              await handle(next.value, sweeper);
            } finally {
              progress.inFlight--;
            }
          } finally {
            release?.();
          }
        }
      } finally {
        sweeper.close();
      }
    }
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  };
}

/** Two sweeps into one probe stage (e.g. on a thread and here, over one shared walk). */
export function bothSweeps(a: SweepRunner, b: SweepRunner): SweepRunner {
  return async (stage) => {
    await Promise.all([a(stage), b(stage)]);
  };
}

/** Runs a sweep into the probe stage and yields the records as they complete. */
export async function* runPipeline(
  sweep: SweepRunner,
  options: ScanOptions,
  onProgress?: (p: ScanProgress) => void,
  rateState?: SharedArrayBuffer,
): AsyncGenerator<Observation> {
  const rate = pacerFor(options.rate, rateState);
  const probeSlots = new Semaphore(options.probeConcurrency);
  const hostSlots = new KeyedSemaphore(options.perHost);
  const progress: ScanProgress = { swept: 0, open: 0, probed: 0, gateways: 0, inFlight: 0 };
  const source = options.advise;
  let loading: Promise<AdviseFn> | null = null;
  const adviser = (): AdviseFn | Promise<AdviseFn> => {
    if (typeof source === "function") return source;
    loading ??= source.load();
    return loading;
  };
  const ready: Observation[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const emit = (o: Observation) => {
    ready.push(o);
    notify();
  };

  const stage: ProbeStage = {
    rate,
    progress,
    unresolved(u) {
      const ep: Endpoint = {
        host: u.host,
        ip: "",
        family: 4,
        port: u.port,
        tls: null,
        basePath: "",
        hostHeader: u.host,
        servername: u.host,
      };
      emit(
        record(ep, {
          reachable: false,
          scannedAt: new Date().toISOString(),
          ms: 0,
          error: u.error,
          exposure: "network",
        }),
      );
    },
    closed(e, error, ms) {
      if (options.includeClosed)
        emit(record(e, { reachable: false, scannedAt: new Date().toISOString(), ms, error }));
    },
    async open(e, held) {
      // A held socket carries the first probe exchange (unless it waits too long for a slot).
      const releaseProbe = await probeSlots.acquire();
      const releaseHost = await hostSlots.acquire(e.ip);
      try {
        const transcript = await probeEndpoint(
          e,
          {
            limits: options.limits,
            beforeConnect: () => rate.take(e.ip),
            held,
            ...(options.userAgent ? { userAgent: options.userAgent } : {}),
          },
          isLoopbackAddress(e.ip),
        );
        options.onTranscript?.(transcript);
        const obs = observe(transcript, await adviser());
        progress.probed++;
        if (obs.product && isFamilyProduct(obs.product)) progress.gateways++;
        else if (obs.product) progress.services = (progress.services ?? 0) + 1;
        emit(obs);
      } finally {
        held?.discard();
        releaseHost();
        releaseProbe();
      }
    },
  };

  void sweep(stage)
    .catch((err) => {
      failure ??= err;
    })
    .finally(() => {
      finished = true;
      notify();
    });
  const timer = onProgress ? setInterval(() => onProgress({ ...progress }), 200) : null;
  try {
    for (;;) {
      while (ready.length > 0) yield ready.shift()!;
      if (failure) throw failure;
      if (finished) break;
      await new Promise<void>((r) => {
        wake = r;
      });
    }
    while (ready.length > 0) yield ready.shift()!;
    if (failure) throw failure;
  } finally {
    if (timer) clearInterval(timer);
    onProgress?.({ ...progress });
  }
}
