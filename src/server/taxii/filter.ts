// The Get Objects / Get Object Manifests query of TAXII 2.1 (§3.4, §3.5) over a collection's
// entries, which arrive ordered by date added, then id: added_after, match[id], match[type],
// match[version], match[spec_version], then one page of `limit`, and an opaque `next` that
// continues after the page's last entry (stateless: it names that entry's date and id, so a
// page is stable while new objects arrive, which sort after it).
import type { StixEntry } from "../../findings/stix-picture.ts";

export const MAX_PAGE = 1000;

export class TaxiiBadRequest extends Error {}

export interface ObjectQuery {
  addedAfter: number | null;
  ids: Set<string> | null;
  types: Set<string> | null;
  versions: Set<string> | null;
  specVersions: Set<string> | null;
  limit: number;
  after: { dateAdded: number; id: string } | null;
}

const list = (v: string | undefined) =>
  v === undefined
    ? null
    : new Set(
        v
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      );

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function encodeNext(e: StixEntry): string {
  return Buffer.from(JSON.stringify([e.dateAdded, e.object.id]), "utf8").toString("base64url");
}

function decodeNext(v: string): { dateAdded: number; id: string } {
  try {
    const [date, id] = JSON.parse(Buffer.from(v, "base64url").toString("utf8")) as unknown[];
    const ms = typeof date === "string" ? Date.parse(date) : Number.NaN;
    if (!Number.isNaN(ms) && typeof id === "string") return { dateAdded: ms, id };
  } catch {
    // Reported below.
  }
  throw new TaxiiBadRequest("next: not a value this server gave");
}

/** The query of a request's parameters; a malformed one is a TaxiiBadRequest (400). */
export function parseObjectQuery(q: Record<string, string | undefined>): ObjectQuery {
  let addedAfter: number | null = null;
  if (q.added_after !== undefined) {
    if (!TIMESTAMP.test(q.added_after) || Number.isNaN(Date.parse(q.added_after)))
      throw new TaxiiBadRequest("added_after: a timestamp such as 2026-01-01T00:00:00.000Z");
    addedAfter = Date.parse(q.added_after);
  }
  let limit = MAX_PAGE;
  if (q.limit !== undefined) {
    if (!/^\d{1,9}$/.test(q.limit) || Number(q.limit) < 1)
      throw new TaxiiBadRequest("limit: a whole number of at least 1");
    // A larger limit than the server's page is allowed: the page is the server's size (§3.4).
    limit = Math.min(Number(q.limit), MAX_PAGE);
  }
  const versions = list(q["match[version]"]);
  for (const v of versions ?? [])
    if (!["last", "first", "all"].includes(v) && !TIMESTAMP.test(v))
      throw new TaxiiBadRequest("match[version]: last, first, all or a timestamp");
  return {
    addedAfter,
    ids: list(q["match[id]"]),
    types: list(q["match[type]"]),
    versions,
    specVersions: list(q["match[spec_version]"]),
    limit,
    after: q.next === undefined ? null : decodeNext(q.next),
  };
}

/** The version of an object as TAXII names it: its `modified`, or when it was added (SCOs have none). */
export const versionOf = (e: StixEntry): string =>
  typeof e.object.modified === "string" ? e.object.modified : e.dateAdded;

function matches(e: StixEntry, q: ObjectQuery): boolean {
  const o = e.object;
  if (q.ids && !q.ids.has(o.id as string)) return false;
  if (q.types && !q.types.has(o.type as string)) return false;
  if (q.specVersions && !q.specVersions.has(String(o.spec_version ?? "2.1"))) return false;
  // The store keeps one version of each object: it is the first, the last and all of them.
  if (q.versions && !["last", "first", "all"].some((v) => q.versions!.has(v))) {
    const mine = Date.parse(versionOf(e));
    if (![...q.versions].some((v) => Date.parse(v) === mine)) return false;
  }
  return true;
}

/** The first entry after (t, id) in date-added, id order: added later, or at t with a greater id. */
function firstAfter(entries: readonly StixEntry[], t: number, id: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid]!;
    const d = Date.parse(e.dateAdded);
    if (d < t || (d === t && (e.object.id as string) <= id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Page {
  entries: StixEntry[];
  more: boolean;
  next: string | null;
}

/** One page of the entries the query selects (`entries` in date-added, id order). */
export function selectPage(entries: readonly StixEntry[], q: ObjectQuery): Page {
  const picked: StixEntry[] = [];
  let more = false;
  // added_after and the cursor are where the walk starts (entries are in that order already).
  let start = 0;
  // Every id sorts before "~" ("type--uuid" is lower-case letters, digits and dashes).
  if (q.addedAfter !== null) start = firstAfter(entries, q.addedAfter, "~");
  if (q.after) start = Math.max(start, firstAfter(entries, q.after.dateAdded, q.after.id));
  for (let i = start; i < entries.length; i++) {
    const e = entries[i]!;
    if (!matches(e, q)) continue;
    if (picked.length === q.limit) {
      more = true;
      break;
    }
    picked.push(e);
  }
  return { entries: picked, more, next: more ? encodeNext(picked[picked.length - 1]!) : null };
}
