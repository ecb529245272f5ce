-- clawpatrol store, migration 8: the fleet roll-up. Each host that reports its audit or skills
-- scan to `clawpatrol serve` has a token of its own (only its sha256 is kept); a report is kept
-- once by its id with the digest of its content, so a retry is recognised and a replayed or
-- altered report is refused.
CREATE TABLE fleet_hosts (
  host text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_report_at timestamptz
);
--> statement-breakpoint
CREATE TABLE fleet_reports (
  id text PRIMARY KEY,
  host text NOT NULL REFERENCES fleet_hosts (host) ON DELETE CASCADE,
  kind text NOT NULL,
  digest text NOT NULL,
  sent_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  run_id text NOT NULL,
  findings integer NOT NULL,
  report jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX fleet_reports_host ON fleet_reports (host, received_at);
