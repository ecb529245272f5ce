-- clawpatrol store, migration 3: `clawpatrol monitor`.
-- monitor_runs: one row per scheduled scan run of a monitor profile (the scan itself is a row of
-- `runs` with the same id). alerted_at is set once the run's asset events have been turned into
-- alerts, so a run that was interrupted, or whose alerting crashed, is caught up by the next run.
-- alert_log: one row per alert and sink. A row is written as `pending` before it is sent and
-- becomes `sent` only after the sink accepted it (at-least-once); `failed` rows are retried by
-- the profile's next run, `expired` ones gave up. The dedupe key (asset + kind + what changed)
-- keeps the same alert from being sent to a sink twice within the dedupe window.
CREATE TABLE monitor_runs (
  run_id text PRIMARY KEY,
  profile text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
  alerted_at timestamptz,
  summary jsonb NOT NULL DEFAULT '{}'::jsonb
);
--> statement-breakpoint
CREATE INDEX monitor_runs_profile ON monitor_runs (profile, started_at);
--> statement-breakpoint
CREATE TABLE alert_log (
  alert_id text NOT NULL,
  sink text NOT NULL,
  key text NOT NULL,
  profile text NOT NULL,
  run_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('new', 'closed', 'reopened', 'changed', 'flapping')),
  severity text NOT NULL,
  ip inet NOT NULL,
  port integer NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'expired')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  alert jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  PRIMARY KEY (alert_id, sink)
);
--> statement-breakpoint
CREATE INDEX alert_log_key ON alert_log (key, sink, created_at);
--> statement-breakpoint
CREATE INDEX alert_log_open ON alert_log (profile, status) WHERE status IN ('pending', 'failed');
