// The runs in the store as `clawpatrol runs` lists them, and what one run changed (the line
// `scan --store` prints when it is done).
import { sql } from "./drizzle.ts";
import { rowsOf, type StoreDb } from "./rows.ts";
import type { RunScope } from "./schema.ts";

export interface RunListing {
  id: string;
  kind: string;
  status: string;
  source: string | null;
  profile: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** What the run covered, e.g. "127.0.0.1/32 × 3 ports"; null when unknown (imports, audits). */
  scope: string | null;
  /** Endpoints with a record (every endpoint that answered; all swept ones with --all). */
  endpoints: number;
  /** Records that name a product: the gateways the run found. */
  gateways: number;
}

const iso = (v: unknown): string | null => (v == null ? null : new Date(String(v)).toISOString());

/** A run's scope in a few words: its address ranges (the first three) and how many ports. */
export function scopeText(scope: RunScope | null): string | null {
  if (!scope || scope.ranges.length === 0) return null;
  const shown = scope.ranges.slice(0, 3).map(([a, b]) => (a === b ? a : `${a}-${b}`));
  const more = scope.ranges.length > 3 ? ` +${scope.ranges.length - 3} ranges` : "";
  const ports = scope.ports.length === 1 ? `port ${scope.ports[0]}` : `${scope.ports.length} ports`;
  return `${shown.join(",")}${more} × ${ports}`;
}

/** The newest runs first (at most `limit`), with their record and gateway counts. */
export async function listRunSummaries(db: StoreDb, limit = 50): Promise<RunListing[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT r.id, r.kind, r.status, r.source, r.profile, r.started_at, r.finished_at, r.scope,
             coalesce(o.endpoints, 0)::int AS endpoints, coalesce(o.gateways, 0)::int AS gateways
      FROM (SELECT * FROM runs ORDER BY started_at DESC, id LIMIT ${limit}) r
      LEFT JOIN LATERAL (
        SELECT count(*) AS endpoints, count(*) FILTER (WHERE product IS NOT NULL) AS gateways
        FROM observations WHERE run_id = r.id
      ) o ON true
      ORDER BY r.started_at DESC, r.id`),
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: String(r.kind),
    status: String(r.status),
    source: r.source == null ? null : String(r.source),
    profile: r.profile == null ? null : String(r.profile),
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    scope: scopeText((typeof r.scope === "string" ? JSON.parse(r.scope) : r.scope) as RunScope | null),
    endpoints: Number(r.endpoints),
    gateways: Number(r.gateways),
  }));
}

export async function runExists(db: StoreDb, id: string): Promise<boolean> {
  return rowsOf(await db.execute(sql`SELECT 1 FROM runs WHERE id = ${id}`)).length > 0;
}

/** What a run stored: its records and the asset changes it made. */
export interface RunSummary {
  runId: string;
  records: number;
  assets: { new: number; changed: number; closed: number; reopened: number };
}

export async function runSummary(db: StoreDb, runId: string): Promise<RunSummary> {
  const [counts] = rowsOf<{ n: number }>(
    await db.execute(sql`SELECT count(*)::int AS n FROM observations WHERE run_id = ${runId}`),
  );
  const byKind = rowsOf<{ kind: string; n: number }>(
    await db.execute(
      sql`SELECT kind, count(*)::int AS n FROM asset_events WHERE run_id = ${runId} GROUP BY kind`,
    ),
  );
  const assets = { new: 0, changed: 0, closed: 0, reopened: 0 };
  for (const { kind, n } of byKind) if (kind in assets) assets[kind as keyof typeof assets] = Number(n);
  return { runId, records: Number(counts?.n ?? 0), assets };
}

/** The one line `scan --store` and `import` print: what went into the store. */
export function summaryLine(s: RunSummary, where: string): string {
  const a = s.assets;
  return `stored run ${s.runId} in ${where}: ${s.records} record${s.records === 1 ? "" : "s"}; gateway assets ${a.new} new, ${a.changed} changed, ${a.closed} closed, ${a.reopened} reopened`;
}
