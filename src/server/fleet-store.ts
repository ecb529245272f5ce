// The fleet's rows in the store (migrations/0008_fleet.sql): one token per reporting host (only
// its sha256 kept), and each report once by its id. Hosts never hold database credentials:
// they hold a token, and `clawpatrol serve` writes for them.
import { createHash, randomBytes } from "node:crypto";
import type { Finding } from "../findings/model.ts";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { beginRun, completeRun, writeFindings } from "../store/write.ts";

/** A host name as a fleet knows it: a DNS-style name or a short label, nothing to escape. */
export const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,127})$/;

/** Tokens start with this, so a leaked one is recognisable in logs and secret scanners. */
const TOKEN_PREFIX = "cpf_";

export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

export interface FleetHost {
  host: string;
  createdAt: string;
  revokedAt: string | null;
  lastReportAt: string | null;
  reports: number;
}

const iso = (v: unknown) => (v == null ? null : new Date(String(v)).toISOString());

/** A new token for `host` (replacing any earlier one, which stops working). Shown once. */
export async function createToken(db: StoreDb, host: string, now: Date): Promise<string> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  await db.execute(sql`
    INSERT INTO fleet_hosts (host, token_hash, created_at) VALUES (${host}, ${tokenHash(token)}, ${now.toISOString()})
    ON CONFLICT (host) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = NULL`);
  return token;
}

/** Revoke a host's token; false when the host has none. Its reports stay. */
export async function revokeToken(db: StoreDb, host: string, now: Date): Promise<boolean> {
  const rows = rowsOf(
    await db.execute(
      sql`UPDATE fleet_hosts SET revoked_at = ${now.toISOString()} WHERE host = ${host} AND revoked_at IS NULL RETURNING host`,
    ),
  );
  return rows.length > 0;
}

/** The host a live token belongs to, or null (unknown or revoked). */
export async function hostOfToken(db: StoreDb, token: string): Promise<string | null> {
  const [row] = rowsOf<{ host: string }>(
    await db.execute(
      sql`SELECT host FROM fleet_hosts WHERE token_hash = ${tokenHash(token)} AND revoked_at IS NULL`,
    ),
  );
  return row?.host ?? null;
}

export async function listHosts(db: StoreDb): Promise<FleetHost[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT h.host, h.created_at, h.revoked_at, h.last_report_at, count(r.id)::int AS reports
      FROM fleet_hosts h LEFT JOIN fleet_reports r ON r.host = h.host
      GROUP BY h.host ORDER BY h.host`),
  );
  return rows.map((r) => ({
    host: String(r.host),
    createdAt: iso(r.created_at)!,
    revokedAt: iso(r.revoked_at),
    lastReportAt: iso(r.last_report_at),
    reports: Number(r.reports),
  }));
}

export interface IncomingReport {
  id: string;
  host: string;
  kind: "audit" | "skills";
  digest: string;
  sentAt: string;
  startedAt: string;
  report: unknown;
  /** Its findings, assets already named with the host (`host:/path`). */
  findings: Finding[];
}

export type StoreOutcome =
  | { stored: true; runId: string; findings: number }
  | { stored: false; duplicate: true; runId: string }
  | { stored: false; conflict: true };

/**
 * Keep a report once. The same id with the same digest is a retry (nothing is written again);
 * the same id with other content is refused. The findings become a run of the report's kind.
 */
export async function storeReport(db: StoreDb, r: IncomingReport, now: Date): Promise<StoreOutcome> {
  // One transaction: a report that cannot be written whole leaves nothing behind.
  return db.transaction((tx) => storeReportIn(tx as unknown as StoreDb, r, now));
}

async function storeReportIn(db: StoreDb, r: IncomingReport, now: Date): Promise<StoreOutcome> {
  const runId = `fleet-${r.kind}-${r.id}`;
  const inserted = rowsOf(
    await db.execute(sql`
      INSERT INTO fleet_reports (id, host, kind, digest, sent_at, received_at, run_id, findings, report)
      VALUES (${r.id}, ${r.host}, ${r.kind}, ${r.digest}, ${r.sentAt}, ${now.toISOString()}, ${runId},
              ${r.findings.length}, ${JSON.stringify(r.report)}::jsonb)
      ON CONFLICT (id) DO NOTHING RETURNING id`),
  );
  if (inserted.length === 0) {
    const [old] = rowsOf<{ digest: string; host: string; run_id: string }>(
      await db.execute(sql`SELECT digest, host, run_id FROM fleet_reports WHERE id = ${r.id}`),
    );
    if (old && old.digest === r.digest && old.host === r.host)
      return { stored: false, duplicate: true, runId: old.run_id };
    return { stored: false, conflict: true };
  }
  await beginRun(db, {
    id: runId,
    kind: r.kind,
    source: `fleet:${r.host}`,
    startedAt: r.startedAt,
    options: { fleet: true, host: r.host, reportId: r.id },
    targets: [r.host],
  });
  await writeFindings(
    db,
    runId,
    r.findings.map((finding) => ({ finding, seen: r.startedAt })),
  );
  await completeRun(db, runId, now.toISOString());
  await db.execute(
    sql`UPDATE fleet_hosts SET last_report_at = greatest(coalesce(last_report_at, ${now.toISOString()}), ${now.toISOString()}) WHERE host = ${r.host}`,
  );
  return { stored: true, runId, findings: r.findings.length };
}
