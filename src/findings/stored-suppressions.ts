// Suppressions kept in the store (migrations/0009_policy_tracking.sql), added and removed from
// the dashboard: the same entry as a `.clawpatrol-ignore.yml` line (rule, asset or path glob,
// evidence pin, reason, owner, expiry), plus who added it and when. Removing one keeps its row
// (removed_at, removed_by); every add and remove is a row of the append-only suppression_audit.
//
// How they combine with the ignore file: a finding is suppressed when an entry of either
// matches it (the file's entries are tried first, so a finding both hold is credited to the
// file); expired or changed entries of both stop suppressing and are reported the same way.
// Store entries reach the gates of scan, audit and skills scan with --store-suppressions, the
// dashboard's findings and compliance pages and `policy check --from-store` always, and CI
// machines without the store through `clawpatrol policy suppressions` (the YAML file format).
import { createHash, randomBytes } from "node:crypto";
import YAML from "yaml";
import { z } from "zod";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import type { Suppression } from "./suppress.ts";

/** The limits of a dashboard entry: generous for people, far below what a page should carry. */
export const SUPPRESSION_LIMITS = { path: 500, reason: 1000, owner: 200, actor: 200, days: 731 } as const;

/** Text people type: one line, no control or bidi characters (refused, not cleaned, so what is stored is what was reviewed). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const line = (max: number, what: string) =>
  z
    .string({ error: `${what}: must be text` })
    .trim()
    .max(max, `${what}: at most ${max} characters`)
    .refine((v) => !CONTROL.test(v), `${what}: control characters are not allowed`);

export interface SuppressionInput {
  rule: string;
  path: string;
  sha256: string;
  reason: string;
  owner: string | null;
  expires: string;
}

export class SuppressionInputError extends Error {
  override name = "SuppressionInputError";
}

/** Check an entry from the dashboard (a form or JSON); the first problem, in one line. */
export function parseSuppressionInput(input: Record<string, unknown>, today: Date): SuppressionInput {
  const schema = z.object({
    rule: z
      .string({ error: "rule: required" })
      .regex(/^CP-[A-Z0-9:._-]{1,80}$/, "rule: a rule id such as CP-SKILL-EXEC-001"),
    path: line(SUPPRESSION_LIMITS.path, "path").pipe(
      z.string().min(1, "path: required (an asset or a glob)"),
    ),
    sha256: z
      .string({ error: "sha256: required" })
      .regex(/^[0-9a-fA-F]{64}$/, "sha256: the finding's pin (64 hex characters)"),
    reason: line(SUPPRESSION_LIMITS.reason, "reason").pipe(
      z.string().min(3, "reason: say why (at least 3 characters)"),
    ),
    owner: line(SUPPRESSION_LIMITS.owner, "owner").optional(),
    expires: z.string({ error: "expires: required (YYYY-MM-DD)" }),
  });
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new SuppressionInputError(parsed.error.issues[0]!.message);
  const e = parsed.data;
  const d = new Date(`${e.expires}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(e.expires) ||
    Number.isNaN(d.getTime()) ||
    d.toISOString().slice(0, 10) !== e.expires
  )
    throw new SuppressionInputError("expires: a date YYYY-MM-DD");
  const todayStr = today.toISOString().slice(0, 10);
  if (e.expires < todayStr) throw new SuppressionInputError("expires: the date has passed");
  if (d.getTime() - Date.parse(`${todayStr}T00:00:00Z`) > SUPPRESSION_LIMITS.days * 86_400_000)
    throw new SuppressionInputError(`expires: at most ${SUPPRESSION_LIMITS.days} days ahead`);
  return {
    rule: e.rule,
    path: e.path,
    sha256: e.sha256.toLowerCase(),
    reason: e.reason,
    owner: e.owner ? e.owner : null,
    expires: e.expires,
  };
}

export interface StoredSuppression extends SuppressionInput {
  id: string;
  createdAt: string;
  createdBy: string;
  removedAt: string | null;
  removedBy: string | null;
}

export interface SuppressionAuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: "add" | "remove";
  suppressionId: string;
  rule: string;
  path: string;
  reason: string;
}

const iso = (v: unknown) => new Date(String(v)).toISOString();
const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
const actorOf = (a: string) => a.slice(0, SUPPRESSION_LIMITS.actor);

export async function addStoredSuppression(
  db: StoreDb,
  s: SuppressionInput,
  actor: string,
  now: Date,
): Promise<StoredSuppression> {
  const id = createHash("sha256")
    .update(`${s.rule}\u0000${s.path}\u0000${s.sha256}\u0000${randomBytes(8).toString("hex")}`)
    .digest("hex")
    .slice(0, 16);
  const at = now.toISOString();
  const who = actorOf(actor);
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO suppressions (id, rule, path, sha256, reason, owner, expires, created_at, created_by)
      VALUES (${id}, ${s.rule}, ${s.path}, ${s.sha256}, ${s.reason}, ${s.owner}, ${s.expires}::date, ${at}::timestamptz, ${who})`);
    await tx.execute(sql`
      INSERT INTO suppression_audit (at, actor, action, suppression_id, rule, path, reason)
      VALUES (${at}::timestamptz, ${who}, 'add', ${id}, ${s.rule}, ${s.path}, ${s.reason})`);
  });
  return { ...s, id, createdAt: at, createdBy: who, removedAt: null, removedBy: null };
}

/** Withdraw an active entry, with why; false when there is no such active entry. */
export async function removeStoredSuppression(
  db: StoreDb,
  id: string,
  actor: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const who = actorOf(actor);
  return db.transaction(async (tx) => {
    const [row] = rowsOf<{ rule: string; path: string }>(
      await tx.execute(sql`
        UPDATE suppressions SET removed_at = ${at}::timestamptz, removed_by = ${who}
        WHERE id = ${id} AND removed_at IS NULL RETURNING rule, path`),
    );
    if (!row) return false;
    await tx.execute(sql`
      INSERT INTO suppression_audit (at, actor, action, suppression_id, rule, path, reason)
      VALUES (${at}::timestamptz, ${who}, 'remove', ${id}, ${row.rule}, ${row.path}, ${reason})`);
    return true;
  });
}

export async function listStoredSuppressions(
  db: StoreDb,
  opts: { includeRemoved?: boolean } = {},
): Promise<StoredSuppression[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT id, rule, path, sha256, reason, owner, expires::text AS expires, created_at, created_by, removed_at, removed_by
      FROM suppressions ${opts.includeRemoved ? sql`` : sql`WHERE removed_at IS NULL`}
      ORDER BY created_at DESC, id`),
  );
  return rows.map((r) => ({
    id: String(r.id),
    rule: String(r.rule),
    path: String(r.path),
    sha256: String(r.sha256),
    reason: String(r.reason),
    owner: r.owner == null ? null : String(r.owner),
    expires: day(r.expires),
    createdAt: iso(r.created_at),
    createdBy: String(r.created_by),
    removedAt: r.removed_at == null ? null : iso(r.removed_at),
    removedBy: r.removed_by == null ? null : String(r.removed_by),
  }));
}

/** The trail, newest first. */
export async function suppressionAudit(db: StoreDb, limit = 500): Promise<SuppressionAuditEntry[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT seq, at, actor, action, suppression_id, rule, path, reason FROM suppression_audit
      ORDER BY seq DESC LIMIT ${limit}`),
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: iso(r.at),
    actor: String(r.actor),
    action: String(r.action) as "add" | "remove",
    suppressionId: String(r.suppression_id),
    rule: String(r.rule),
    path: String(r.path),
    reason: String(r.reason),
  }));
}

/** Active store entries as the gates' suppressions (`file` names the store entry). */
export function asSuppressions(list: readonly StoredSuppression[]): Suppression[] {
  return list
    .filter((s) => s.removedAt === null)
    .map((s) => ({
      rule: s.rule,
      path: s.path,
      sha256: s.sha256,
      reason: s.reason,
      owner: s.owner,
      expires: s.expires,
      file: `store suppression ${s.id} (added by ${s.createdBy})`,
      used: 0,
      changedTo: [],
      matchedExpired: false,
    }));
}

/** The active store entries in the `.clawpatrol-ignore.yml` format (parseSuppressions reads it back). */
export function suppressionsYaml(list: readonly StoredSuppression[]): string {
  const entries = list
    .filter((s) => s.removedAt === null)
    .map((s) => ({
      rule: s.rule,
      path: s.path,
      sha256: s.sha256,
      reason: s.reason,
      ...(s.owner ? { owner: s.owner } : {}),
      expires: s.expires,
    }));
  return `# exported from the clawpatrol store: ${entries.length} suppression(s)\n${YAML.stringify({ version: 1, suppressions: entries })}`;
}

/** The store's active entries as suppressions, for gates that run outside the dashboard. */
export async function loadStoredSuppressions(db: StoreDb): Promise<Suppression[]> {
  return asSuppressions(await listStoredSuppressions(db));
}
