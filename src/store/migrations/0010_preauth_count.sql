-- clawpatrol store, migration 10: each asset keeps how many pre-auth advisories apply to it
-- (the length of preauth_advisories). Counting "vulnerable" over 200,000 assets from the array
-- itself reads each asset's array out of TOAST storage: most of the time of the overview's
-- breakdowns and fix-first list (bench/ingest/dashboard.ts). The number is all they need.
ALTER TABLE assets ADD COLUMN preauth_count integer NOT NULL DEFAULT 0;
--> statement-breakpoint
UPDATE assets SET preauth_count = cardinality(preauth_advisories) WHERE cardinality(preauth_advisories) > 0;
