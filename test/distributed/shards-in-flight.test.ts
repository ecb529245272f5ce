// A worker keeps more than one shard in flight: it takes the next shard once every endpoint of
// the current one is under way (the slow last probes and the storing of one shard then share
// the worker's slots with the next), and shards stored at the same moment by several workers
// are each stored once. Real PostgreSQL (DATABASE_URL), real worker processes, recorded
// gateways of several versions (so the writers add advisory lists at the same time) replayed on
// loopback addresses. Each test gets a schema of its own (search_path).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openCampaignDb } from "../../src/distributed/connect.ts";
import { completeIfAllDone } from "../../src/distributed/shard-write.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const BASE = process.env.DATABASE_URL ?? null;

async function isolatedUrl(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `cp18f_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const u = new URL(base);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

async function query<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

function worker(
  url: string,
  name: string,
  extra: string[],
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [`${REPO_ROOT}/bin/clawpatrol.mjs`, "worker", "--name", name, "--until-idle", ...extra],
    { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

/** Pairs of one worker's shards whose times (taken to completed) overlap. */
async function overlaps(url: string, name: string, worker: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    url,
    `WITH j AS (
       SELECT (j.data->>'shard')::int AS shard, j.started_on, j.completed_on
       FROM pgboss.job j JOIN campaigns c ON j.name = c.queue
       JOIN campaign_shards s ON s.campaign_id = c.id AND s.shard = (j.data->>'shard')::int
       WHERE c.name = $1 AND s.worker = $2 AND j.state = 'completed')
     SELECT count(*)::int AS n FROM j a JOIN j b ON a.shard < b.shard
     WHERE a.started_on < b.completed_on AND b.started_on < a.completed_on`,
    [name, worker],
  );
  return Number(row!.n);
}

const dir = new URL("../fixtures/zoo/local/", import.meta.url);
const transcripts = readdirSync(dir)
  .filter((f) => !f.startsWith("side-"))
  .sort()
  .map((f) => transcriptFromJson(readFileSync(new URL(f, dir), "utf8")));
// One gateway in each /26 of 127.21.0.0/23 (8 shards), each a different recorded release.
const GATEWAYS = Array.from({ length: 8 }, (_, i) => `127.21.${i >> 2}.${(i % 4) * 64 + 10}`);

describeLive("shards in flight", BASE ? null : "DATABASE_URL is not set", () => {
  const servers: ReplayServer[] = [];
  beforeAll(async () => {
    for (const [i, ip] of GATEWAYS.entries())
      servers.push(await startReplayServer(transcripts[i % transcripts.length]!, ip, 18789));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function campaign(url: string, name: string): Promise<void> {
    const r = await runClawpatrol(
      ["campaign", "create", name, "127.21.0.0/23", "--shard-size", "/26", "--rate", "0", "--json"],
      { env: { DATABASE_URL: url } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).shards).toBe(8);
  }

  async function storedOnce(url: string, name: string): Promise<void> {
    const [c] = await query<{ state: string; run_id: string }>(
      url,
      "SELECT state, run_id FROM campaigns WHERE name = $1",
      [name],
    );
    expect(c!.state).toBe("done");
    const rows = await query<{ ip: string; n: number }>(
      url,
      "SELECT host(ip) AS ip, count(*)::int AS n FROM observations WHERE run_id = $1 GROUP BY ip, port",
      [c!.run_id],
    );
    expect(rows.map((r) => r.ip).sort()).toEqual([...GATEWAYS].sort());
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const [shards] = await query<{ n: number }>(
      url,
      "SELECT count(*)::int AS n FROM campaign_shards s JOIN campaigns c ON c.id = s.campaign_id WHERE c.name = $1",
      [name],
    );
    expect(Number(shards!.n)).toBe(8);
  }

  it("takes the next shard while the last is still probing or storing; one at a time with --shards-at-once 1", async () => {
    const db = await isolatedUrl(BASE!);
    try {
      await campaign(db.url, "overlap");
      const w = await worker(db.url, "W", []);
      expect(w.code, w.stderr).toBe(0);
      await storedOnce(db.url, "overlap");
      expect(await overlaps(db.url, "overlap", "W")).toBeGreaterThan(0);

      await campaign(db.url, "serial");
      const s = await worker(db.url, "S", ["--shards-at-once", "1"]);
      expect(s.code, s.stderr).toBe(0);
      await storedOnce(db.url, "serial");
      expect(await overlaps(db.url, "serial", "S")).toBe(0);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it("three workers storing shards at the same moment: each shard once, the campaign done once", async () => {
    const db = await isolatedUrl(BASE!);
    try {
      await campaign(db.url, "together");
      const done = await Promise.all(["X", "Y", "Z"].map((n) => worker(db.url, n, [])));
      for (const d of done) expect(d.code, d.stderr).toBe(0);
      await storedOnce(db.url, "together");
      const [run] = await query<{ status: string; observation_count: number }>(
        db.url,
        "SELECT r.status, r.observation_count FROM runs r JOIN campaigns c ON c.run_id = r.id WHERE c.name = 'together'",
      );
      expect(run).toMatchObject({ status: "complete", observation_count: GATEWAYS.length });
      // No writer had to be retried after a deadlock.
      expect(done.map((d) => d.stderr).join("")).not.toMatch(/deadlock/);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it("a campaign whose every shard is stored is completed once, even when its last writer died before completing it", async () => {
    const db = await isolatedUrl(BASE!);
    try {
      await campaign(db.url, "orphan");
      // Every shard stored (rows as a writer leaves them), their jobs finished, the campaign not
      // completed: what a writer killed between its commit and the completion leaves.
      await query(
        db.url,
        `INSERT INTO campaign_shards (campaign_id, shard, worker, endpoints, records, gateways, attempt, done_at)
         SELECT c.id, g, 'dead', 64, 0, 0, 0, now() FROM campaigns c, generate_series(0, 7) g WHERE c.name = 'orphan'`,
      );
      await query(
        db.url,
        "UPDATE pgboss.job j SET state = 'completed', completed_on = now() FROM campaigns c WHERE j.name = c.queue AND c.name = 'orphan'",
      );
      const [id] = await query<{ id: string; run_id: string }>(
        db.url,
        "SELECT id, run_id FROM campaigns WHERE name = 'orphan'",
      );
      // Three callers at once: exactly one completes it.
      const opened = await Promise.all([1, 2, 3].map(() => openCampaignDb(db.url)));
      try {
        const results = await Promise.all(opened.map((o) => completeIfAllDone(o.db, id!.id)));
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await Promise.all(opened.map((o) => o.close()));
      }
      const [c] = await query<{ state: string }>(db.url, "SELECT state FROM campaigns WHERE name = 'orphan'");
      expect(c!.state).toBe("done");
      const [run] = await query<{ status: string }>(db.url, "SELECT status FROM runs WHERE id = $1", [
        id!.run_id,
      ]);
      expect(run!.status).toBe("complete");

      // The same left-over state, found by a worker with nothing to take: it completes it.
      await campaign(db.url, "found");
      await query(
        db.url,
        `INSERT INTO campaign_shards (campaign_id, shard, worker, endpoints, records, gateways, attempt, done_at)
         SELECT c.id, g, 'dead', 64, 0, 0, 0, now() FROM campaigns c, generate_series(0, 7) g WHERE c.name = 'found'`,
      );
      await query(
        db.url,
        "UPDATE pgboss.job j SET state = 'completed', completed_on = now() FROM campaigns c WHERE j.name = c.queue AND c.name = 'found'",
      );
      const w = await worker(db.url, "late", []);
      expect(w.code, w.stderr).toBe(0);
      const [found] = await query<{ state: string; status: string }>(
        db.url,
        "SELECT c.state, r.status FROM campaigns c JOIN runs r ON r.id = c.run_id WHERE c.name = 'found'",
      );
      expect(found).toEqual({ state: "done", status: "complete" });
    } finally {
      await db.drop();
    }
  }, 120_000);
});
