-- clawpatrol store, migration 12: each breakdown of exposure_counts read largest group first
-- through an index (the AS and network breakdowns have thousands of groups at internet scale).
CREATE INDEX exposure_counts_order ON exposure_counts (dim, live DESC, unverified DESC, key);
