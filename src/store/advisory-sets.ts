// Advisory lists stored once (see migrations/0005_advisory_sets.sql). A record goes into the
// observations table without its `advisories`; the list is saved under the sha256 of its JSON,
// and readers put it back.
import { createHash } from "node:crypto";
import { type AdvisoryFacts, factsOfIds } from "../advisories/counts.ts";
import { defaultFactsResolver } from "../advisories/resolve.ts";
import type { AdvisorySummary, Observation } from "../scan/record.ts";
import type { StoreDb } from "./db.ts";
import { inArray } from "./drizzle.ts";
import { advisorySetIds, advisorySets } from "./schema.ts";

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

/** Every id and alias a list names: what "which assets does CVE-… apply to" looks up. */
export function idsOfList(list: readonly AdvisorySummary[]): string[] {
  return [...new Set(list.flatMap((a) => [a.id, ...a.aliases]))];
}

// Ids of lists this process has seen (few: one per release and advisory database version).
const idsOfHash = new Map<string, string[]>();
const rememberIds = (hash: string, ids: string[]) => {
  if (idsOfHash.size > 10_000) idsOfHash.clear();
  idsOfHash.set(hash, ids);
};

/** Save the lists a batch refers to (each at most once, however often it is written), with their id index. */
export async function saveAdvisorySets(tx: Tx | StoreDb, batch: readonly Observation[]): Promise<void> {
  const lists = new Map<string, readonly AdvisorySummary[]>();
  for (const o of batch) {
    const hash = advisorySetHash(o.advisories);
    if (hash !== null && !lists.has(hash)) lists.set(hash, o.advisories);
  }
  if (lists.size === 0) return;
  const added = await tx
    .insert(advisorySets)
    // In hash order: two writers adding the same new lists at once (campaign workers) then
    // wait for each other in one order and cannot deadlock.
    .values(
      [...lists]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([hash, advisories]) => ({ hash, advisories })),
    )
    .onConflictDoNothing()
    .returning({ hash: advisorySets.hash });
  for (const { hash } of added) {
    const ids = idsOfList(lists.get(hash)!);
    rememberIds(hash, ids);
    for (let i = 0; i < ids.length; i += 1000)
      await tx
        .insert(advisorySetIds)
        .values(ids.slice(i, i + 1000).map((id) => ({ id, hash })))
        .onConflictDoNothing();
  }
  for (const [hash, list] of lists) if (!idsOfHash.has(hash)) rememberIds(hash, idsOfList(list));
}

/** The ids and aliases of stored lists, by hash. */
export async function advisoryIdsOf(
  tx: Tx | StoreDb,
  hashes: Iterable<string>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const missing: string[] = [];
  for (const h of new Set(hashes)) {
    const known = idsOfHash.get(h);
    if (known) out.set(h, known);
    else missing.push(h);
  }
  if (missing.length > 0) {
    const rows = await tx
      .select({ id: advisorySetIds.id, hash: advisorySetIds.hash })
      .from(advisorySetIds)
      .where(inArray(advisorySetIds.hash, missing));
    for (const h of missing) out.set(h, []);
    for (const r of rows) out.get(r.hash)!.push(r.id);
    for (const h of missing) rememberIds(h, out.get(h)!);
  }
  return out;
}

// Stored lists never change under their hash, so a process keeps the few it has read.
const listOfHash = new Map<string, AdvisorySummary[]>();

/** The stored advisory lists themselves, by hash (what the advisory numbers are counted from). */
export async function advisoryListsOf(
  tx: Tx | StoreDb,
  hashes: Iterable<string>,
): Promise<Map<string, AdvisorySummary[]>> {
  const out = new Map<string, AdvisorySummary[]>();
  const missing: string[] = [];
  for (const h of new Set(hashes)) {
    const known = listOfHash.get(h);
    if (known) out.set(h, known);
    else missing.push(h);
  }
  if (missing.length > 0) {
    const found = await tx.select().from(advisorySets).where(inArray(advisorySets.hash, missing));
    if (listOfHash.size > 1000) listOfHash.clear();
    for (const f of found) {
      const list = f.advisories as AdvisorySummary[];
      listOfHash.set(f.hash, list);
      out.set(f.hash, list);
    }
    for (const h of missing) if (!out.has(h)) out.set(h, []);
  }
  return out;
}

/** What an asset row keeps of its advisories. */
export interface StoredAdvisoryRef {
  advisorySet: string | null;
  /** Ids and aliases of a row written before migration 6 (empty for newer rows). */
  advisories: readonly string[];
  preauthAdvisories: readonly string[];
}

/**
 * The advisories of asset rows, in order, as src/advisories/counts.ts counts them: a row's
 * stored list, or for a row from before migration 6 its ids resolved against the advisory data.
 */
export async function storedAdvisoryFacts(
  tx: Tx | StoreDb,
  rows: readonly StoredAdvisoryRef[],
): Promise<(readonly AdvisoryFacts[])[]> {
  const lists = await advisoryListsOf(
    tx,
    rows.flatMap((r) => (r.advisorySet ? [r.advisorySet] : [])),
  );
  const legacy = rows.some((r) => !r.advisorySet && r.advisories.length > 0);
  const resolve = legacy ? await defaultFactsResolver() : undefined;
  return rows.map((r) =>
    r.advisorySet ? (lists.get(r.advisorySet) ?? []) : factsOfIds(r.advisories, r.preauthAdvisories, resolve),
  );
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
