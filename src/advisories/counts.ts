// The advisory numbers, defined once. Every surface that shows how many advisories apply to a
// gateway (scan text and records, audit, `advisories check`, inventory, monitor alerts, the
// dashboard) counts through this module, so one version gives one set of numbers everywhere:
//
//   affecting           distinct advisories whose ranges include the version for certain. An
//                       advisory is one record however many ids it has: a GHSA and its CVE
//                       alias (or an imported CVE record naming that GHSA) count once.
//   possibly affecting  distinct advisories that apply to some but not all of the versions a
//                       fingerprint left open (a range or candidate set); never part of the others.
//   pre-auth            of the affecting ones, those exploitable over the network before
//                       authentication (the record's pre_auth_network flag).
//   usable here         of the affecting ones, those an attacker can use on this endpoint, the
//                       gateway port, given its observed auth state:
//                         - flaws in the gateway port's own surface (exposure "gateway":
//                           WebSocket, HTTP API, Control UI) that need no credentials;
//                         - when the gateway enforces no auth ("not-required"), every flaw in
//                           that surface, since anyone who connects already holds what the
//                           credentialed ones need.
//                       Auth "unknown" counts as enforced: only what is proven usable is counted.
//                       Webhook, channel and browser-relay flaws are never counted here: webhook
//                       routes exist only when hooks or channel plugins are enabled (which a
//                       pre-auth look at the port cannot see) and carry their own secrets; the
//                       browser relay listens on other ports; channel and local flaws are not
//                       reached through this endpoint at all.
//
// The labels below are the one spelling of each number in text; JSON uses the field names of
// AdvisoryCounts.

export type AuthState = "required" | "not-required" | "unknown";

/** What the counts need of an advisory: a match, a scan record's summary, a stored list entry. */
export interface AdvisoryFacts {
  id: string;
  aliases: readonly string[];
  preAuth: boolean;
  exposure: readonly string[];
  /** Absent: affected (an exact-version match). */
  certainty?: "affected" | "possibly-affected";
}

export interface AdvisoryCounts {
  affecting: number;
  possiblyAffecting: number;
  preAuth: number;
  usableHere: number;
}

/** How each number is written in text output (tables, titles, notes, the dashboard). */
export const COUNT_LABELS: Record<keyof AdvisoryCounts, string> = {
  affecting: "affecting",
  possiblyAffecting: "possibly affecting",
  preAuth: "pre-auth",
  usableHere: "usable here",
};

/** One advisory after merging every entry that shares an id or alias with it. */
export interface DistinctAdvisory<T extends AdvisoryFacts = AdvisoryFacts> {
  /** The GHSA id when there is one (else the smallest id): the name shown and linked. */
  id: string;
  /** Every other id of the advisory (CVE aliases, merged records' ids), sorted. */
  aliases: string[];
  preAuth: boolean;
  exposure: string[];
  certainty: "affected" | "possibly-affected";
  /** The entries merged into this one, in list order. */
  entries: T[];
}

const key = (id: string) => id.trim().toUpperCase();

function canonicalId(ids: Iterable<string>): string {
  let best: string | null = null;
  for (const id of ids) {
    if (best === null) best = id;
    else {
      const ghsa = id.startsWith("GHSA-");
      const bestGhsa = best.startsWith("GHSA-");
      if ((ghsa && !bestGhsa) || (ghsa === bestGhsa && id < best)) best = id;
    }
  }
  return best ?? "";
}

interface Group<T> {
  ids: Set<string>;
  entries: T[];
}

const distinctCache = new WeakMap<readonly AdvisoryFacts[], DistinctAdvisory[]>();

/**
 * The advisories of a list, each once: entries that share any id or alias are one advisory
 * (affected when any entry is, pre-auth when any entry says so, exposures joined). Order
 * follows the first entry of each advisory.
 */
export function distinctAdvisories<T extends AdvisoryFacts>(list: readonly T[]): DistinctAdvisory<T>[] {
  const cached = distinctCache.get(list);
  if (cached) return cached as DistinctAdvisory<T>[];
  const groupOf = new Map<string, Group<T>>();
  const groups: Group<T>[] = [];
  for (const entry of list) {
    let group: Group<T> | undefined;
    for (const id of [entry.id, ...entry.aliases]) {
      const found = groupOf.get(key(id));
      if (!found || found === group) continue;
      if (!group) group = found;
      else {
        // The entry joins two advisories seen apart so far: they are one.
        for (const other of found.ids) {
          group.ids.add(other);
          groupOf.set(key(other), group);
        }
        group.entries.push(...found.entries);
        groups.splice(groups.indexOf(found), 1);
      }
    }
    if (!group) {
      group = { ids: new Set(), entries: [] };
      groups.push(group);
    }
    group.entries.push(entry);
    for (const id of [entry.id, ...entry.aliases]) {
      group.ids.add(id);
      groupOf.set(key(id), group);
    }
  }
  const out = groups.map((g): DistinctAdvisory<T> => {
    const id = canonicalId(g.ids);
    const seen = new Set([key(id)]);
    const aliases: string[] = [];
    for (const other of g.ids)
      if (!seen.has(key(other))) {
        seen.add(key(other));
        aliases.push(other);
      }
    return {
      id,
      aliases: aliases.sort(),
      preAuth: g.entries.some((e) => e.preAuth),
      exposure: [...new Set(g.entries.flatMap((e) => e.exposure))],
      certainty: g.entries.some((e) => (e.certainty ?? "affected") === "affected")
        ? "affected"
        : "possibly-affected",
      entries: g.entries,
    };
  });
  distinctCache.set(list, out);
  return out;
}

/** Is this advisory usable on the gateway port, given the auth state observed there? */
export function isUsableHere(a: Pick<AdvisoryFacts, "preAuth" | "exposure">, auth: AuthState): boolean {
  return a.exposure.includes("gateway") && (a.preAuth || auth === "not-required");
}

const countsCache = new WeakMap<readonly AdvisoryFacts[], Partial<Record<AuthState, AdvisoryCounts>>>();

/** The four numbers for a list of matched advisories on an endpoint with this auth state. */
export function countAdvisories(list: readonly AdvisoryFacts[], auth: AuthState): AdvisoryCounts {
  let byAuth = countsCache.get(list);
  const hit = byAuth?.[auth];
  if (hit) return hit;
  const counts: AdvisoryCounts = { affecting: 0, possiblyAffecting: 0, preAuth: 0, usableHere: 0 };
  for (const a of distinctAdvisories(list)) {
    if (a.certainty !== "affected") {
      counts.possiblyAffecting++;
      continue;
    }
    counts.affecting++;
    if (a.preAuth) counts.preAuth++;
    if (isUsableHere(a, auth)) counts.usableHere++;
  }
  if (!byAuth) {
    byAuth = {};
    countsCache.set(list, byAuth);
  }
  byAuth[auth] = counts;
  return counts;
}

/** "usable here" for a version seen without an endpoint: with auth enforced, and without auth. */
export function usableHereByAuth(list: readonly AdvisoryFacts[]): { required: number; notRequired: number } {
  return {
    required: countAdvisories(list, "required").usableHere,
    notRequired: countAdvisories(list, "not-required").usableHere,
  };
}

/** The ids of the affecting pre-auth advisories, each advisory once (under its GHSA id). */
export function preAuthIds(list: readonly AdvisoryFacts[]): string[] {
  return distinctAdvisories(list)
    .filter((a) => a.certainty === "affected" && a.preAuth)
    .map((a) => a.id);
}

/** The numbers as text, always in this order: "216 affecting, 54 pre-auth, 12 usable here". */
export function describeCounts(c: AdvisoryCounts, opts: { usableHere?: boolean } = {}): string {
  const parts = [`${c.affecting} ${COUNT_LABELS.affecting}`, `${c.preAuth} ${COUNT_LABELS.preAuth}`];
  if (opts.usableHere !== false) parts.push(`${c.usableHere} ${COUNT_LABELS.usableHere}`);
  if (c.possiblyAffecting > 0) parts.push(`${c.possiblyAffecting} ${COUNT_LABELS.possiblyAffecting}`);
  return parts.join(", ");
}

/**
 * The entries of an asset row written before advisory lists were stored: only its ids and
 * aliases (mixed) and its pre-auth ids were kept. `resolve` (the advisory database) tells which
 * ids are one advisory and where each is reachable; an id it does not know counts on its own.
 */
export function factsOfIds(
  ids: readonly string[],
  preAuth: readonly string[],
  resolve: (id: string) => AdvisoryFacts | null = () => null,
): AdvisoryFacts[] {
  const pre = new Set(preAuth.map(key));
  return ids.map((id) => {
    const known = resolve(id);
    return known
      ? { ...known, preAuth: known.preAuth || pre.has(key(id)) }
      : { id, aliases: [], preAuth: pre.has(key(id)), exposure: [] };
  });
}

/** A stored auth value as an AuthState (anything unexpected counts as unknown). */
export function authState(value: string | null | undefined): AuthState {
  return value === "required" || value === "not-required" ? value : "unknown";
}
