// What the fleet, findings and compliance pages show, read from the store: the reporting hosts
// with their latest report's installs and findings, the audit and skills findings the store
// keeps, and the policy judged against the store as it is now.
import type { Finding } from "../findings/model.ts";
import { loadStoredSuppressions } from "../findings/stored-suppressions.ts";
import { evidencePin, matchSuppression } from "../findings/suppress.ts";
import { evaluatePolicy, type PolicyCheck } from "../policy/evaluate.ts";
import type { Policy } from "../policy/schema.ts";
import { subjectsOfDb } from "../policy/store-subjects.ts";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { listHosts } from "./fleet-store.ts";

/** A host that has not reported for this long has stopped reporting. */
export const STALE_HOURS = 48;

export interface FleetHostView {
  host: string;
  state: "reporting" | "stopped" | "never" | "revoked";
  lastReportAt: string | null;
  reports: number;
  /** From its latest audit report: each install's product, version and config. */
  installs: { product: string; version: string | null; config: string }[];
  /** Findings of its latest report, by severity. */
  findings: Record<string, number>;
  /** With `serve --policy`: the clauses broken on its installs and host, and how many judged it. */
  policy: { broken: string[]; judged: number } | null;
}

/** Per host, the clauses the policy judged on its subjects and those broken (fleet assets are `host:/path` or the host). */
export function policyByHost(check: PolicyCheck): Map<string, { broken: Set<string>; judged: Set<string> }> {
  const out = new Map<string, { broken: Set<string>; judged: Set<string> }>();
  for (const c of check.clauses)
    for (const s of c.subjects) {
      const host = s.host || s.asset;
      const h = out.get(host) ?? { broken: new Set<string>(), judged: new Set<string>() };
      h.judged.add(c.clause);
      if (s.status === "fail") h.broken.add(c.clause);
      out.set(host, h);
    }
  return out;
}

export async function fleetHosts(
  db: StoreDb,
  now: Date,
  policy: { policy: Policy; file: string } | null = null,
): Promise<FleetHostView[]> {
  const hosts = await listHosts(db);
  const judged = policy ? policyByHost(await compliance(db, policy, now)) : null;
  const latest = rowsOf<{ host: string; report: unknown }>(
    await db.execute(sql`
      SELECT DISTINCT ON (host) host, report FROM fleet_reports
      WHERE kind = 'audit' ORDER BY host, received_at DESC`),
  );
  const byHost = new Map(
    latest.map((r) => [r.host, typeof r.report === "string" ? JSON.parse(r.report) : r.report]),
  );
  return hosts.map((h) => {
    const report = byHost.get(h.host) as
      | {
          targets?: { product?: unknown; version?: unknown; configPath?: unknown }[];
          findings?: { severity?: unknown }[];
        }
      | undefined;
    const findings: Record<string, number> = {};
    for (const f of report?.findings ?? []) {
      const s = String(f.severity);
      findings[s] = (findings[s] ?? 0) + 1;
    }
    const stale =
      h.lastReportAt !== null && now.getTime() - Date.parse(h.lastReportAt) > STALE_HOURS * 3_600_000;
    return {
      host: h.host,
      state: h.revokedAt ? "revoked" : h.lastReportAt === null ? "never" : stale ? "stopped" : "reporting",
      lastReportAt: h.lastReportAt,
      reports: h.reports,
      installs: (report?.targets ?? []).slice(0, 50).map((t) => ({
        product: String(t.product ?? "?"),
        version: t.version == null ? null : String(t.version),
        config: String(t.configPath ?? ""),
      })),
      findings,
      policy: judged
        ? (() => {
            const p = judged.get(h.host);
            return { broken: p ? [...p.broken].sort() : [], judged: p ? p.judged.size : 0 };
          })()
        : null,
    };
  });
}

export interface StoredFindingView {
  id: string;
  kind: "audit" | "skills";
  ruleId: string;
  severity: string;
  title: string;
  asset: string;
  where: string;
  detail: string;
  firstSeen: string;
  lastSeen: string;
  /** The evidence pin a suppression of it names (suppress.ts). */
  pin: string;
  /** The store suppression that holds it back, if one does. */
  suppressedBy: { reason: string; owner: string | null; expires: string; file: string } | null;
}

const iso = (v: unknown) => new Date(String(v)).toISOString();

/** Audit and skills findings (scan findings have their own asset pages), newest first. */
export async function storedFindings(
  db: StoreDb,
  kind: "audit" | "skills" | "",
  now: Date,
  limit = 500,
): Promise<StoredFindingView[]> {
  const like = kind === "audit" ? "CP-AUDIT-%" : kind === "skills" ? "CP-SKILL-%" : null;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT id, rule_id, severity, title, asset, finding, first_seen, last_seen FROM findings
      WHERE ${like === null ? sql`(rule_id LIKE 'CP-AUDIT-%' OR rule_id LIKE 'CP-SKILL-%')` : sql`rule_id LIKE ${like}`}
      ORDER BY last_seen DESC, id LIMIT ${limit}`),
  );
  const suppressions = await loadStoredSuppressions(db);
  return rows.map((r) => {
    const f = (typeof r.finding === "string" ? JSON.parse(r.finding) : r.finding) as {
      evidence?: { detail?: unknown; path?: unknown; line?: unknown; location?: unknown }[];
    };
    const held = matchSuppression(f as Finding, suppressions, now);
    const e = f.evidence?.[0];
    const where = e?.path
      ? `${String(e.path)}${e.line ? `:${String(e.line)}` : ""}`
      : String(e?.location ?? "");
    return {
      id: String(r.id),
      kind: String(r.rule_id).startsWith("CP-SKILL-") ? "skills" : "audit",
      ruleId: String(r.rule_id),
      severity: String(r.severity),
      title: String(r.title),
      asset: String(r.asset),
      where,
      detail: String(e?.detail ?? ""),
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
      pin: evidencePin(f as Finding),
      suppressedBy: held
        ? { reason: held.reason, owner: held.owner, expires: held.expires, file: held.file }
        : null,
    };
  });
}

/** The policy serve was started with, judged against the store now. */
export async function compliance(
  db: StoreDb,
  policy: { policy: Policy; file: string },
  now: Date,
): Promise<PolicyCheck> {
  return evaluatePolicy(policy.policy, await subjectsOfDb(db), {
    policyFile: policy.file,
    inputs: ["store"],
    now,
  });
}
