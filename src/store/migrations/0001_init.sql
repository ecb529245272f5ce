-- clawpatrol store, migration 1: runs, observations, assets, findings.
-- Statements are separated by the breakpoint marker so each runs on its own.
CREATE TABLE runs (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('scan', 'audit', 'skills')),
  status text NOT NULL DEFAULT 'incomplete' CHECK (status IN ('complete', 'incomplete')),
  source text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  options jsonb NOT NULL DEFAULT '{}'::jsonb,
  targets jsonb NOT NULL DEFAULT '[]'::jsonb,
  observation_count integer
);
--> statement-breakpoint
CREATE TABLE observations (
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  host text NOT NULL,
  ip inet,
  port integer NOT NULL,
  reachable boolean NOT NULL,
  product text,
  version text,
  auth text NOT NULL,
  remote_looks_local boolean NOT NULL,
  severity text,
  scanned_at timestamptz NOT NULL,
  record jsonb NOT NULL,
  PRIMARY KEY (run_id, seq)
);
--> statement-breakpoint
CREATE INDEX observations_ip_port ON observations (ip, port);
--> statement-breakpoint
CREATE TABLE assets (
  ip inet NOT NULL,
  port integer NOT NULL,
  host text NOT NULL,
  product text,
  version text,
  auth text NOT NULL,
  remote_looks_local boolean NOT NULL,
  severity text,
  advisories text[] NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  last_run_id text NOT NULL,
  PRIMARY KEY (ip, port)
);
--> statement-breakpoint
CREATE TABLE findings (
  id text PRIMARY KEY,
  rule_id text NOT NULL,
  asset text NOT NULL,
  evidence_hash text NOT NULL,
  severity text NOT NULL,
  title text NOT NULL,
  finding jsonb NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  first_run_id text NOT NULL,
  last_run_id text NOT NULL
);
--> statement-breakpoint
CREATE INDEX findings_asset ON findings (asset);
--> statement-breakpoint
CREATE INDEX findings_last_seen ON findings (last_seen);
