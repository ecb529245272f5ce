// Pacing for a polite scan: a global rate of new connections, a global concurrency cap,
// and a per-host cap (OpenClaw answers 503 past 32 unauthenticated sockets per client IP;
// we stay far below that).

/** Milliseconds on a clock that threads of one process share (performance.now() does not). */
const sharedClock = () => performance.timeOrigin + performance.now();

/**
 * Spaces out new connections to at most `perSecond`. Safe to call from many workers; with
 * `shared` (from RateLimiter.sharedState()), from several threads: they then draw from one
 * rate, each slot claimed atomically.
 */
export class RateLimiter {
  private next = 0;
  private readonly interval: number;
  /** The next free slot in microseconds on sharedClock, when the rate is shared. */
  private readonly shared: BigInt64Array | null;

  constructor(perSecond: number, shared?: SharedArrayBuffer) {
    this.interval = perSecond > 0 ? 1000 / perSecond : 0;
    this.shared = shared ? new BigInt64Array(shared) : null;
  }

  /** Memory for a rate shared between threads. */
  static sharedState(): SharedArrayBuffer {
    return new SharedArrayBuffer(8);
  }

  /** Whether take() ever waits (a rate of 0 means unlimited). */
  get limited(): boolean {
    return this.interval > 0;
  }

  async take(): Promise<void> {
    if (this.interval === 0) return;
    const now = this.shared ? sharedClock() : performance.now();
    const slot = this.shared ? this.claimShared(now) : Math.max(now, this.next);
    if (!this.shared) this.next = slot + this.interval;
    const wait = slot - now;
    // Sub-millisecond waits are batched: timers cannot do better and the average rate holds.
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
  }

  private claimShared(now: number): number {
    const state = this.shared!;
    const nowUs = BigInt(Math.floor(now * 1000));
    const step = BigInt(Math.max(1, Math.round(this.interval * 1000)));
    for (;;) {
      const current = Atomics.load(state, 0);
      const slot = current > nowUs ? current : nowUs;
      if (Atomics.compareExchange(state, 0, current, slot + step) === current) return Number(slot) / 1000;
    }
  }
}

/** At most `limit` holders per key at once; entries vanish when idle, so memory stays bounded. */
export class KeyedSemaphore {
  private readonly slots = new Map<string, { active: number; waiters: (() => void)[] }>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  async acquire(key: string): Promise<() => void> {
    let s = this.slots.get(key);
    if (!s) {
      s = { active: 0, waiters: [] };
      this.slots.set(key, s);
    }
    // As in Semaphore: a released slot goes straight to the oldest waiter.
    if (s.active >= this.limit) await new Promise<void>((r) => s!.waiters.push(r));
    else s.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = s!.waiters.shift();
      if (next) next();
      else if (--s!.active === 0) this.slots.delete(key);
    };
  }

  get keys(): number {
    return this.slots.size;
  }
}

/** A plain counting semaphore. */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  async acquire(): Promise<() => void> {
    // A released slot is handed straight to the oldest waiter (it stays counted): a newcomer
    // arriving before that waiter runs cannot take it too and go past the limit.
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}

// ---- Adaptive pacing --------------------------------------------------------------------
// Without --rate, a scan paces itself like a congestion controller: the rate of new
// connections doubles each epoch while connects are answered (slow start), grows by a step
// once it has had to back off, and halves when timeouts and resets rise above what this scan
// has seen as normal. Normal matters: most addresses on the internet never answer at all, so a
// high share of timeouts alone says nothing; a share that jumps says the path is dropping.
// Under the global rate, a politeness cap spaces connections to one destination network
// (an IPv4 /24, an IPv6 /48) however fast the scan as a whole goes. Loopback is exempt: there
// is no one else's network to be polite to.

/** What one connect attempt says about the path: answered (open or refused), lost, or nothing. */
export type PathSignal = "answered" | "lost" | "none";

/** A connect outcome (src/net/failure.ts) as a path signal. */
export function signalOf(
  outcome: "open" | "refused" | "timeout" | "unreachable" | "reset" | "tls" | "error",
): PathSignal {
  if (outcome === "open" || outcome === "refused") return "answered";
  if (outcome === "timeout" || outcome === "reset") return "lost";
  // Unreachable is the host's own router saying no one is there, not congestion.
  return "none";
}

export interface AdaptivePolicy {
  /** New connections per second at the start. */
  initialRate: number;
  minRate: number;
  maxRate: number;
  /** New connections per second to one destination network (0 = no cap). */
  perNetworkRate: number;
  /** How often the controller looks at what came back, in ms. */
  epochMs: number;
  /** Signals an epoch needs before it may change the rate. */
  minSamples: number;
  /** How far the share of lost connects may rise above normal before the rate halves. */
  lossMargin: number;
  /** How fast "normal" drifts up each epoch, so a network that never answers is learnt. */
  baselineDrift: number;
}

export const DEFAULT_ADAPTIVE: AdaptivePolicy = {
  initialRate: 2000,
  minRate: 50,
  maxRate: 200_000,
  perNetworkRate: 1000,
  epochMs: 100,
  minSamples: 8,
  lossMargin: 0.1,
  baselineDrift: 0.01,
};

/** The rate decision alone: signals in, a rate out, on a clock the caller gives. */
export class CongestionController {
  private current: number;
  private slowStart = true;
  private epochStart: number;
  private answered = 0;
  private lost = 0;
  private taken = 0;
  /** The lowest share of lost connects seen lately (drifting up slowly); null before any. */
  private baseline: number | null = null;
  private readonly policy: AdaptivePolicy;
  private readonly clock: () => number;

  constructor(policy: AdaptivePolicy, clock: () => number) {
    this.policy = policy;
    this.clock = clock;
    this.current = Math.min(policy.maxRate, Math.max(policy.minRate, policy.initialRate));
    this.epochStart = clock();
  }

  /** New connections per second allowed now. */
  get rate(): number {
    this.roll();
    return this.current;
  }

  /** True until the first back-off. */
  get inSlowStart(): boolean {
    return this.slowStart;
  }

  /** A connection was started (whether the rate was in use at all decides growth). */
  took(): void {
    this.roll();
    this.taken++;
  }

  record(signal: PathSignal): void {
    this.roll();
    if (signal === "answered") this.answered++;
    else if (signal === "lost") this.lost++;
  }

  private roll(): void {
    const now = this.clock();
    if (now - this.epochStart < this.policy.epochMs) return;
    this.endEpoch();
    // Epochs with nothing in them (a pause) change nothing.
    this.epochStart = now;
  }

  private endEpoch(): void {
    const p = this.policy;
    const samples = this.answered + this.lost;
    const lostShare = samples > 0 ? this.lost / samples : 0;
    const used = this.taken >= 0.5 * this.current * (p.epochMs / 1000);
    this.answered = 0;
    this.lost = 0;
    this.taken = 0;
    if (samples < p.minSamples) return;
    const normal = this.baseline ?? lostShare;
    if (lostShare > normal + p.lossMargin) {
      this.current = Math.max(p.minRate, this.current / 2);
      this.slowStart = false;
      // Normal does not move on a congested epoch.
      this.baseline = normal;
      return;
    }
    this.baseline = Math.min(lostShare, normal + p.baselineDrift);
    // Grow only a rate that was used: a scan held back by its concurrency does not earn a rate
    // it would then spend all at once.
    if (!used) return;
    this.current = this.slowStart
      ? Math.min(p.maxRate, this.current * 2)
      : Math.min(p.maxRate, this.current + p.initialRate / 4);
  }
}

/**
 * The start for destinations on this machine or a private network (loopback, RFC 1918,
 * link-local, IPv6 ULA and link-local): the scanner's own side of the internet, where 2,000/s
 * at the start only made a default /20 scan of a LAN wait (the rate controller was still
 * growing when the sweep was done). The controller starts at once at this rate and still halves
 * on timeouts and resets; the per-network cap still spaces connections to one private /24.
 */
export const NEAR_ADAPTIVE: AdaptivePolicy = { ...DEFAULT_ADAPTIVE, initialRate: 50_000 };

/** Whether `ip` (text, as the sweep has it) is loopback, private, link-local or IPv6 ULA. */
export function isNearAddress(ip: string): boolean {
  if (ip.includes(":")) {
    const v = ip.toLowerCase();
    if (v === "::1") return true;
    if (v.startsWith("::ffff:")) return isNearAddress(v.slice(7));
    // fc00::/7 (ULA) and fe80::/10 (link-local).
    return /^f[cd][0-9a-f]{0,2}:/.test(v) || /^fe[89ab][0-9a-f]?:/.test(v);
  }
  const dot = ip.indexOf(".");
  const a = Number(ip.slice(0, dot));
  if (a === 127 || a === 10) return true;
  const b = Number(ip.slice(dot + 1, ip.indexOf(".", dot + 1)));
  return (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

/** The key of an address's destination network: its /24 (IPv4) or /48 (IPv6). */
export function networkKey(ip: string): string {
  if (ip.includes(":")) return ip.split(":").slice(0, 3).join(":");
  return ip.slice(0, ip.lastIndexOf("."));
}

const isLoopbackText = (ip: string) => ip.startsWith("127.") || ip === "::1";

/** What the scan engine paces new connections with: a fixed RateLimiter or an AdaptivePacer. */
export interface Pacer {
  readonly limited: boolean;
  /** Waits for a slot for a new connection (to `ip`, when known: its network's cap applies). */
  take(ip?: string): Promise<void>;
  /** What a connection to `ip` said about the path (only the adaptive pacer listens). */
  report?(signal: PathSignal, ip?: string): void;
}

/** One controller and the next free slot it allows. */
interface Lane {
  controller: CongestionController;
  next: number;
}

/**
 * The adaptive pacer: a CongestionController's rate for the scan as a whole, and a cap per
 * destination network. With a `near` policy, destinations on loopback or private networks
 * (isNearAddress) are paced by a controller of their own, started by that policy, so a scan that
 * mixes a LAN with the internet starts fast on the one and politely on the other. Clock and
 * sleep are injectable for tests.
 */
export class AdaptivePacer implements Pacer {
  readonly limited = true;
  private readonly far: Lane;
  private readonly near: Lane | null;
  private readonly networks = new Map<string, number>();
  private readonly policy: AdaptivePolicy;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    policy: AdaptivePolicy = DEFAULT_ADAPTIVE,
    clock: () => number = () => performance.now(),
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    near: AdaptivePolicy | null = null,
  ) {
    this.policy = policy;
    this.clock = clock;
    this.sleep = sleep;
    this.far = { controller: new CongestionController(policy, clock), next: 0 };
    this.near = near ? { controller: new CongestionController(near, clock), next: 0 } : null;
  }

  /** The controller of destinations on the internet (of every destination without `near`). */
  get controller(): CongestionController {
    return this.far.controller;
  }

  /** The controller of loopback and private destinations; null without a `near` policy. */
  get nearController(): CongestionController | null {
    return this.near?.controller ?? null;
  }

  private laneOf(ip?: string): Lane {
    return this.near && ip !== undefined && isNearAddress(ip) ? this.near : this.far;
  }

  /** The slot a connection to `ip` may start at, claimed now (ms on the pacer's clock). */
  claim(ip?: string): number {
    const now = this.clock();
    const lane = this.laneOf(ip);
    let slot = Math.max(now, lane.next);
    const perNet = this.policy.perNetworkRate;
    if (ip && perNet > 0 && !isLoopbackText(ip)) {
      const key = networkKey(ip);
      slot = Math.max(slot, this.networks.get(key) ?? 0);
      this.networks.set(key, slot + 1000 / perNet);
      // Networks whose next slot has passed need no memory.
      if (this.networks.size > 4096)
        for (const [k, t] of this.networks) if (t <= now) this.networks.delete(k);
    }
    // A later slot for one network does not hold back the others beyond the global spacing.
    lane.next = Math.max(now, lane.next) + 1000 / lane.controller.rate;
    lane.controller.took();
    return slot;
  }

  async take(ip?: string): Promise<void> {
    const wait = this.claim(ip) - this.clock();
    // Sub-millisecond waits are batched, as in RateLimiter.
    if (wait >= 1) await this.sleep(wait);
  }

  /** What a connect to `ip` said; without `ip`, it counts for the internet's controller. */
  report(signal: PathSignal, ip?: string): void {
    this.laneOf(ip).controller.record(signal);
  }
}

/** The pacer for a scan's rate option: a number is a hard cap (0 = none), "adaptive" adapts. */
export function pacerFor(rate: number | "adaptive", shared?: SharedArrayBuffer): Pacer {
  return rate === "adaptive"
    ? new AdaptivePacer(DEFAULT_ADAPTIVE, undefined, undefined, NEAR_ADAPTIVE)
    : new RateLimiter(rate, shared);
}
