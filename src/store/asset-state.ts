// How an asset's state moves over time, and the events that record each move:
//   new       first time this ip:port is seen as a gateway
//   changed   seen again later with another product, version, auth or set of advisories
//   closed    a completed scan run covered it (address range and port) but did not see it
//   reopened  seen again after it was closed
// Only gateways (product known before or after) get events; other open ports are kept as
// assets but are not what anyone is paged about. Every event is keyed by (run, asset, kind), so
// writing a run again never adds a second copy.
import { sql } from "./drizzle.ts";
import { refreshExposureCounts } from "./exposure-counts.ts";
import { rowsOf, type StoreDb } from "./rows.ts";
import type { AssetEventKind, assetEvents, assets, RunScope } from "./schema.ts";
import { MAX_SCOPE_RANGES } from "./scope.ts";

type Tx = Parameters<Parameters<StoreDb["transaction"]>[0]>[0];
type AssetInsert = typeof assets.$inferInsert;
type EventInsert = typeof assetEvents.$inferInsert;

/** The stored state of an asset that a batch is about to update. */
export interface CurrentAsset {
  product: string | null;
  version: string | null;
  auth: string;
  state: string;
  closedAt: string | null;
  lastSeen: string;
  /** Ids of a row from before migration 6 (empty for newer rows, which name their list in advisorySet). */
  advisories: string[];
  advisorySet: string | null;
  preauthAdvisories: string[];
}

const keyOf = (a: { ip: string; port: number }) => `${a.ip}|${a.port}`;

/** The stored rows of the batch's assets, keyed by the batch's own `ip|port` text. */
export async function currentAssets(
  tx: Tx | StoreDb,
  incoming: readonly AssetInsert[],
): Promise<Map<string, CurrentAsset>> {
  const wanted = sql.join(
    incoming.map((a) => sql`(${keyOf(a)}, ${a.ip}::inet, ${a.port}::int)`),
    sql`, `,
  );
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      SELECT v.k, a.product, a.version, a.auth, a.state, a.closed_at, a.last_seen, a.advisories, a.advisory_set, a.preauth_advisories
      FROM (VALUES ${wanted}) AS v(k, ip, port)
      JOIN assets a ON a.ip = v.ip AND a.port = v.port`),
  );
  const out = new Map<string, CurrentAsset>();
  for (const r of rows)
    out.set(String(r.k), {
      product: (r.product as string | null) ?? null,
      version: (r.version as string | null) ?? null,
      auth: String(r.auth),
      state: String(r.state),
      closedAt: r.closed_at == null ? null : new Date(String(r.closed_at)).toISOString(),
      lastSeen: new Date(String(r.last_seen)).toISOString(),
      advisories: pgArray(r.advisories),
      advisorySet: (r.advisory_set as string | null) ?? null,
      preauthAdvisories: pgArray(r.preauth_advisories),
    });
  return out;
}

/** A text[] as a driver hands it back: already an array (pg, PGlite) or the literal `{a,b}`. */
function pgArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === "string" && v.startsWith("{") && v.endsWith("}"))
    return v === "{}" ? [] : v.slice(1, -1).split(",");
  return [];
}

const MAX_LISTED = 50;

function listDiff(before: string[], after: string[]): { added: string[]; removed: string[] } | null {
  const b = new Set(before);
  const a = new Set(after);
  const added = [...a].filter((x) => !b.has(x)).sort();
  const removed = [...b].filter((x) => !a.has(x)).sort();
  if (added.length === 0 && removed.length === 0) return null;
  return { added: added.slice(0, MAX_LISTED), removed: removed.slice(0, MAX_LISTED) };
}

/** The advisory lists whose ids a diff needs: those of assets whose list changes. */
export function changedSets(
  current: ReadonlyMap<string, CurrentAsset>,
  incoming: readonly AssetInsert[],
): string[] {
  const hashes: string[] = [];
  for (const next of incoming) {
    const cur = current.get(keyOf(next));
    if (!cur || cur.advisorySet === (next.advisorySet ?? null)) continue;
    if (cur.advisorySet) hashes.push(cur.advisorySet);
    if (next.advisorySet) hashes.push(next.advisorySet);
  }
  return hashes;
}

const idsOf = (
  a: { advisories?: string[]; advisorySet?: string | null },
  ids: ReadonlyMap<string, string[]>,
): string[] => (a.advisorySet ? (ids.get(a.advisorySet) ?? []) : (a.advisories ?? []));

/** What differs between the stored asset and a later sighting: field -> [before, after]. */
export function assetChanges(
  cur: CurrentAsset,
  next: AssetInsert,
  ids: ReadonlyMap<string, string[]> = new Map(),
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const field of ["product", "version", "auth"] as const) {
    const was = cur[field] ?? null;
    const now = next[field] ?? null;
    if (was !== now) changes[field] = [was, now];
  }
  const preauth = listDiff(cur.preauthAdvisories, next.preauthAdvisories ?? []);
  if (preauth) changes.preauthAdvisories = preauth;
  if ((cur.advisorySet ?? null) !== (next.advisorySet ?? null) || cur.advisories.length > 0) {
    const all = listDiff(idsOf(cur, ids), idsOf(next, ids));
    if (all) changes.advisories = all;
  }
  return changes;
}

const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);

/** The events a batch's sightings cause, given what was stored before it. */
export function assetEventsFor(
  current: ReadonlyMap<string, CurrentAsset>,
  incoming: readonly AssetInsert[],
  runId: string,
  advisoryIds: ReadonlyMap<string, string[]> = new Map(),
): EventInsert[] {
  const events: EventInsert[] = [];
  for (const next of incoming) {
    const cur = current.get(keyOf(next));
    if ((next.product ?? null) === null && (cur?.product ?? null) === null) continue;
    const at = next.lastSeen;
    const event = (kind: AssetEventKind, changes: Record<string, unknown> = {}) =>
      events.push({
        runId,
        ip: next.ip,
        port: next.port,
        kind,
        at,
        product: next.product ?? null,
        version: next.version ?? null,
        auth: next.auth,
        changes,
      });
    if (!cur) {
      event("new");
      continue;
    }
    // An older sighting (a late import) says nothing about the present.
    if (!later(at, cur.lastSeen)) continue;
    if (cur.state === "closed" && cur.closedAt !== null && later(at, cur.closedAt)) event("reopened");
    const changes = assetChanges(cur, next, advisoryIds);
    if (Object.keys(changes).length > 0) event("changed", changes);
  }
  return events;
}

/**
 * Close the open assets inside a completed scan's scope that it did not see (last seen before
 * it started), and record a `closed` event for each gateway among them.
 */
export async function closeUnseen(
  tx: Tx | StoreDb,
  run: { id: string; startedAt: string; finishedAt: string; scope: RunScope },
): Promise<number> {
  const { ranges, ports } = run.scope;
  if (ranges.length === 0 || ports.length === 0 || ranges.length > MAX_SCOPE_RANGES) return 0;
  const portList = sql.join(
    ports.map((p) => sql`${p}::int`),
    sql`, `,
  );
  const rangeList = sql.join(
    ranges.map(([lo, hi]) => sql`(${lo}::inet, ${hi}::inet)`),
    sql`, `,
  );
  const startedAt = new Date(run.startedAt).toISOString();
  const finishedAt = new Date(run.finishedAt).toISOString();
  const rows = rowsOf<{ n: number }>(
    await tx.execute(sql`
      WITH closed AS (
        UPDATE assets SET state = 'closed', closed_at = ${finishedAt}::timestamptz
        WHERE state = 'open'
          AND last_seen < ${startedAt}::timestamptz
          AND port IN (${portList})
          AND EXISTS (SELECT 1 FROM (VALUES ${rangeList}) AS r(lo, hi) WHERE assets.ip >= r.lo AND assets.ip <= r.hi)
        RETURNING ip, port, product, version, auth
      ), logged AS (
        INSERT INTO asset_events (run_id, ip, port, kind, at, product, version, auth)
        SELECT ${run.id}, ip, port, 'closed', ${finishedAt}::timestamptz, product, version, auth
        FROM closed WHERE product IS NOT NULL
        ON CONFLICT DO NOTHING
      )
      SELECT count(*)::int AS n FROM closed`),
  );
  return Number(rows[0]?.n ?? 0);
}

/** The UTC day of an instant and the instants that bound it. */
export function utcDay(at: string): { day: string; from: string; to: string } {
  const d = new Date(at);
  const day = d.toISOString().slice(0, 10);
  const from = `${day}T00:00:00.000Z`;
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  return { day, from, to };
}

/**
 * Recompute the overview counts of the day `at` falls on: the current state of every gateway
 * asset (live, unauthenticated, vulnerable, ever seen) and that day's events. Called when a scan
 * run completes, so each day keeps the picture as of its last run.
 */
export async function recomputeDailyStats(tx: Tx | StoreDb, at: string): Promise<void> {
  const { day, from, to } = utcDay(at);
  await tx.execute(sql`
    INSERT INTO daily_stats (day, live, unauthenticated, vulnerable, ever_seen, new, closed, reopened, changed, computed_at)
    SELECT ${day}::date, s.live, s.unauthenticated, s.vulnerable, s.ever_seen, e.new, e.closed, e.reopened, e.changed, now()
    FROM (
      SELECT count(*) FILTER (WHERE state = 'open')::int AS live,
             count(*) FILTER (WHERE state = 'open' AND auth = 'not-required')::int AS unauthenticated,
             count(*) FILTER (WHERE state = 'open' AND cardinality(preauth_advisories) > 0)::int AS vulnerable,
             count(*)::int AS ever_seen
      FROM assets WHERE product IS NOT NULL
    ) AS s, (
      SELECT count(*) FILTER (WHERE kind = 'new')::int AS new,
             count(*) FILTER (WHERE kind = 'closed')::int AS closed,
             count(*) FILTER (WHERE kind = 'reopened')::int AS reopened,
             count(*) FILTER (WHERE kind = 'changed')::int AS changed
      FROM asset_events WHERE at >= ${from}::timestamptz AND at < ${to}::timestamptz
    ) AS e
    ON CONFLICT (day) DO UPDATE SET
      live = excluded.live, unauthenticated = excluded.unauthenticated, vulnerable = excluded.vulnerable,
      ever_seen = excluded.ever_seen, new = excluded.new, closed = excluded.closed,
      reopened = excluded.reopened, changed = excluded.changed, computed_at = excluded.computed_at`);
  // The country table's trend: live gateways per country as of this run (verified ones: an
  // import's claims are not what is exposed now). One GROUP BY over the assets per completed run;
  // the '' row (no country known) is always written, so a day with nothing live still has a row.
  await tx.execute(sql`DELETE FROM daily_countries WHERE day = ${day}::date`);
  await tx.execute(sql`
    INSERT INTO daily_countries (day, country, live, unauthenticated, vulnerable)
    SELECT ${day}::date, coalesce(country, ''), count(*)::int,
           count(*) FILTER (WHERE auth = 'not-required')::int,
           count(*) FILTER (WHERE preauth_count > 0)::int
    FROM assets WHERE product IS NOT NULL AND state = 'open' AND verified
    GROUP BY 2
    UNION ALL SELECT ${day}::date, '', 0, 0, 0
    ON CONFLICT (day, country) DO NOTHING`);
  await refreshExposureCounts(tx);
}
