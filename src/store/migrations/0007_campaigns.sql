-- clawpatrol store, migration 7: distributed campaigns (src/distributed/) and the opt-out list.
-- A campaign is one scan run (runs.id = campaigns.run_id) whose shards are pg-boss jobs; a shard's
-- results are written in the same transaction that inserts its campaign_shards row, so a shard
-- taken twice (a killed worker's lease expired) is written once. Queued/active/failed counts live
-- in pg-boss's own tables; done shards live here.
CREATE TABLE campaigns (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  run_id text NOT NULL,
  queue text NOT NULL,
  state text NOT NULL DEFAULT 'queued',
  spec jsonb NOT NULL,
  shard_total integer NOT NULL,
  endpoint_total bigint NOT NULL,
  next_seq integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz
);
--> statement-breakpoint
CREATE TABLE campaign_shards (
  campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  shard integer NOT NULL,
  worker text NOT NULL,
  endpoints bigint NOT NULL,
  records integer NOT NULL,
  gateways integer NOT NULL,
  attempt integer NOT NULL,
  done_at timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, shard)
);
--> statement-breakpoint
CREATE INDEX campaign_shards_done_at ON campaign_shards (campaign_id, done_at);
--> statement-breakpoint
CREATE TABLE campaign_workers (
  campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  name text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  shards_done integer NOT NULL DEFAULT 0,
  last_heartbeat timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, name)
);
--> statement-breakpoint
CREATE TABLE optouts (
  cidr cidr PRIMARY KEY,
  reason text NOT NULL,
  added_at timestamptz NOT NULL
);
