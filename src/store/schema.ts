// The store's tables as one Drizzle `pgTable` schema, shared by PGlite and PostgreSQL.
// The DDL that creates them lives in src/store/migrations/*.sql (applied in order by
// src/store/migrate.ts); this file must describe the same columns.
import {
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  sql,
  text,
  timestamp,
} from "./drizzle.ts";

/** PostgreSQL `inet`: compared and filtered with the server's own operators (`<<=` for a CIDR). */
export const inet = customType<{ data: string; driverData: string }>({
  dataType: () => "inet",
});

export const runs = pgTable("runs", {
  id: text("id").primaryKey(),
  kind: text("kind").notNull(),
  status: text("status").notNull().default("incomplete"),
  source: text("source"),
  startedAt: timestamp("started_at", { withTimezone: true, mode: "string" }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true, mode: "string" }),
  options: jsonb("options").notNull().default(sql`'{}'::jsonb`),
  targets: jsonb("targets").notNull().default(sql`'[]'::jsonb`),
  observationCount: integer("observation_count"),
  /** What a scan run covered (address ranges, ports); null when unknown (an import): then nothing is closed. */
  scope: jsonb("scope").$type<RunScope | null>(),
  /** The monitor profile that ran this scan, if any. */
  profile: text("profile"),
});

/** A scan run's scope: inclusive address ranges (excludes removed) and the ports swept. */
export interface RunScope {
  ranges: [string, string][];
  ports: number[];
}

export const observations = pgTable(
  "observations",
  {
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    host: text("host").notNull(),
    ip: inet("ip"),
    port: integer("port").notNull(),
    reachable: boolean("reachable").notNull(),
    product: text("product"),
    version: text("version"),
    auth: text("auth").notNull(),
    remoteLooksLocal: boolean("remote_looks_local").notNull(),
    severity: text("severity"),
    scannedAt: timestamp("scanned_at", { withTimezone: true, mode: "string" }).notNull(),
    record: jsonb("record").notNull(),
    /** Hash of the record's advisory list, stored once in advisory_sets (null: none, or kept in the record). */
    advisorySet: text("advisory_set"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] }), index("observations_ip_port").on(t.ip, t.port)],
);

export const assets = pgTable(
  "assets",
  {
    ip: inet("ip").notNull(),
    port: integer("port").notNull(),
    host: text("host").notNull(),
    product: text("product"),
    version: text("version"),
    auth: text("auth").notNull(),
    remoteLooksLocal: boolean("remote_looks_local").notNull(),
    severity: text("severity"),
    /** Advisory ids and aliases of assets written before migration 6; newer rows use advisorySet. */
    advisories: text("advisories").array().notNull(),
    /** Hash of the asset's advisory list in advisory_sets (null: none applies, or a row from before migration 6). */
    advisorySet: text("advisory_set"),
    firstSeen: timestamp("first_seen", { withTimezone: true, mode: "string" }).notNull(),
    lastSeen: timestamp("last_seen", { withTimezone: true, mode: "string" }).notNull(),
    lastRunId: text("last_run_id").notNull(),
    /** open: seen by the latest run that covered it; closed: a later run in scope did not see it. */
    state: text("state").$type<AssetState>().notNull().default("open"),
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "string" }),
    reopenCount: integer("reopen_count").notNull().default(0),
    /** Advisories that apply for certain and need no auth: what makes an exposed gateway "vulnerable". */
    preauthAdvisories: text("preauth_advisories").array().notNull().default(sql`'{}'`),
    /** Where the latest record that had a place put it (src/enrich/): ISO 3166-1 alpha-2, AS number, AS organisation. */
    country: text("country"),
    asn: bigint("asn", { mode: "number" }),
    asOrg: text("as_org"),
    /** false: the latest record was stored from a third-party export alone (import), not probed. */
    verified: boolean("verified").notNull().default(true),
    /** cardinality(preauth_advisories), kept apart so counting vulnerable assets reads no array (migration 10). */
    preauthCount: integer("preauth_count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.ip, t.port] }), index("assets_last_seen").on(t.lastSeen)],
);

export type AssetState = "open" | "closed";
export type AssetEventKind = "new" | "closed" | "reopened" | "changed";

/** One change of a gateway asset, written by the run that saw it (only for gateways: product known before or after). */
export const assetEvents = pgTable(
  "asset_events",
  {
    runId: text("run_id").notNull(),
    ip: inet("ip").notNull(),
    port: integer("port").notNull(),
    kind: text("kind").$type<AssetEventKind>().notNull(),
    at: timestamp("at", { withTimezone: true, mode: "string" }).notNull(),
    product: text("product"),
    version: text("version"),
    auth: text("auth").notNull(),
    /** For `changed`: field -> [before, after] (advisory lists as { added, removed }). */
    changes: jsonb("changes").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.ip, t.port, t.kind] }),
    index("asset_events_at").on(t.at),
    index("asset_events_asset").on(t.ip, t.port, t.at),
  ],
);

/** The overview's counts, one row per (UTC) day, recomputed when a scan run completes that day. */
export const dailyStats = pgTable("daily_stats", {
  day: date("day", { mode: "string" }).primaryKey(),
  live: integer("live").notNull(),
  unauthenticated: integer("unauthenticated").notNull(),
  vulnerable: integer("vulnerable").notNull(),
  everSeen: integer("ever_seen").notNull(),
  new: integer("new").notNull(),
  closed: integer("closed").notNull(),
  reopened: integer("reopened").notNull(),
  changed: integer("changed").notNull(),
  computedAt: timestamp("computed_at", { withTimezone: true, mode: "string" }).notNull(),
});

/** Live gateways per country ('' when unknown) as of each day's last completed scan run: the trend of the country table. */
export const dailyCountries = pgTable(
  "daily_countries",
  {
    day: date("day", { mode: "string" }).notNull(),
    country: text("country").notNull(),
    live: integer("live").notNull(),
    unauthenticated: integer("unauthenticated").notNull(),
    vulnerable: integer("vulnerable").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.country] })],
);

/** The exposure picture's counts as of the last completed scan run (src/store/exposure-counts.ts). */
export const exposureCounts = pgTable(
  "exposure_counts",
  {
    dim: text("dim").notNull(),
    key: text("key").notNull(),
    name: text("name"),
    live: integer("live").notNull(),
    unauthenticated: integer("unauthenticated").notNull(),
    vulnerable: integer("vulnerable").notNull(),
    unverified: integer("unverified").notNull(),
    ips: integer("ips"),
  },
  (t) => [
    primaryKey({ columns: [t.dim, t.key] }),
    index("exposure_counts_order").on(t.dim, t.live.desc(), t.unverified.desc(), t.key),
  ],
);

export const findings = pgTable(
  "findings",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id").notNull(),
    asset: text("asset").notNull(),
    evidenceHash: text("evidence_hash").notNull(),
    severity: text("severity").notNull(),
    title: text("title").notNull(),
    finding: jsonb("finding").notNull(),
    firstSeen: timestamp("first_seen", { withTimezone: true, mode: "string" }).notNull(),
    lastSeen: timestamp("last_seen", { withTimezone: true, mode: "string" }).notNull(),
    firstRunId: text("first_run_id").notNull(),
    lastRunId: text("last_run_id").notNull(),
  },
  (t) => [index("findings_asset").on(t.asset), index("findings_last_seen").on(t.lastSeen)],
);

/** Each distinct advisory list once, by the sha256 of its JSON. */
export const advisorySets = pgTable("advisory_sets", {
  hash: text("hash").primaryKey(),
  advisories: jsonb("advisories").notNull(),
});

/** An analyst's acknowledgement of an asset (the dashboard's one write; migrations/0004_serve.sql). */
export const assetAcks = pgTable(
  "asset_acks",
  {
    ip: inet("ip").notNull(),
    port: integer("port").notNull(),
    note: text("note").notNull().default(""),
    ackedAt: timestamp("acked_at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ip, t.port] })],
);

/** Each advisory list indexed by the ids and aliases in it. */
export const advisorySetIds = pgTable(
  "advisory_set_ids",
  { id: text("id").notNull(), hash: text("hash").notNull() },
  (t) => [primaryKey({ columns: [t.id, t.hash] })],
);

export const schema = {
  runs,
  observations,
  assets,
  findings,
  assetEvents,
  dailyStats,
  advisorySets,
  advisorySetIds,
  assetAcks,
};

/** One scheduled run of a monitor profile (migrations/0003_monitor.sql); the scan is the `runs` row of the same id. */
export const monitorRuns = pgTable(
  "monitor_runs",
  {
    runId: text("run_id").primaryKey(),
    profile: text("profile").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "string" }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "string" }),
    status: text("status").$type<"running" | "complete" | "interrupted" | "failed">().notNull(),
    /** Set once the run's asset events were turned into alerts; null: still to do (caught up by the next run). */
    alertedAt: timestamp("alerted_at", { withTimezone: true, mode: "string" }),
    summary: jsonb("summary").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index("monitor_runs_profile").on(t.profile, t.startedAt)],
);

/** One alert to one sink: pending until the sink accepted it (at-least-once), keyed for dedupe. */
export const alertLog = pgTable(
  "alert_log",
  {
    alertId: text("alert_id").notNull(),
    sink: text("sink").notNull(),
    /** Stable dedupe key: asset + kind + what changed. */
    key: text("key").notNull(),
    profile: text("profile").notNull(),
    runId: text("run_id").notNull(),
    kind: text("kind")
      .$type<"new" | "closed" | "reopened" | "changed" | "flapping" | "sla-breach" | "sla-resolved">()
      .notNull(),
    severity: text("severity").notNull(),
    ip: inet("ip").notNull(),
    port: integer("port").notNull(),
    status: text("status").$type<"pending" | "sent" | "failed" | "expired">().notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    alert: jsonb("alert").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.sink] }),
    index("alert_log_key").on(t.key, t.sink, t.createdAt),
  ],
);
