-- clawpatrol store, migration 6: assets refer to their advisory list instead of copying it.
-- An asset on an old release had ~900 ids and aliases in assets.advisories, rewritten on every
-- sighting. Now assets.advisory_set names the list in advisory_sets, and advisory_set_ids
-- indexes each list by advisory id and alias (for "which assets does GHSA-… apply to").
-- Assets written before keep their ids in assets.advisories until they are seen again.
CREATE TABLE advisory_set_ids (
  id text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (id, hash)
);
--> statement-breakpoint
INSERT INTO advisory_set_ids (id, hash)
SELECT DISTINCT x.id, s.hash
FROM advisory_sets s,
  LATERAL (
    SELECT a ->> 'id' AS id FROM jsonb_array_elements(s.advisories) AS a
    UNION
    SELECT jsonb_array_elements_text(a -> 'aliases') FROM jsonb_array_elements(s.advisories) AS a
  ) AS x
WHERE x.id IS NOT NULL
ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE assets ADD COLUMN advisory_set text;
--> statement-breakpoint
CREATE INDEX assets_advisory_set ON assets (advisory_set);
