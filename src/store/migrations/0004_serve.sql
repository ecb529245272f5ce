-- clawpatrol store, migration 4: the dashboard's one write, acknowledging an asset.
-- An analyst who has looked at an exposed gateway marks it acknowledged (with a short note),
-- so the asset table can hide what is already known. An acknowledgement is kept when the asset
-- changes; the dashboard shows "changed since acknowledged" when an event is newer than it.
CREATE TABLE asset_acks (
  ip inet NOT NULL,
  port integer NOT NULL,
  note text NOT NULL DEFAULT '',
  acked_at timestamptz NOT NULL,
  PRIMARY KEY (ip, port)
);
