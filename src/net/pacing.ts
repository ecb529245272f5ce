// Pacing for a polite scan: a global rate of new connections, a global concurrency cap,
// and a per-host cap (OpenClaw answers 503 past 32 unauthenticated sockets per client IP;
// we stay far below that).

/** Spaces out new connections to at most `perSecond`. Safe to call from many workers. */
export class RateLimiter {
  private next = 0;
  private readonly interval: number;

  constructor(perSecond: number) {
    this.interval = perSecond > 0 ? 1000 / perSecond : 0;
  }

  /** Whether take() ever waits (a rate of 0 means unlimited). */
  get limited(): boolean {
    return this.interval > 0;
  }

  async take(): Promise<void> {
    if (this.interval === 0) return;
    const now = performance.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.interval;
    const wait = slot - now;
    // Sub-millisecond waits are batched: timers cannot do better and the average rate holds.
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
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
