-- clawpatrol store, migration 11: the exposure picture pre-aggregated (src/store/exposure-counts.ts),
-- recomputed when a scan run completes, and the two orders of the overview's fix-first list
-- as indexes (src/server/exposure.ts): the unauthenticated and vulnerable gateways newest
-- first, then the other live ones by severity. At 200,000 assets grouping or sorting them all
-- on each page view is what made the overview slow.
CREATE TABLE exposure_counts (
  -- auth | vulnerable | era | country | asn | totals
  dim text NOT NULL,
  key text NOT NULL,
  name text,
  live integer NOT NULL,
  unauthenticated integer NOT NULL,
  vulnerable integer NOT NULL,
  unverified integer NOT NULL,
  -- distinct addresses (totals only)
  ips integer,
  PRIMARY KEY (dim, key)
);
--> statement-breakpoint
CREATE INDEX assets_fix_first_urgent ON assets (first_seen DESC, ip, port)
  WHERE state = 'open' AND product IS NOT NULL AND verified AND auth = 'not-required' AND preauth_count > 0;
--> statement-breakpoint
CREATE INDEX assets_fix_first_rest ON assets (
  (CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 WHEN 'info' THEN 0 ELSE -1 END) DESC,
  last_seen DESC, ip, port)
  WHERE state = 'open' AND product IS NOT NULL AND verified;
