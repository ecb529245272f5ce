// The monitor's tables (migrations/0003_monitor.sql): its runs, and the alert log that makes
// sending deduplicated and at-least-once. An alert is written `pending` for each sink before it
// is sent and marked `sent` only after the sink took it; `pending`/`failed` rows are retried by
// the profile's next runs until they are sent or older than the retry horizon (`expired`).
import { and, asc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { alertLog, monitorRuns } from "../store/schema.ts";
import type { Alert, AssetContext, AssetEvent, EventKind } from "./alerts.ts";
import type { DeliveryResult } from "./sinks/types.ts";

type Tx = Parameters<Parameters<StoreDb["transaction"]>[0]>[0];
export type Db = StoreDb | Tx;

const iso = (v: unknown): string => new Date(String(v)).toISOString();

export async function startMonitorRun(db: Db, run: { runId: string; profile: string; startedAt: string }) {
  await db
    .insert(monitorRuns)
    .values({ runId: run.runId, profile: run.profile, startedAt: run.startedAt, status: "running" })
    .onConflictDoNothing();
}

export async function endMonitorRun(
  db: Db,
  runId: string,
  status: "complete" | "interrupted" | "failed",
  finishedAt: string,
  summary: Record<string, unknown>,
): Promise<void> {
  await db.update(monitorRuns).set({ status, finishedAt, summary }).where(eq(monitorRuns.runId, runId));
}

/**
 * Runs of a profile whose events were not yet turned into alerts (this one, and any earlier run
 * that was interrupted or whose alerting failed), oldest first, within the retry horizon.
 */
export async function runsAwaitingAlerts(
  db: Db,
  profile: string,
  since: string,
): Promise<{ runId: string; startedAt: string; status: string }[]> {
  const rows = await db
    .select({ runId: monitorRuns.runId, startedAt: monitorRuns.startedAt, status: monitorRuns.status })
    .from(monitorRuns)
    .where(
      and(
        eq(monitorRuns.profile, profile),
        isNull(monitorRuns.alertedAt),
        sql`${monitorRuns.startedAt} >= ${since}::timestamptz`,
      ),
    )
    .orderBy(asc(monitorRuns.startedAt));
  return rows.map((r) => ({ ...r, startedAt: iso(r.startedAt) }));
}

export async function markAlerted(db: Db, runId: string, at: string): Promise<void> {
  await db.update(monitorRuns).set({ alertedAt: at }).where(eq(monitorRuns.runId, runId));
}

/** A run's asset events: the diff against the store's previous picture. */
export async function eventsOfRun(db: Db, runId: string): Promise<AssetEvent[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT run_id, host(ip) AS ip, port, kind, at, product, version, auth, changes
      FROM asset_events WHERE run_id = ${runId}
      ORDER BY at, ip, port, kind`),
  );
  return rows.map((r) => ({
    runId: String(r.run_id),
    ip: String(r.ip),
    port: Number(r.port),
    kind: String(r.kind) as EventKind,
    at: iso(r.at),
    product: (r.product as string | null) ?? null,
    version: (r.version as string | null) ?? null,
    auth: String(r.auth),
    changes: (typeof r.changes === "string" ? JSON.parse(r.changes) : (r.changes ?? {})) as Record<
      string,
      unknown
    >,
  }));
}

function pgArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === "string" && v.startsWith("{") && v.endsWith("}"))
    return v === "{}" ? [] : v.slice(1, -1).split(",");
  return [];
}

/** What the assets table says about these assets (as last seen), keyed `ip|port`. */
export async function assetContexts(
  db: Db,
  list: readonly { ip: string; port: number }[],
): Promise<Map<string, AssetContext>> {
  const out = new Map<string, AssetContext>();
  if (list.length === 0) return out;
  for (let i = 0; i < list.length; i += 500) {
    const chunk = list.slice(i, i + 500);
    const wanted = sql.join(
      chunk.map((a) => sql`(${a.ip}::inet, ${a.port}::int)`),
      sql`, `,
    );
    const rows = rowsOf<Record<string, unknown>>(
      await db.execute(sql`
        SELECT host(a.ip) AS ip, a.port, a.remote_looks_local, a.preauth_advisories
        FROM (VALUES ${wanted}) AS v(ip, port) JOIN assets a ON a.ip = v.ip AND a.port = v.port`),
    );
    for (const r of rows)
      out.set(`${r.ip}|${r.port}`, {
        remoteLooksLocal: r.remote_looks_local === true,
        preauthAdvisories: pgArray(r.preauth_advisories),
      });
  }
  return out;
}

/** Open/closed flips (closed and reopened events) of an asset in (from, to], and the first one's time. */
export async function flipsBetween(
  db: Db,
  a: { ip: string; port: number },
  from: string,
  to: string,
): Promise<{ flips: number; first: string | null }> {
  const [r] = rowsOf<{ n: number; first: unknown }>(
    await db.execute(sql`
      SELECT count(*)::int AS n, min(at) AS first FROM asset_events
      WHERE ip = ${a.ip}::inet AND port = ${a.port} AND kind IN ('closed', 'reopened')
        AND at > ${from}::timestamptz AND at <= ${to}::timestamptz`),
  );
  return { flips: Number(r?.n ?? 0), first: r?.first == null ? null : iso(r.first) };
}

/**
 * Which of these alert keys are already taken care of, per sink: sent within the window, or
 * waiting to be (re)sent. Answers `${key}\u0000${sink}` strings.
 */
export async function handledKeys(
  db: Db,
  keys: readonly string[],
  now: string,
  windowMs: number,
): Promise<Set<string>> {
  const out = new Set<string>();
  const since = new Date(Date.parse(now) - windowMs).toISOString();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 1000) {
    const list = sql.join(
      unique.slice(i, i + 1000).map((k) => sql`${k}`),
      sql`, `,
    );
    const rows = rowsOf<{ key: string; sink: string }>(
      await db.execute(sql`
        SELECT DISTINCT key, sink FROM alert_log
        WHERE key IN (${list})
          AND (status IN ('pending', 'failed') OR (status = 'sent' AND sent_at > ${since}::timestamptz))`),
    );
    for (const r of rows) out.add(`${r.key}\u0000${r.sink}`);
  }
  return out;
}

/** Write deliveries as `pending` (before anything is sent), in chunks. */
export async function queueDeliveries(
  db: Db,
  list: readonly { alert: Alert; sink: string }[],
  now: string,
): Promise<void> {
  for (let i = 0; i < list.length; i += 200) {
    await db
      .insert(alertLog)
      .values(
        list.slice(i, i + 200).map(({ alert, sink }) => ({
          alertId: alert.id,
          sink,
          key: alert.key,
          profile: alert.profile,
          runId: alert.runId,
          kind: alert.kind,
          severity: alert.severity,
          ip: alert.asset.ip,
          port: alert.asset.port,
          status: "pending" as const,
          alert,
          createdAt: now,
        })),
      )
      .onConflictDoNothing();
  }
}

export interface OpenDelivery {
  alertId: string;
  sink: string;
  alert: Alert;
  attempts: number;
  createdAt: string;
}

/**
 * The profile's deliveries still to make, oldest first; those older than the retry horizon are
 * marked `expired` and returned apart.
 */
export async function openDeliveries(
  db: Db,
  profile: string,
  now: string,
  retryForMs: number,
): Promise<{ open: OpenDelivery[]; expired: number }> {
  const horizon = new Date(Date.parse(now) - retryForMs).toISOString();
  const expired = await db
    .update(alertLog)
    .set({ status: "expired" })
    .where(
      and(
        eq(alertLog.profile, profile),
        inArray(alertLog.status, ["pending", "failed"]),
        lt(alertLog.createdAt, horizon),
      ),
    )
    .returning({ id: alertLog.alertId });
  const rows = await db
    .select({
      alertId: alertLog.alertId,
      sink: alertLog.sink,
      alert: alertLog.alert,
      attempts: alertLog.attempts,
      createdAt: alertLog.createdAt,
    })
    .from(alertLog)
    .where(and(eq(alertLog.profile, profile), inArray(alertLog.status, ["pending", "failed"])))
    .orderBy(asc(alertLog.createdAt), asc(alertLog.alertId));
  return {
    open: rows.map((r) => ({ ...r, alert: r.alert as Alert, createdAt: iso(r.createdAt) })),
    expired: expired.length,
  };
}

export async function recordDelivery(
  db: Db,
  d: { alertId: string; sink: string },
  result: DeliveryResult,
  now: string,
): Promise<void> {
  await db
    .update(alertLog)
    .set(
      result.ok
        ? { status: "sent", sentAt: now, attempts: sql`${alertLog.attempts} + 1`, lastError: null }
        : {
            status: "failed",
            attempts: sql`${alertLog.attempts} + 1`,
            lastError: result.error.slice(0, 1000),
          },
    )
    .where(and(eq(alertLog.alertId, d.alertId), eq(alertLog.sink, d.sink)));
}
