// Advisory lists stored once (see migrations/0005_advisory_sets.sql). A record goes into the
// observations table without its `advisories`; the list is saved under the sha256 of its JSON,
// and readers put it back.
import { createHash } from "node:crypto";
import { inArray } from "drizzle-orm";
import type { AdvisorySummary, Observation } from "../fingerprints/observation.ts";
import type { StoreDb } from "./db.ts";
import { advisorySets } from "./schema.ts";

type Tx = Parameters<Parameters<StoreDb["transaction"]>[0]>[0];

// The scan's advisor hands every gateway on one release the same list object, so hashing
// by identity first saves serialising 70 KB per record.
const hashOfList = new WeakMap<object, string>();

/** The hash a non-empty advisory list is stored under; null for an empty list. */
export function advisorySetHash(list: readonly AdvisorySummary[]): string | null {
  if (list.length === 0) return null;
  let hash = hashOfList.get(list);
  if (hash === undefined) {
    hash = createHash("sha256").update(JSON.stringify(list)).digest("hex");
    hashOfList.set(list, hash);
  }
  return hash;
}

/** A record as the observations table keeps it: without its advisory list, plus that list's hash. */
export function splitRecord(o: Observation): {
  record: Omit<Observation, "advisories">;
  advisorySet: string | null;
} {
  const { advisories, ...record } = o;
  return { record, advisorySet: advisorySetHash(advisories) };
}

/** Save the lists a batch refers to (each at most once, however often it is written). */
export async function saveAdvisorySets(tx: Tx | StoreDb, batch: readonly Observation[]): Promise<void> {
  const lists = new Map<string, readonly AdvisorySummary[]>();
  for (const o of batch) {
    const hash = advisorySetHash(o.advisories);
    if (hash !== null && !lists.has(hash)) lists.set(hash, o.advisories);
  }
  if (lists.size === 0) return;
  await tx
    .insert(advisorySets)
    .values([...lists].map(([hash, advisories]) => ({ hash, advisories })))
    .onConflictDoNothing();
}

/** Puts advisory lists back into stored records; lists are fetched once per reader. */
export class AdvisorySetReader {
  readonly #db: StoreDb;
  readonly #lists = new Map<string, AdvisorySummary[]>();

  constructor(db: StoreDb) {
    this.#db = db;
  }

  /** The full records of stored rows, in the same order. */
  async restore(rows: readonly { record: unknown; advisorySet: string | null }[]): Promise<Observation[]> {
    const missing = [
      ...new Set(
        rows.map((r) => r.advisorySet).filter((h): h is string => h !== null && !this.#lists.has(h)),
      ),
    ];
    if (missing.length > 0) {
      const found = await this.#db.select().from(advisorySets).where(inArray(advisorySets.hash, missing));
      for (const f of found) this.#lists.set(f.hash, f.advisories as AdvisorySummary[]);
    }
    return rows.map((r) => {
      const record = r.record as Observation;
      // Rows from before migration 5 still hold their list inside the record.
      if (r.advisorySet === null) return { ...record, advisories: record.advisories ?? [] };
      return { ...record, advisories: this.#lists.get(r.advisorySet) ?? [] };
    });
  }
}
