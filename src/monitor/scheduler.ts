// Long-running mode: every profile on its cron schedule (croner). Two runs of one profile never
// overlap (a tick that finds the last run still going is skipped and logged). On the embedded
// PGlite store, which one process opens at a time, runs of different profiles take turns; on
// PostgreSQL they may run side by side. stop() stops the schedules, tells in-flight scans to stop
// taking endpoints (their runs stay incomplete and are alerted by the next run) and waits for them.
import { Cron } from "croner";
import type { Store } from "../store/db.ts";
import type { MonitorConfig, Profile } from "./config.ts";
import { type RunReport, runLine, runProfile } from "./runner.ts";

export interface SchedulerOptions {
  config: MonitorConfig;
  profiles: Profile[];
  log: (line: string) => void;
  onReport?: (r: RunReport) => void;
  open?: () => Promise<Store>;
  /** Run one profile at a time (the PGlite store). */
  serial: boolean;
}

export class MonitorScheduler {
  readonly #o: SchedulerOptions;
  readonly #jobs: Cron[] = [];
  readonly #running = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  start(): void {
    for (const p of this.#o.profiles) {
      const job = new Cron(
        p.schedule,
        {
          name: `clawpatrol-monitor-${p.name}`,
          mode: "5-or-6-parts",
          catch: true,
          ...(p.timezone ? { timezone: p.timezone } : {}),
        },
        () => {
          this.tick(p);
        },
      );
      this.#jobs.push(job);
    }
  }

  /** Start a run of `p` now unless one is still going. Returns false when skipped. */
  tick(p: Profile): boolean {
    if (this.#abort.signal.aborted) return false;
    if (this.#running.has(p.name)) {
      this.#o.log(`monitor ${p.name}: skipped a tick: the previous run is still going`);
      return false;
    }
    const run = async () => {
      if (this.#abort.signal.aborted) return;
      const report = await runProfile(this.#o.config, p, {
        signal: this.#abort.signal,
        ...(this.#o.open ? { open: this.#o.open } : {}),
      });
      const next = this.nextRun(p);
      this.#o.log(
        `${runLine(report)}${report.status === "failed" && next ? `; retrying at the next tick (${next.toISOString()})` : ""}`,
      );
      this.#o.onReport?.(report);
    };
    let job: Promise<void>;
    if (this.#o.serial) {
      job = this.#queue.then(run, run);
      this.#queue = job.catch(() => {});
    } else job = run();
    const tracked = job
      .catch((err) => this.#o.log(`monitor ${p.name}: internal error: ${(err as Error).message}`))
      .finally(() => this.#running.delete(p.name));
    this.#running.set(p.name, tracked);
    return true;
  }

  nextRun(p: Profile): Date | null {
    const i = this.#o.profiles.indexOf(p);
    return this.#jobs[i]?.nextRun() ?? null;
  }

  /** Stop scheduling, stop in-flight scans taking endpoints, wait for them to finish writing. */
  async stop(): Promise<void> {
    for (const j of this.#jobs) j.stop();
    this.#abort.abort();
    await Promise.all(this.#running.values());
  }

  get busy(): boolean {
    return this.#running.size > 0;
  }
}
