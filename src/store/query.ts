// Reading the store: the asset inventory with its filters, findings and records for export.

import { type AdvisoryCounts, authState, countAdvisories } from "../advisories/counts.ts";
import type { Finding } from "../findings/model.ts";
import type { Observation } from "../scan/record.ts";
import { AdvisorySetReader, advisoryIdsOf, storedAdvisoryFacts } from "./advisory-sets.ts";
import type { StoreDb } from "./db.ts";
import { and, asc, desc, eq, gte, lte, type SQL, sql } from "./drizzle.ts";
import { advisorySetIds, assets, findings, observations, runs } from "./schema.ts";

export interface AssetFilter {
  /** CIDR (or single address): assets whose address is inside it. */
  network?: string;
  product?: string;
  version?: string;
  auth?: string;
  /** An advisory id or alias (GHSA-..., CVE-...). */
  advisory?: string;
  /** open: seen by the latest run that covered it; closed: gone since. */
  state?: "open" | "closed";
  /** Last seen at or after this instant. */
  since?: string;
  /** First seen at or before this instant. */
  until?: string;
  /** ISO 3166-1 alpha-2 country / AS number of the asset's latest record (src/enrich/; set on export records). */
  country?: string;
  asn?: string;
  limit?: number;
}

export interface AssetRow {
  ip: string;
  port: number;
  host: string;
  product: string | null;
  version: string | null;
  auth: string;
  remoteLooksLocal: boolean;
  severity: string | null;
  advisories: string[];
  firstSeen: string;
  lastSeen: string;
  lastRunId: string;
  state: string;
  closedAt: string | null;
  reopenCount: number;
  preauthAdvisories: string[];
  /** The advisory numbers (src/advisories/counts.ts); `advisories` lists ids and aliases alike. */
  advisoryCounts: AdvisoryCounts;
}

const iso = (v: unknown): string => new Date(String(v)).toISOString();

export async function listAssets(db: StoreDb, f: AssetFilter = {}): Promise<AssetRow[]> {
  const where: SQL[] = [];
  if (f.network) where.push(sql`${assets.ip} <<= ${f.network}::cidr`);
  if (f.product) where.push(eq(assets.product, f.product));
  if (f.version) where.push(eq(assets.version, f.version));
  if (f.auth) where.push(eq(assets.auth, f.auth));
  if (f.advisory)
    where.push(
      sql`(${f.advisory} = ANY(${assets.advisories}) OR ${assets.advisorySet} IN (SELECT ${advisorySetIds.hash} FROM ${advisorySetIds} WHERE ${advisorySetIds.id} = ${f.advisory}))`,
    );
  if (f.state) where.push(eq(assets.state, f.state));
  if (f.since) where.push(gte(assets.lastSeen, f.since));
  if (f.until) where.push(lte(assets.firstSeen, f.until));
  // Where an address is lives in the record (asn, country): the asset's latest record decides.
  const placed = (field: string, value: string) =>
    sql`EXISTS (SELECT 1 FROM ${observations} o WHERE o.ip = ${assets.ip} AND o.port = ${assets.port} AND o.run_id = ${assets.lastRunId} AND o.record->>${field} = ${value})`;
  if (f.country) where.push(placed("country", f.country));
  if (f.asn) where.push(placed("asn", f.asn));
  const q = db
    .select()
    .from(assets)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(asc(assets.ip), asc(assets.port));
  const rows = await (f.limit ? q.limit(f.limit) : q);
  const ids = await advisoryIdsOf(
    db,
    rows.flatMap((r) => (r.advisorySet ? [r.advisorySet] : [])),
  );
  const facts = await storedAdvisoryFacts(db, rows);
  return rows.map(({ advisorySet, ...r }, i) => ({
    ...r,
    advisories: advisorySet ? (ids.get(advisorySet) ?? []) : r.advisories,
    advisoryCounts: countAdvisories(facts[i]!, authState(r.auth)),
    firstSeen: iso(r.firstSeen),
    lastSeen: iso(r.lastSeen),
    closedAt: r.closedAt === null ? null : iso(r.closedAt),
  }));
}

export interface StoredFinding {
  id: string;
  finding: Finding;
  firstSeen: string;
  lastSeen: string;
  firstRunId: string;
  lastRunId: string;
}

export async function listFindings(db: StoreDb, f: { since?: string } = {}): Promise<StoredFinding[]> {
  const rows = await db
    .select()
    .from(findings)
    .where(f.since ? gte(findings.lastSeen, f.since) : undefined)
    .orderBy(desc(findings.lastSeen), asc(findings.id));
  return rows.map((r) => ({
    id: r.id,
    finding: r.finding as Finding,
    firstSeen: iso(r.firstSeen),
    lastSeen: iso(r.lastSeen),
    firstRunId: r.firstRunId,
    lastRunId: r.lastRunId,
  }));
}

/** Records of complete runs (or one run), in run and sequence order, a page at a time. */
export async function* streamRecords(
  db: StoreDb,
  f: { runId?: string; since?: string; country?: string; asn?: string } = {},
  page = 1000,
): AsyncGenerator<Observation> {
  let after: { runId: string; seq: number } | null = null;
  const lists = new AdvisorySetReader(db);
  for (;;) {
    const where: SQL[] = [eq(runs.status, "complete")];
    if (f.runId) where.push(eq(observations.runId, f.runId));
    if (f.since) where.push(gte(observations.scannedAt, f.since));
    if (f.country) where.push(sql`${observations.record}->>'country' = ${f.country}`);
    if (f.asn) where.push(sql`${observations.record}->>'asn' = ${f.asn}`);
    if (after) where.push(sql`(${observations.runId}, ${observations.seq}) > (${after.runId}, ${after.seq})`);
    const rows = await db
      .select({
        runId: observations.runId,
        seq: observations.seq,
        record: observations.record,
        advisorySet: observations.advisorySet,
      })
      .from(observations)
      .innerJoin(runs, eq(runs.id, observations.runId))
      .where(and(...where))
      .orderBy(asc(observations.runId), asc(observations.seq))
      .limit(page);
    for (const r of await lists.restore(rows)) yield r;
    if (rows.length < page) return;
    const last = rows[rows.length - 1]!;
    after = { runId: last.runId, seq: last.seq };
  }
}

export interface RunRow {
  id: string;
  kind: string;
  status: string;
  observationCount: number | null;
}

export async function listRuns(db: StoreDb): Promise<RunRow[]> {
  return db
    .select({ id: runs.id, kind: runs.kind, status: runs.status, observationCount: runs.observationCount })
    .from(runs)
    .orderBy(asc(runs.startedAt));
}
