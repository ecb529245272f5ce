// The store's tables as one Drizzle `pgTable` schema, shared by PGlite and PostgreSQL.
// The DDL that creates them lives in src/store/migrations/*.sql (applied in order by
// src/store/migrate.ts); this file must describe the same columns.
import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

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
});

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
    advisories: text("advisories").array().notNull(),
    firstSeen: timestamp("first_seen", { withTimezone: true, mode: "string" }).notNull(),
    lastSeen: timestamp("last_seen", { withTimezone: true, mode: "string" }).notNull(),
    lastRunId: text("last_run_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ip, t.port] })],
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

export const schema = { runs, observations, assets, findings };
