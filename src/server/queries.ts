// The dashboard's SQL. Each page and its JSON twin read through one function here.
// The overview stays cheap however large the store grows: it reads the last daily_stats row,
// the asset events of the last 7 days (index asset_events_at) and the runs table; breakdowns read
// the counts pre-aggregated when the last run completed (exposure_counts); the asset table reads
// the assets table (one row per endpoint, never the observations); only
// an asset's own page reads observations, by (ip, port) (index observations_ip_port).
// An asset's advisory ids are its advisory list's ids (assets.advisory_set → advisory_set_ids)
// or, for rows written before migration 6, the ids kept in assets.advisories. Every advisory
// number shown (affecting, pre-auth, usable here) is counted from the asset's stored list by
// src/advisories/counts.ts, as the scan counted it: aliases are never counted or listed apart.
import { isIP } from "node:net";
import { type SQL, sql } from "drizzle-orm";
import {
  type AdvisoryFacts,
  authState,
  countAdvisories,
  distinctAdvisories,
  isUsableHere,
} from "../advisories/counts.ts";
import type { Observation } from "../scan/record.ts";
import { AdvisorySetReader, storedAdvisoryFacts } from "../store/advisory-sets.ts";
import { exposureCountsSource } from "../store/exposure-counts.ts";
import type { AssetRow } from "../store/query.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";

/** A filter or path value the user got wrong: 400 in the API, a message on the page. */
export class BadRequest extends Error {
  override name = "BadRequest";
}

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());
const num = (v: unknown): number => Number(v ?? 0);

/** A text[] as a driver hands it back: an array (pg, PGlite) or the literal `{a,b}`. */
function textArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === "string" && v.startsWith("{") && v.endsWith("}"))
    return v === "{}" ? [] : v.slice(1, -1).split(",");
  return [];
}

/** What a raw asset row keeps of its advisories, for storedAdvisoryFacts. */
function storedRef(row: Record<string, unknown>) {
  return {
    advisorySet: (row.advisory_set as string | null) ?? null,
    advisories: textArray(row.advisories),
    preauthAdvisories: textArray(row.preauth_advisories),
  };
}

const SEVERITY_ORDER = ["low", "medium", "high", "critical"];

/** The worst of the ratings an advisory's records give it (unknown when none does). */
function worstSeverity(list: (string | undefined)[]): string {
  let out = "unknown";
  for (const s of list) if (s && SEVERITY_ORDER.indexOf(s) > SEVERITY_ORDER.indexOf(out)) out = s;
  return out;
}

/** jsonb from a raw query: parsed by both drivers, but be safe when a driver hands back text. */
function json<T>(v: unknown): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

// --- overview ---------------------------------------------------------------------------------

export interface Overview {
  /** The UTC day of the counts (the day of the last completed scan run), or null before any. */
  day: string | null;
  live: number;
  unauthenticated: number;
  vulnerable: number;
  everSeen: number;
  /** unauthenticated / live and vulnerable / live, 0..1 (0 when nothing is live). */
  shareUnauthenticated: number;
  shareVulnerable: number;
  /** Asset events in the 7 days before `now`. */
  week: { since: string; new: number; closed: number; reopened: number; changed: number };
  runs: { total: number; complete: number; lastFinishedAt: string | null };
}

export const WEEK_MS = 7 * 86_400_000;

export async function overview(db: StoreDb, now: Date): Promise<Overview> {
  const since = new Date(now.getTime() - WEEK_MS).toISOString();
  const [s] = rowsOf(
    await db.execute(
      sql`SELECT day::text AS day, live, unauthenticated, vulnerable, ever_seen FROM daily_stats ORDER BY day DESC LIMIT 1`,
    ),
  );
  const [w = {}] = rowsOf(
    await db.execute(sql`
      SELECT count(*) FILTER (WHERE kind = 'new')::int AS new,
             count(*) FILTER (WHERE kind = 'closed')::int AS closed,
             count(*) FILTER (WHERE kind = 'reopened')::int AS reopened,
             count(*) FILTER (WHERE kind = 'changed')::int AS changed
      FROM asset_events WHERE at >= ${since}::timestamptz AND at <= ${now.toISOString()}::timestamptz`),
  );
  const [r = {}] = rowsOf(
    await db.execute(sql`
      SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'complete')::int AS complete,
             max(finished_at) FILTER (WHERE status = 'complete') AS last
      FROM runs`),
  );
  const live = num(s?.live);
  const share = (n: number) => (live === 0 ? 0 : n / live);
  return {
    day: s ? String(s.day) : null,
    live,
    unauthenticated: num(s?.unauthenticated),
    vulnerable: num(s?.vulnerable),
    everSeen: num(s?.ever_seen),
    shareUnauthenticated: share(num(s?.unauthenticated)),
    shareVulnerable: share(num(s?.vulnerable)),
    week: {
      since,
      new: num(w.new),
      closed: num(w.closed),
      reopened: num(w.reopened),
      changed: num(w.changed),
    },
    runs: { total: num(r.total), complete: num(r.complete), lastFinishedAt: iso(r.last) },
  };
}

// --- series -----------------------------------------------------------------------------------

export interface Series {
  days: string[];
  live: number[];
  unauthenticated: number[];
  vulnerable: number[];
  everSeen: number[];
  new: number[];
  closed: number[];
  reopened: number[];
  changed: number[];
}

/** The per-day counts of the last `days` days that have a row (days without a scan have none). */
export async function series(db: StoreDb, days: number, now: Date): Promise<Series> {
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = rowsOf(
    await db.execute(sql`
      SELECT day::text AS day, live, unauthenticated, vulnerable, ever_seen, new, closed, reopened, changed
      FROM daily_stats WHERE day >= ${from}::date ORDER BY day`),
  );
  const col = (k: string) => rows.map((row) => num(row[k]));
  return {
    days: rows.map((row) => String(row.day)),
    live: col("live"),
    unauthenticated: col("unauthenticated"),
    vulnerable: col("vulnerable"),
    everSeen: col("ever_seen"),
    new: col("new"),
    closed: col("closed"),
    reopened: col("reopened"),
    changed: col("changed"),
  };
}

// --- breakdowns -------------------------------------------------------------------------------

export interface VersionCount {
  product: string;
  version: string | null;
  live: number;
  unauthenticated: number;
  vulnerable: number;
  /** Advisories affecting this version and, of those, pre-auth (the most any of its assets has). */
  affecting: number;
  preAuth: number;
}

export interface AdvisoryCount {
  /** The advisory's id (its GHSA id when it has one). */
  advisory: string;
  /** Its other ids (CVE): the same advisory, never a row of their own. */
  aliases: string[];
  live: number;
  unauthenticated: number;
}

export interface NetworkCount {
  network: string;
  live: number;
  unauthenticated: number;
  vulnerable: number;
}

export interface Breakdowns {
  /** Live gateways by product and version. */
  versions: VersionCount[];
  /** Live gateways by pre-auth advisory affecting them (what "vulnerable" counts). */
  preauthAdvisories: AdvisoryCount[];
  /** Live gateways by advisory affecting them. */
  advisories: AdvisoryCount[];
  /** Live gateways by /24 (IPv4) or /64 (IPv6). */
  networks: NetworkCount[];
  /** Live gateways by the country of their latest record (records from scan --from and import carry one). */
  countries: PlaceCount[];
  /** Live gateways by the AS routing them, named by its organisation. */
  organisations: PlaceCount[];
}

export interface PlaceCount {
  /** ISO 3166-1 alpha-2 code, or the AS number as text. */
  key: string;
  /** The AS organisation (null for countries, or when unknown). */
  name: string | null;
  live: number;
  unauthenticated: number;
}

export async function breakdowns(db: StoreDb, limit: number): Promise<Breakdowns> {
  // The live gateways grouped by what the breakdowns need, pre-aggregated when the last scan run
  // completed (src/store/exposure-counts.ts, as of that run like the tiles). They share few
  // (version, advisory list) combinations, so a few hundred groups stand for every asset, and
  // each list's count is spread over its ids here, never as one row per asset and advisory.
  const from = await exposureCountsSource(db);
  const groups = rowsOf(await db.execute(sql`SELECT name, live FROM ${from} AS c WHERE dim = 'list'`)).map(
    (r) => {
      const [product, version, unauth, list, pre, legacy] = json<
        [string, string | null, boolean, string | null, string[] | null, string[] | null]
      >(r.name);
      return { product, version, unauth, list, pre: pre ?? [], legacy: legacy ?? [], n: num(r.live) };
    },
  );
  const facts = await storedAdvisoryFacts(
    db,
    groups.map((g) => ({ advisorySet: g.list, advisories: g.legacy, preauthAdvisories: g.pre })),
  );
  const versionMap = new Map<string, VersionCount>();
  const preauth = new Map<string, AdvisoryCount>();
  const any = new Map<string, AdvisoryCount>();
  const add = (
    m: Map<string, AdvisoryCount>,
    a: { id: string; aliases: string[] },
    n: number,
    unauth: boolean,
  ) => {
    const c = m.get(a.id) ?? { advisory: a.id, aliases: [], live: 0, unauthenticated: 0 };
    c.aliases = [...new Set([...c.aliases, ...a.aliases])].sort();
    c.live += n;
    if (unauth) c.unauthenticated += n;
    m.set(a.id, c);
  };
  groups.forEach((g, i) => {
    const { n, unauth, product, version } = g;
    const list = facts[i]!;
    const counts = countAdvisories(list, unauth ? "not-required" : "unknown");
    const key = `${product}\u0000${version ?? ""}\u0000${version === null ? 0 : 1}`;
    const v = versionMap.get(key) ?? {
      product,
      version,
      live: 0,
      unauthenticated: 0,
      vulnerable: 0,
      affecting: 0,
      preAuth: 0,
    };
    v.live += n;
    if (unauth) v.unauthenticated += n;
    if (counts.preAuth > 0) v.vulnerable += n;
    v.affecting = Math.max(v.affecting, counts.affecting);
    v.preAuth = Math.max(v.preAuth, counts.preAuth);
    versionMap.set(key, v);
    for (const a of distinctAdvisories(list)) {
      if (a.certainty !== "affected") continue;
      add(any, a, n, unauth);
      if (a.preAuth) add(preauth, a, n, unauth);
    }
  });
  const top = <T extends { live: number }>(list: Iterable<T>, name: (t: T) => string) =>
    [...list]
      .sort((x, y) => y.live - x.live || (name(x) < name(y) ? -1 : name(x) > name(y) ? 1 : 0))
      .slice(0, limit);
  const versions = top(versionMap.values(), (v) => `${v.product} ${v.version ?? ""}`);
  // Open gateways, verified or only claimed by an import ("live" here, as on the rest of the page).
  const grouped = async (dim: string, withName: boolean) =>
    rowsOf(
      await db.execute(sql`
        SELECT key, name, (live + unverified)::int AS live, unauthenticated, vulnerable
        FROM ${from} AS c WHERE dim = ${dim} AND key <> ''
        ORDER BY 3 DESC, key LIMIT ${limit}`),
    ).map((r) => ({
      key: String(r.key),
      name: withName && r.name != null ? String(r.name) : null,
      live: num(r.live),
      unauthenticated: num(r.unauthenticated),
      vulnerable: num(r.vulnerable),
    }));
  const networks = (await grouped("network", false)).map(({ key, live, unauthenticated, vulnerable }) => ({
    network: key,
    live,
    unauthenticated,
    vulnerable,
  }));
  const place = ({ key, name, live, unauthenticated }: PlaceCount & { vulnerable: number }): PlaceCount => ({
    key,
    name,
    live,
    unauthenticated,
  });
  return {
    versions,
    preauthAdvisories: top(preauth.values(), (a) => a.advisory),
    advisories: top(any.values(), (a) => a.advisory),
    networks,
    countries: (await grouped("country", false)).map(place),
    organisations: (await grouped("asn", true)).map(place),
  };
}

// --- the asset table --------------------------------------------------------------------------

export const AUTH_STATES = ["required", "not-required", "unknown"] as const;
export const STATES = ["open", "closed", "all"] as const;
/** "" any gateway, a product name, "none" open ports that are no gateway, "all" every endpoint. */
export const PRODUCTS = ["", "openclaw", "clawdbot", "moltbot", "none", "all"] as const;
export const SEVERITY_FILTERS = ["", "info", "low", "medium", "high", "critical"] as const;

export interface AssetQuery {
  /** Free text: part of the address, host name, product or version. */
  q: string;
  state: (typeof STATES)[number];
  product: (typeof PRODUCTS)[number];
  version: string;
  auth: "" | (typeof AUTH_STATES)[number];
  severity: (typeof SEVERITY_FILTERS)[number];
  /** An advisory id or alias that applies. */
  advisory: string;
  /** CIDR or address. */
  network: string;
  /** Only assets with a pre-auth advisory. */
  vulnerable: boolean;
  ack: "" | "yes" | "no";
  /** Keyset pagination: rows after this `ip|port`. */
  after: string;
  limit: number;
}

export const DEFAULT_QUERY: AssetQuery = {
  q: "",
  state: "open",
  product: "",
  version: "",
  auth: "",
  severity: "",
  advisory: "",
  network: "",
  vulnerable: false,
  ack: "",
  after: "",
  limit: 50,
};

const MAX_PARAM = 200;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new BadRequest(`${name}: one of ${allowed.filter((a) => a !== "").join(", ")}`);
}

/** A CIDR or single address, checked here so a bad value is a 400, never a database error. */
export function checkNetwork(value: string): string {
  const [addr = "", prefix, extra] = value.split("/");
  const family = isIP(addr);
  const max = family === 4 ? 32 : 128;
  const ok =
    family !== 0 &&
    extra === undefined &&
    (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max));
  if (!ok) throw new BadRequest("network: not an address or CIDR (e.g. 10.0.0.0/24)");
  return value;
}

/** The `ip|port` of a keyset cursor, checked. */
function checkAfter(value: string): string {
  const bar = value.lastIndexOf("|");
  const ip = value.slice(0, bar);
  const port = value.slice(bar + 1);
  if (bar < 0 || isIP(ip) === 0 || !/^\d{1,5}$/.test(port)) throw new BadRequest("after: not a page cursor");
  return value;
}

/** The asset table's filter from a URL query (the page and the API share it), validated. */
export function parseAssetQuery(params: Record<string, string | undefined>): AssetQuery {
  const get = (k: string) => {
    const v = (params[k] ?? "").trim();
    if (v.length > MAX_PARAM) throw new BadRequest(`${k}: longer than ${MAX_PARAM} characters`);
    return v;
  };
  const limitText = get("limit");
  const limit = limitText === "" ? DEFAULT_QUERY.limit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new BadRequest("limit: 1 to 500");
  const vulnerable = get("vulnerable");
  if (!["", "0", "1"].includes(vulnerable)) throw new BadRequest("vulnerable: 1 or 0");
  const network = get("network");
  const after = get("after");
  return {
    q: get("q"),
    state: oneOf("state", get("state") || "open", STATES),
    product: oneOf("product", get("product"), PRODUCTS),
    version: get("version"),
    auth: oneOf("auth", get("auth"), ["", ...AUTH_STATES]),
    severity: oneOf("severity", get("severity"), SEVERITY_FILTERS),
    advisory: get("advisory"),
    network: network === "" ? "" : checkNetwork(network),
    vulnerable: vulnerable === "1",
    ack: oneOf("ack", get("ack"), ["", "yes", "no"]),
    after: after === "" ? "" : checkAfter(after),
    limit,
  };
}

/** The query string of a filter (defaults left out), for shareable links. */
export function queryString(q: Partial<AssetQuery>): string {
  const p = new URLSearchParams();
  const full = { ...DEFAULT_QUERY, ...q };
  for (const k of Object.keys(DEFAULT_QUERY) as (keyof AssetQuery)[]) {
    const v = full[k];
    if (v === DEFAULT_QUERY[k]) continue;
    p.set(k, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  const s = p.toString();
  return s === "" ? "" : `?${s}`;
}

/** A row of the asset table: the store's asset, with counts and the analyst's acknowledgement. */
export type AssetListRow = Pick<
  AssetRow,
  | "ip"
  | "port"
  | "host"
  | "product"
  | "version"
  | "auth"
  | "remoteLooksLocal"
  | "severity"
  | "state"
  | "firstSeen"
  | "lastSeen"
  | "closedAt"
  | "preauthAdvisories"
  | "advisoryCounts"
> & { ackedAt: string | null };

export interface AssetPage {
  rows: AssetListRow[];
  /** Matching rows, counted up to `COUNT_CAP` (then `countCapped`). */
  total: number;
  countCapped: boolean;
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
}

export const COUNT_CAP = 10_000;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function assetWhere(q: AssetQuery): SQL {
  const where: SQL[] = [];
  if (q.state !== "all") where.push(sql`a.state = ${q.state}`);
  if (q.product === "") where.push(sql`a.product IS NOT NULL`);
  else if (q.product === "none") where.push(sql`a.product IS NULL`);
  else if (q.product !== "all") where.push(sql`a.product = ${q.product}`);
  if (q.version) where.push(sql`a.version = ${q.version}`);
  if (q.auth) where.push(sql`a.auth = ${q.auth}`);
  if (q.severity) where.push(sql`a.severity = ${q.severity}`);
  if (q.advisory)
    where.push(sql`(${q.advisory} = ANY(a.advisories) OR ${q.advisory} = ANY(a.preauth_advisories)
      OR a.advisory_set IN (SELECT hash FROM advisory_set_ids WHERE id = ${q.advisory}))`);
  if (q.network) where.push(sql`a.ip <<= ${q.network}::cidr`);
  if (q.vulnerable) where.push(sql`cardinality(a.preauth_advisories) > 0`);
  if (q.ack === "yes") where.push(sql`k.ip IS NOT NULL`);
  if (q.ack === "no") where.push(sql`k.ip IS NULL`);
  if (q.q) {
    const like = `%${likeEscape(q.q)}%`;
    where.push(sql`(host(a.ip) || ':' || a.port ILIKE ${like} OR a.host ILIKE ${like}
      OR coalesce(a.product, '') ILIKE ${like} OR coalesce(a.version, '') ILIKE ${like})`);
  }
  return where.length === 0 ? sql`TRUE` : sql.join(where, sql` AND `);
}

export async function listAssetPage(db: StoreDb, q: AssetQuery): Promise<AssetPage> {
  const where = assetWhere(q);
  let paged = where;
  if (q.after) {
    const bar = q.after.lastIndexOf("|");
    paged = sql`${where} AND (a.ip, a.port) > (${q.after.slice(0, bar)}::inet, ${Number(q.after.slice(bar + 1))}::int)`;
  }
  const rows = rowsOf(
    await db.execute(sql`
      SELECT host(a.ip) AS ip, a.port, a.host, a.product, a.version, a.auth, a.remote_looks_local,
             a.severity, a.state, a.first_seen, a.last_seen, a.closed_at,
             a.advisories, a.advisory_set, a.preauth_advisories, k.acked_at
      FROM assets a LEFT JOIN asset_acks k ON k.ip = a.ip AND k.port = a.port
      WHERE ${paged}
      ORDER BY a.ip, a.port LIMIT ${q.limit + 1}`),
  );
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const facts = await storedAdvisoryFacts(db, page.map(storedRef));
  const shown = page.map(
    (r, i): AssetListRow => ({
      ip: String(r.ip),
      port: num(r.port),
      host: String(r.host),
      product: (r.product as string | null) ?? null,
      version: (r.version as string | null) ?? null,
      auth: String(r.auth),
      remoteLooksLocal: r.remote_looks_local === true,
      severity: (r.severity as string | null) ?? null,
      state: String(r.state),
      firstSeen: iso(r.first_seen)!,
      lastSeen: iso(r.last_seen)!,
      closedAt: iso(r.closed_at),
      advisoryCounts: countAdvisories(facts[i]!, authState(r.auth as string)),
      preauthAdvisories: textArray(r.preauth_advisories),
      ackedAt: iso(r.acked_at),
    }),
  );
  const last = shown[shown.length - 1];
  // A first page that holds every match is its own count; otherwise count (up to COUNT_CAP).
  let total = shown.length;
  if (more || q.after) {
    const [count] = rowsOf(
      await db.execute(sql`
        SELECT count(*)::int AS n FROM (
          SELECT 1 FROM assets a LEFT JOIN asset_acks k ON k.ip = a.ip AND k.port = a.port
          WHERE ${where} LIMIT ${COUNT_CAP + 1}) AS m`),
    );
    total = num(count?.n);
  }
  return {
    rows: shown,
    total: Math.min(total, COUNT_CAP),
    countCapped: total > COUNT_CAP,
    next: more && last ? `${last.ip}|${last.port}` : null,
  };
}

// --- one asset ----------------------------------------------------------------------------------

/** An asset address from the URL path, checked (IPv6 as written by `host(ip)`). */
export function parseAssetKey(ip: string, port: string): { ip: string; port: number } {
  if (isIP(ip) === 0) throw new BadRequest("not an IP address");
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new BadRequest("not a port");
  return { ip, port: Number(port) };
}

export interface AssetEvent {
  runId: string;
  kind: string;
  at: string;
  product: string | null;
  version: string | null;
  auth: string;
  changes: Record<string, unknown>;
}

export interface Sighting {
  runId: string;
  seq: number;
  scannedAt: string;
  product: string | null;
  version: string | null;
  auth: string;
  severity: string | null;
}

/** One advisory of an asset, once, with the numbers it counts towards. */
export interface AssetAdvisory {
  id: string;
  /** Its other ids (CVE). */
  aliases: string[];
  severity: string;
  certainty: "affected" | "possibly-affected";
  preAuth: boolean;
  usableHere: boolean;
}

export interface AssetDetail {
  asset: AssetListRow & { advisories: AssetAdvisory[]; reopenCount: number; lastRunId: string };
  ack: { note: string; ackedAt: string } | null;
  /** Newest first, at most 200. */
  events: AssetEvent[];
  /** Newest first, at most 20, without their records. */
  sightings: Sighting[];
  /** The newest full record (evidence, findings, TLS, version range, confidence), if any. */
  latest: (Observation & { runId: string }) | null;
}

export async function assetDetail(db: StoreDb, ip: string, port: number): Promise<AssetDetail | null> {
  const [a] = rowsOf(
    await db.execute(sql`
      SELECT host(a.ip) AS ip, a.port, a.host, a.product, a.version, a.auth, a.remote_looks_local,
             a.severity, a.state, a.first_seen, a.last_seen, a.closed_at, a.advisories,
             a.advisory_set, a.preauth_advisories, a.reopen_count, a.last_run_id, k.note, k.acked_at
      FROM assets a LEFT JOIN asset_acks k ON k.ip = a.ip AND k.port = a.port
      WHERE a.ip = ${ip}::inet AND a.port = ${port}`),
  );
  if (!a) return null;
  const auth = authState(a.auth as string);
  const [facts = []] = await storedAdvisoryFacts(db, [storedRef(a)]);
  const advisories = distinctAdvisories(facts as readonly (AdvisoryFacts & { severity?: string })[])
    .map(
      (d): AssetAdvisory => ({
        id: d.id,
        aliases: d.aliases,
        severity: worstSeverity(d.entries.map((e) => e.severity)),
        certainty: d.certainty,
        preAuth: d.certainty === "affected" && d.preAuth,
        usableHere: d.certainty === "affected" && isUsableHere(d, auth),
      }),
    )
    .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const events = rowsOf(
    await db.execute(sql`
      SELECT run_id, kind, at, product, version, auth, changes FROM asset_events
      WHERE ip = ${ip}::inet AND port = ${port} ORDER BY at DESC, kind LIMIT 200`),
  ).map(
    (r): AssetEvent => ({
      runId: String(r.run_id),
      kind: String(r.kind),
      at: iso(r.at)!,
      product: (r.product as string | null) ?? null,
      version: (r.version as string | null) ?? null,
      auth: String(r.auth),
      changes: json<Record<string, unknown>>(r.changes) ?? {},
    }),
  );
  const sightings = rowsOf(
    await db.execute(sql`
      SELECT run_id, seq, scanned_at, product, version, auth, severity FROM observations
      WHERE ip = ${ip}::inet AND port = ${port} ORDER BY scanned_at DESC, run_id LIMIT 20`),
  ).map(
    (r): Sighting => ({
      runId: String(r.run_id),
      seq: num(r.seq),
      scannedAt: iso(r.scanned_at)!,
      product: (r.product as string | null) ?? null,
      version: (r.version as string | null) ?? null,
      auth: String(r.auth),
      severity: (r.severity as string | null) ?? null,
    }),
  );
  let latest: AssetDetail["latest"] = null;
  const newest = sightings[0];
  if (newest) {
    const [r] = rowsOf(
      await db.execute(
        sql`SELECT record, advisory_set FROM observations WHERE run_id = ${newest.runId} AND seq = ${newest.seq}`,
      ),
    );
    if (r) {
      const [record] = await new AdvisorySetReader(db).restore([
        { record: json<unknown>(r.record), advisorySet: (r.advisory_set as string | null) ?? null },
      ]);
      latest = { ...record!, runId: newest.runId };
    }
  }
  return {
    asset: {
      ip: String(a.ip),
      port: num(a.port),
      host: String(a.host),
      product: (a.product as string | null) ?? null,
      version: (a.version as string | null) ?? null,
      auth: String(a.auth),
      remoteLooksLocal: a.remote_looks_local === true,
      severity: (a.severity as string | null) ?? null,
      state: String(a.state),
      firstSeen: iso(a.first_seen)!,
      lastSeen: iso(a.last_seen)!,
      closedAt: iso(a.closed_at),
      advisoryCounts: countAdvisories(facts, auth),
      advisories,
      preauthAdvisories: textArray(a.preauth_advisories),
      ackedAt: iso(a.acked_at),
      reopenCount: num(a.reopen_count),
      lastRunId: String(a.last_run_id),
    },
    ack: a.acked_at == null ? null : { note: String(a.note ?? ""), ackedAt: iso(a.acked_at)! },
    events,
    sightings,
    latest,
  };
}

export const MAX_NOTE = 500;

/** Acknowledge an asset (or update the note); false when there is no such asset. */
export async function acknowledge(
  db: StoreDb,
  ip: string,
  port: number,
  note: string,
  at: Date,
): Promise<boolean> {
  const rows = rowsOf(
    await db.execute(sql`
      INSERT INTO asset_acks (ip, port, note, acked_at)
      SELECT a.ip, a.port, ${note.slice(0, MAX_NOTE)}, ${at.toISOString()}::timestamptz
      FROM assets a WHERE a.ip = ${ip}::inet AND a.port = ${port}
      ON CONFLICT (ip, port) DO UPDATE SET note = excluded.note, acked_at = excluded.acked_at
      RETURNING 1 AS ok`),
  );
  return rows.length > 0;
}

/** Withdraw an acknowledgement; false when there was none. */
export async function unacknowledge(db: StoreDb, ip: string, port: number): Promise<boolean> {
  const rows = rowsOf(
    await db.execute(sql`DELETE FROM asset_acks WHERE ip = ${ip}::inet AND port = ${port} RETURNING 1 AS ok`),
  );
  return rows.length > 0;
}

// --- metrics ------------------------------------------------------------------------------------

export interface MetricsSnapshot {
  overview: Overview;
  /** Live gateways by product and version (the largest `limit` groups). */
  byVersion: { product: string; version: string | null; live: number }[];
  runs: { kind: string; status: string; n: number }[];
  /** Finish time of the last complete scan run, or null. */
  lastScanFinishedAt: string | null;
}

export async function metricsSnapshot(db: StoreDb, now: Date, limit: number): Promise<MetricsSnapshot> {
  const byVersion = rowsOf(
    await db.execute(sql`
      SELECT product, version, count(*)::int AS live FROM assets
      WHERE state = 'open' AND product IS NOT NULL
      GROUP BY product, version ORDER BY live DESC, product, version LIMIT ${limit}`),
  ).map((r) => ({
    product: String(r.product),
    version: (r.version as string | null) ?? null,
    live: num(r.live),
  }));
  const runs = rowsOf(
    await db.execute(
      sql`SELECT kind, status, count(*)::int AS n FROM runs GROUP BY kind, status ORDER BY 1, 2`,
    ),
  ).map((r) => ({ kind: String(r.kind), status: String(r.status), n: num(r.n) }));
  const [last] = rowsOf(
    await db.execute(sql`SELECT max(finished_at) AS t FROM runs WHERE kind = 'scan' AND status = 'complete'`),
  );
  return { overview: await overview(db, now), byVersion, runs, lastScanFinishedAt: iso(last?.t) };
}
