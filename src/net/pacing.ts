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
    if (s.active >= this.limit) await new Promise<void>((r) => s!.waiters.push(r));
    s.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      s!.active--;
      const next = s!.waiters.shift();
      if (next) next();
      else if (s!.active === 0) this.slots.delete(key);
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
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiters.shift()?.();
    };
  }
}
