// Compliance over time: each `policy check --from-store` evaluation is kept (compliance_checks,
// and its outcome per clause and host in compliance_results; migrations/0009_policy_tracking.sql)
// so the dashboard can show, per clause, per network and per host, whether it was kept or broken
// at each check. A host is the machine a subject belongs to (the scanned address or name, the
// audited host's name, a skill's folder); its network is the /24 (IPv4) or /64 (IPv6) of an
// address, or the kind of subject for names.
import { createHash, randomBytes } from "node:crypto";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { cidrInterval, formatIp, parseIp } from "../targets/ip.ts";
import type { PolicyCheck } from "./evaluate.ts";

export type TrendStatus = "pass" | "fail" | null;

/** The network a host is counted in. */
export function networkOf(host: string, kind: string): string {
  const ip = parseIp(host);
  if (ip) {
    const prefix = ip.family === 4 ? 24 : 64;
    return `${formatIp(ip.family, cidrInterval(ip.family, ip.value, prefix).start)}/${prefix}`;
  }
  if (kind === "skill") return "skills";
  if (kind === "gateway") return "named gateways";
  return "audited hosts";
}

/** Per clause and host: failed if any of its subjects did (what compliance_results keeps). */
export function resultsByHost(
  check: PolicyCheck,
): { clause: string; host: string; network: string; status: "pass" | "fail" }[] {
  const out = new Map<string, { clause: string; host: string; network: string; status: "pass" | "fail" }>();
  for (const c of check.clauses)
    for (const s of c.subjects) {
      const host = s.host || s.asset;
      const k = `${c.clause}\u0000${host}`;
      const before = out.get(k);
      if (!before) out.set(k, { clause: c.clause, host, network: networkOf(host, s.kind), status: s.status });
      else if (s.status === "fail") before.status = "fail";
    }
  return [...out.values()];
}

/** Keep one evaluation; returns its id. */
export async function recordCheck(db: StoreDb, check: PolicyCheck): Promise<string> {
  const id = createHash("sha256")
    .update(`${check.checkedAt}\u0000${randomBytes(8).toString("hex")}`)
    .digest("hex")
    .slice(0, 16);
  const rows = resultsByHost(check);
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO compliance_checks (id, checked_at, organisation, policy_file, summary)
      VALUES (${id}, ${check.checkedAt}::timestamptz, ${check.organisation}, ${check.policyFile}, ${JSON.stringify(check.summary)}::jsonb)`);
    for (let i = 0; i < rows.length; i += 500) {
      const values = sql.join(
        rows.slice(i, i + 500).map((r) => sql`(${id}, ${r.clause}, ${r.host}, ${r.network}, ${r.status})`),
        sql`, `,
      );
      await tx.execute(
        sql`INSERT INTO compliance_results (check_id, clause, host, network, status) VALUES ${values}`,
      );
    }
  });
  return id;
}

export interface ComplianceTrend {
  /** The evaluations shown, oldest first. */
  checks: { id: string; checkedAt: string; summary: PolicyCheck["summary"] }[];
  /** Per clause and network: its status at each check (null: not judged then). */
  networks: { clause: string; network: string; statuses: TrendStatus[] }[];
  /** Per clause and host, likewise. */
  hosts: { clause: string; host: string; network: string; statuses: TrendStatus[] }[];
}

/** The last `limit` evaluations, per clause × network and clause × host. */
export async function complianceTrend(db: StoreDb, limit = 30, maxHosts = 500): Promise<ComplianceTrend> {
  const checks = rowsOf<{ id: string; checked_at: unknown; summary: unknown }>(
    await db.execute(sql`
      SELECT id, checked_at, summary FROM compliance_checks ORDER BY checked_at DESC, id DESC LIMIT ${limit}`),
  ).reverse();
  const index = new Map(checks.map((c, i) => [String(c.id), i]));
  const results =
    checks.length === 0
      ? []
      : rowsOf<{ check_id: string; clause: string; host: string; network: string; status: string }>(
          await db.execute(sql`
            SELECT check_id, clause, host, network, status FROM compliance_results
            WHERE check_id IN (${sql.join(
              checks.map((c) => sql`${String(c.id)}`),
              sql`, `,
            )})`),
        );
  const nets = new Map<string, { clause: string; network: string; statuses: TrendStatus[] }>();
  const hosts = new Map<string, { clause: string; host: string; network: string; statuses: TrendStatus[] }>();
  const blank = () => Array.from({ length: checks.length }, () => null as TrendStatus);
  for (const r of results) {
    const i = index.get(String(r.check_id))!;
    const status = r.status === "fail" ? "fail" : "pass";
    const nk = `${r.clause}\u0000${r.network}`;
    const n = nets.get(nk) ?? { clause: r.clause, network: r.network, statuses: blank() };
    if (n.statuses[i] !== "fail") n.statuses[i] = status;
    nets.set(nk, n);
    const hk = `${r.clause}\u0000${r.host}`;
    const h = hosts.get(hk) ?? { clause: r.clause, host: r.host, network: r.network, statuses: blank() };
    h.statuses[i] = status;
    hosts.set(hk, h);
  }
  const byName =
    <T extends { clause: string }>(key: (x: T) => string) =>
    (a: T, b: T) =>
      a.clause.localeCompare(b.clause) || key(a).localeCompare(key(b));
  return {
    checks: checks.map((c) => ({
      id: String(c.id),
      checkedAt: new Date(String(c.checked_at)).toISOString(),
      summary: (typeof c.summary === "string" ? JSON.parse(c.summary) : c.summary) as PolicyCheck["summary"],
    })),
    networks: [...nets.values()].sort(byName((x) => x.network)),
    hosts: [...hosts.values()].sort(byName((x) => x.host)).slice(0, maxHosts),
  };
}
