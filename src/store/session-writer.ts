// Writes one run's observations through any store session, in batches. Apart from session.ts
// (which opens stores and loads the database code) so the scan's own thread can use it while
// the store itself lives on another thread (session-thread.ts).
import type { Observation } from "../scan/record.ts";
import type { RunSummary } from "./runs.ts";
import type { StoreSession } from "./session-types.ts";
import type { Numbered } from "./write.ts";

/** Streams one run's observations through a session in batches (RunWriter's job, for any session). */
export class SessionRunWriter {
  readonly #session: StoreSession;
  readonly runId: string;
  readonly #batchSize: number;
  #pending: Numbered[] = [];
  #seq = 0;

  constructor(session: StoreSession, runId: string, batchSize = 500) {
    this.#session = session;
    this.runId = runId;
    this.#batchSize = batchSize;
  }

  async add(observation: Observation, seq = this.#seq): Promise<void> {
    this.#seq = seq + 1;
    this.#pending.push({ seq, observation });
    if (this.#pending.length >= this.#batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) await this.#session.writeBatch(this.runId, batch);
  }

  async finish(finishedAt = new Date().toISOString()): Promise<RunSummary> {
    await this.flush();
    return this.#session.completeRun(this.runId, finishedAt);
  }
}
