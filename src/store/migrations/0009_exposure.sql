-- clawpatrol store, migration 9: the exposure picture. Each asset keeps where its latest record
-- placed it (country, AS number, AS organisation, from src/enrich/) and whether that record was
-- probed by clawpatrol (verified) or stored from a third-party export alone (import), so the
-- dashboard counts by country and organisation from the assets table, never by reading every
-- asset's record. daily_countries keeps, per UTC day, the live gateways of each country (verified
-- ones: probed by clawpatrol, not only claimed by an export) as of the day's last completed run;
-- the country table's trend compares it with an earlier day.
ALTER TABLE assets ADD COLUMN country text;
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN asn bigint;
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN as_org text;
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN verified boolean NOT NULL DEFAULT true;
--> statement-breakpoint
UPDATE assets a SET
  country = o.record->>'country',
  asn = CASE WHEN jsonb_typeof(o.record->'asn') = 'number' THEN (o.record->>'asn')::numeric::bigint END,
  as_org = o.record->>'asOrg',
  verified = coalesce(o.record->'source'->>'verified', 'true') <> 'false'
FROM observations o
WHERE o.run_id = a.last_run_id AND o.ip = a.ip AND o.port = a.port;
--> statement-breakpoint
CREATE TABLE daily_countries (
  day date NOT NULL,
  -- ISO 3166-1 alpha-2, or '' for gateways no country is known for (private, reserved, unlisted).
  country text NOT NULL,
  live integer NOT NULL,
  unauthenticated integer NOT NULL,
  vulnerable integer NOT NULL,
  PRIMARY KEY (day, country)
);
--> statement-breakpoint
-- The country table of a store scanned before this migration starts from its last day.
INSERT INTO daily_countries (day, country, live, unauthenticated, vulnerable)
SELECT d.day, coalesce(a.country, ''), count(*)::int,
       count(*) FILTER (WHERE a.auth = 'not-required')::int,
       count(*) FILTER (WHERE cardinality(a.preauth_advisories) > 0)::int
FROM (SELECT max(day) AS day FROM daily_stats) d, assets a
WHERE d.day IS NOT NULL AND a.product IS NOT NULL AND a.state = 'open' AND a.verified
GROUP BY 1, 2;
