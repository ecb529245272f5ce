-- clawpatrol store, migration 9: policy over time.
-- sla_breaches: one row per exposure service-level breach that `monitor --policy` alerted (its
-- key is the profile, clause, asset and when the exposure was first seen), so a breach is alerted
-- once, not every cycle, and once more as resolved when it closes.
-- alert_log takes the two kinds of those alerts.
-- suppressions: findings accepted from the dashboard (rule, asset or path glob, evidence pin,
-- reason, owner, expiry); a removed one keeps its row (removed_at). suppression_audit is the
-- append-only trail of who added or removed which, when and why.
-- compliance_checks / compliance_results: each `policy check --from-store` evaluation, and its
-- outcome per clause and subject, for the dashboard's compliance trend.
CREATE TABLE sla_breaches (
  id text PRIMARY KEY,
  profile text NOT NULL,
  clause text NOT NULL,
  asset text NOT NULL,
  ip inet NOT NULL,
  port integer NOT NULL,
  first_seen timestamptz NOT NULL,
  deadline timestamptz NOT NULL,
  breached_at timestamptz NOT NULL,
  resolved_at timestamptz,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
--> statement-breakpoint
CREATE INDEX sla_breaches_open ON sla_breaches (profile) WHERE resolved_at IS NULL;
--> statement-breakpoint
ALTER TABLE alert_log DROP CONSTRAINT IF EXISTS alert_log_kind_check;
--> statement-breakpoint
ALTER TABLE alert_log ADD CONSTRAINT alert_log_kind_check
  CHECK (kind IN ('new', 'closed', 'reopened', 'changed', 'flapping', 'sla-breach', 'sla-resolved'));
--> statement-breakpoint
CREATE TABLE suppressions (
  id text PRIMARY KEY,
  rule text NOT NULL,
  path text NOT NULL,
  sha256 text NOT NULL,
  reason text NOT NULL,
  owner text,
  expires date NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  removed_at timestamptz,
  removed_by text
);
--> statement-breakpoint
CREATE TABLE suppression_audit (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('add', 'remove')),
  suppression_id text NOT NULL,
  rule text NOT NULL,
  path text NOT NULL,
  reason text NOT NULL
);
--> statement-breakpoint
CREATE TABLE compliance_checks (
  id text PRIMARY KEY,
  checked_at timestamptz NOT NULL,
  organisation text NOT NULL,
  policy_file text NOT NULL,
  summary jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX compliance_checks_at ON compliance_checks (checked_at);
--> statement-breakpoint
CREATE TABLE compliance_results (
  check_id text NOT NULL REFERENCES compliance_checks (id) ON DELETE CASCADE,
  clause text NOT NULL,
  host text NOT NULL,
  network text NOT NULL,
  status text NOT NULL CHECK (status IN ('pass', 'fail')),
  PRIMARY KEY (check_id, clause, host)
);
