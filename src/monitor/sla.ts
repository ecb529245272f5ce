// Exposure service levels between policy checks: each monitor cycle, the policy's exposure
// clauses (a gateway without auth closed within N hours, a pre-auth advisory upgraded within M)
// are timed against the store's first-seen times of the findings still open on the gateways
// this run saw. A breach is alerted once (its row in sla_breaches, keyed by profile, clause,
// asset and first-seen time, stays open), and once more as resolved when the exposure closes:
// the finding is gone, or the gateway no longer answers. `policy check` judges the same clauses
// from first to last seen; here the clock is now, so a breach is caught while it lasts.
import { createHash } from "node:crypto";
import type { Finding } from "../findings/model.ts";
import { loadStoredSuppressions } from "../findings/stored-suppressions.ts";
import { matchSuppression } from "../findings/suppress.ts";
import { serviceLevels } from "../policy/clauses.ts";
import type { Policy } from "../policy/schema.ts";
import type { OpenFinding } from "../policy/subjects.ts";
import { sql } from "../store/drizzle.ts";
import { rowsOf } from "../store/rows.ts";
import type { Db } from "./alert-log.ts";
import { ALERT_SCHEMA, type Alert, addressOf, alertId, orderAlert } from "./alerts.ts";

/** One exposure open longer than its clause allows. */
export interface SlaBreach {
  /** sha256 of profile, clause, asset and first-seen time: one breach, however many cycles it lasts. */
  id: string;
  clause: string;
  asset: string;
  ip: string;
  port: number;
  product: string | null;
  version: string | null;
  auth: string;
  firstSeen: string;
  deadline: string;
  limitHours: number;
  rules: string[];
}

const HOUR = 3_600_000;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const iso = (v: unknown) => new Date(String(v)).toISOString();

/** The breaches open now among the gateways run `runId` saw answering. */
export async function currentBreaches(
  db: Db,
  policy: Policy,
  profile: string,
  runId: string,
  now: Date,
): Promise<SlaBreach[]> {
  const levels = serviceLevels(policy);
  if (levels.length === 0) return [];
  const rules = [...new Set(levels.flatMap((l) => l.rules))];
  // Only what a breach can be made of: the findings of the timed rules on the gateways this run
  // saw answering, still open (seen at the asset's latest sighting), whichever name (the
  // address or the name scanned) the finding was filed under.
  const seen = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT DISTINCT ON (o.ip, o.port) host(o.ip) AS ip, o.port, o.host, o.auth, a.product, a.version, a.last_seen
      FROM observations o JOIN assets a ON a.ip = o.ip AND a.port = o.port AND a.state = 'open'
      WHERE o.run_id = ${runId} AND o.reachable AND o.ip IS NOT NULL
      ORDER BY o.ip, o.port, o.seq DESC`),
  );
  // A finding is filed under the name scanned or the address: either names the gateway.
  const gateways = new Map<string, Record<string, unknown>>();
  for (const g of seen) {
    gateways.set(addressOf(String(g.host), Number(g.port)), g);
    gateways.set(addressOf(String(g.ip), Number(g.port)), g);
  }
  if (gateways.size === 0) return [];
  // Only the timed rules' findings (a few per gateway), matched to the gateways in memory: one
  // indexed scan instead of a join the planner gets wrong on a large store.
  const rows: Record<string, unknown>[] = [];
  for (const f of rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT asset, finding, first_seen, last_seen FROM findings
      WHERE rule_id IN (${sql.join(
        rules.map((r) => sql`${r}`),
        sql`, `,
      )})`),
  )) {
    const g = gateways.get(String(f.asset));
    // still open: seen at the gateway's latest sighting
    if (!g || Date.parse(String(f.last_seen)) < Date.parse(String(g.last_seen))) continue;
    rows.push({
      ...g,
      asset: addressOf(String(g.host), Number(g.port)),
      finding: f.finding,
      first_seen: f.first_seen,
    });
  }
  const suppressions = await loadStoredSuppressions(db as Parameters<typeof loadStoredSuppressions>[0]);
  const byAsset = new Map<
    string,
    {
      where: Omit<SlaBreach, "id" | "clause" | "firstSeen" | "deadline" | "limitHours" | "rules">;
      open: OpenFinding[];
    }
  >();
  for (const r of rows) {
    const finding = (typeof r.finding === "string" ? JSON.parse(r.finding) : r.finding) as Finding;
    // An accepted finding (a suppression added on the dashboard) is not an exposure to chase.
    if (matchSuppression(finding, suppressions, now) !== null) continue;
    const asset = String(r.asset);
    const entry = byAsset.get(asset) ?? {
      where: {
        asset,
        ip: String(r.ip),
        port: Number(r.port),
        auth: String(r.auth),
        product: (r.product as string | null) ?? null,
        version: (r.version as string | null) ?? null,
      },
      open: [],
    };
    entry.open.push({ finding, firstSeen: iso(r.first_seen), lastSeen: now.toISOString() });
    byAsset.set(asset, entry);
  }
  const out: SlaBreach[] = [];
  for (const { where, open: all } of [...byAsset.values()].sort((x, y) =>
    x.where.asset.localeCompare(y.where.asset),
  ))
    for (const level of levels) {
      const open = all.filter((o) => level.rules.includes(o.finding.ruleId) && level.counts(o));
      if (open.length === 0) continue;
      const firstSeen = open.map((o) => o.firstSeen).sort()[0]!;
      const deadline = new Date(Date.parse(firstSeen) + level.hours * HOUR);
      if (now.getTime() <= deadline.getTime()) continue;
      out.push({
        id: sha(`${profile}\u0000${level.clause}\u0000${where.asset}\u0000${firstSeen}`),
        clause: level.clause,
        ...where,
        firstSeen,
        deadline: deadline.toISOString(),
        limitHours: level.hours,
        rules: [...new Set(open.map((o) => o.finding.ruleId))].sort(),
      });
    }
  return out;
}

const hoursText = (ms: number) => `${(ms / HOUR).toFixed(1)} h`;
const WHAT: Record<string, string> = {
  "exposure.noAuthHours": "exposed without auth",
  "exposure.preAuthAdvisoryHours": "on a version with a pre-auth advisory",
};

function slaAlert(
  b: SlaBreach,
  state: "breach" | "resolved",
  meta: { profile: string; runId: string; now: Date; severity: Policy["severity"]; resolvedAt?: string },
): Alert {
  const address = addressOf(b.ip, b.port);
  const openMs = meta.now.getTime() - Date.parse(b.firstSeen);
  const what = WHAT[b.clause] ?? b.clause;
  const key = `sla-${state}|${b.id}`;
  const sla = {
    clause: b.clause,
    asset: b.asset,
    firstSeen: b.firstSeen,
    deadline: b.deadline,
    limitHours: b.limitHours,
    openHours: Math.round((openMs / HOUR) * 10) / 10,
    rules: b.rules,
    ...(meta.resolvedAt ? { resolvedAt: meta.resolvedAt } : {}),
  };
  const breach = state === "breach";
  return orderAlert({
    schema: ALERT_SCHEMA,
    id: alertId(key, meta.runId),
    key,
    kind: breach ? "sla-breach" : "sla-resolved",
    severity: breach ? meta.severity : "info",
    title: breach
      ? `SLA breached: ${address} ${what} for ${hoursText(openMs)} (policy ${b.clause}: ${b.limitHours} h)`
      : `SLA breach resolved: ${address} is no longer ${what} (policy ${b.clause})`,
    summary: breach
      ? `${b.asset}: ${b.rules.join(", ")} open since ${b.firstSeen}, ${hoursText(openMs)}; the deadline was ${b.deadline}`
      : `${b.asset}: ${b.rules.join(", ")} first seen ${b.firstSeen} closed by ${meta.resolvedAt}, ${hoursText(openMs)} after it was found (deadline ${b.deadline})`,
    why: breach
      ? `The policy allows ${b.limitHours} h to close a gateway ${what}; this one has been open ${hoursText(openMs)}.`
      : "The exposure is closed (the finding is gone or the gateway no longer answers).",
    remediation: breach
      ? b.clause === "exposure.noAuthHours"
        ? [
            'Enable auth: gateway.auth.mode "token" with a long random token (`clawpatrol fix --apply` on that host writes one).',
            "Or close the port: bind the gateway to loopback and firewall it (`clawpatrol firewall`).",
          ]
        : ["Upgrade the gateway to a release no pre-auth advisory affects, or take it off the network."]
      : [],
    profile: meta.profile,
    runId: meta.runId,
    at: meta.now.toISOString(),
    asset: {
      address,
      ip: b.ip,
      port: b.port,
      product: b.product,
      version: b.version,
      auth: b.auth,
      remoteLooksLocal: false,
      state: breach ? "open" : "closed",
    },
    changes: {},
    advisories: [],
    upgradeTo: null,
    sla,
  });
}

/**
 * Compare the breaches open now with those already alerted for the profile: new breaches are
 * recorded and alerted, recorded ones no longer open are marked resolved and alerted so.
 */
export async function slaAlerts(
  tx: Db,
  policy: Policy,
  meta: { profile: string; runId: string; now: Date },
): Promise<Alert[]> {
  const current = await currentBreaches(tx, policy, meta.profile, meta.runId, meta.now);
  const open = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      SELECT id, clause, asset, host(ip) AS ip, port, first_seen, deadline, detail FROM sla_breaches
      WHERE profile = ${meta.profile} AND resolved_at IS NULL`),
  );
  const known = new Set(open.map((r) => String(r.id)));
  const now = meta.now.toISOString();
  const alerts: Alert[] = [];
  const base = { ...meta, severity: policy.severity };
  for (const b of current) {
    // A breach already alerted stays quiet; one that was resolved and is open again (the same
    // finding back, first seen when it was) is re-opened and alerted once more.
    if (known.has(b.id)) continue;
    await tx.execute(sql`
      INSERT INTO sla_breaches (id, profile, clause, asset, ip, port, first_seen, deadline, breached_at, detail)
      VALUES (${b.id}, ${meta.profile}, ${b.clause}, ${b.asset}, ${b.ip}::inet, ${b.port}, ${b.firstSeen}::timestamptz,
        ${b.deadline}::timestamptz, ${now}::timestamptz, ${JSON.stringify(b)}::jsonb)
      ON CONFLICT (id) DO UPDATE SET resolved_at = NULL, breached_at = EXCLUDED.breached_at`);
    alerts.push(slaAlert(b, "breach", base));
  }
  const still = new Set(current.map((b) => b.id));
  for (const r of open) {
    if (still.has(String(r.id))) continue;
    await tx.execute(
      sql`UPDATE sla_breaches SET resolved_at = ${now}::timestamptz WHERE id = ${String(r.id)}`,
    );
    const detail = (typeof r.detail === "string" ? JSON.parse(r.detail) : r.detail) as Partial<SlaBreach>;
    const b: SlaBreach = {
      id: String(r.id),
      clause: String(r.clause),
      asset: String(r.asset),
      ip: String(r.ip),
      port: Number(r.port),
      product: detail.product ?? null,
      version: detail.version ?? null,
      auth: detail.auth ?? "unknown",
      firstSeen: iso(r.first_seen),
      deadline: iso(r.deadline),
      limitHours: Number(detail.limitHours ?? 0),
      rules: detail.rules ?? [],
    };
    alerts.push(slaAlert(b, "resolved", { ...base, resolvedAt: now }));
  }
  return alerts;
}
