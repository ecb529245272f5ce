-- clawpatrol store, migration 5: advisory lists stored once.
-- A record of an old release carries hundreds of advisory summaries (70 KB of JSON), and every
-- gateway on that release carries the same list. Observations now keep the list's hash in
-- advisory_set and the list itself lives once in advisory_sets; readers put it back, so a
-- stored record still reads back exactly as it was written. Rows written before this
-- migration keep their list inside the record (advisory_set is null).
CREATE TABLE advisory_sets (
  hash text PRIMARY KEY,
  advisories jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE observations ADD COLUMN advisory_set text;
