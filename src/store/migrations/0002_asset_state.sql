-- clawpatrol store, migration 2: asset state over time.
-- A scan run records its scope (address ranges and ports), so an asset inside that scope that
-- the run did not see is closed; seen again later, it is re-opened. Every such transition, and
-- every change of product, version, auth or advisories, is an asset event; events are what
-- `monitor` alerts on and what the dashboard's history shows. daily_stats keeps one row per
-- day of the counts the overview charts (live, unauthenticated, vulnerable, ever seen), so the
-- overview never scans the observations.
ALTER TABLE runs ADD COLUMN scope jsonb;
--> statement-breakpoint
ALTER TABLE runs ADD COLUMN profile text;
--> statement-breakpoint
CREATE INDEX runs_profile ON runs (profile, started_at);
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed'));
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN closed_at timestamptz;
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN reopen_count integer NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN preauth_advisories text[] NOT NULL DEFAULT '{}';
--> statement-breakpoint
CREATE INDEX assets_last_seen ON assets (last_seen);
--> statement-breakpoint
CREATE TABLE asset_events (
  run_id text NOT NULL,
  ip inet NOT NULL,
  port integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('new', 'closed', 'reopened', 'changed')),
  at timestamptz NOT NULL,
  product text,
  version text,
  auth text NOT NULL,
  changes jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (run_id, ip, port, kind)
);
--> statement-breakpoint
CREATE INDEX asset_events_at ON asset_events (at);
--> statement-breakpoint
CREATE INDEX asset_events_asset ON asset_events (ip, port, at);
--> statement-breakpoint
CREATE TABLE daily_stats (
  day date PRIMARY KEY,
  live integer NOT NULL,
  unauthenticated integer NOT NULL,
  vulnerable integer NOT NULL,
  ever_seen integer NOT NULL,
  new integer NOT NULL,
  closed integer NOT NULL,
  reopened integer NOT NULL,
  changed integer NOT NULL,
  computed_at timestamptz NOT NULL
);
