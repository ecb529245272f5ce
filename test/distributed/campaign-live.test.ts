// Campaigns on real PostgreSQL (DATABASE_URL) with real worker processes, scanning recorded
// gateways replayed on loopback addresses. Each test gets a schema of its own (search_path),
// so the store suites that share the database are untouched.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const BASE = process.env.DATABASE_URL ?? null;

async function isolatedUrl(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `cp18_${randomBytes(5).toString("hex")}`;
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

async function query<T = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

function startWorker(
  url: string,
  name: string,
  extra: string[] = [],
): { child: ChildProcess; done: Promise<number | null>; stderr: () => string } {
  const child = spawn(
    process.execPath,
    [`${REPO_ROOT}/bin/clawpatrol.mjs`, "worker", "--name", name, ...extra],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  child.stderr!.on("data", (d) => {
    err += d;
  });
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, done, stderr: () => err };
}

const cli = (url: string, args: string[]) => runClawpatrol(args, { env: { DATABASE_URL: url } });

async function status(url: string, name: string) {
  const r = await cli(url, ["campaign", "status", name, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const transcript = transcriptFromJson(
  readFileSync(new URL("../fixtures/zoo/local/oc313-lan-token.json", import.meta.url), "utf8"),
);

describeLive("campaigns on PostgreSQL", BASE ? null : "DATABASE_URL is not set", () => {
  const servers: ReplayServer[] = [];
  const GATEWAYS = [
    "127.18.0.10",
    "127.18.0.77",
    "127.18.1.5",
    "127.18.1.200",
    "127.18.2.33",
    "127.18.2.150", // opted out
    "127.18.3.9", // excluded
    "127.18.3.100",
  ];
  const EXPECTED = GATEWAYS.filter((g) => g !== "127.18.2.150" && g !== "127.18.3.9").sort();

  beforeAll(async () => {
    for (const ip of GATEWAYS) servers.push(await startReplayServer(transcript, ip, 18789));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it("a worker SIGKILLed mid-shard: its shard is taken again after the lease, every endpoint stored once, diffs once", async () => {
    const db = await isolatedUrl(BASE!);
    try {
      const opt = await cli(db.url, [
        "optout",
        "add",
        "127.18.2.128/26",
        "--reason",
        "operator asked (test)",
      ]);
      expect(opt.code, opt.stderr).toBe(0);
      const created = await cli(db.url, [
        "campaign",
        "create",
        "kill",
        "127.18.0.0/22",
        "--shard-size",
        "/26",
        "--exclude",
        "127.18.3.0/26",
        "--rate",
        "100",
        "--lease",
        "10s",
        "--timeout",
        "2s",
        "--json",
      ]);
      expect(created.code, created.stderr).toBe(0);
      const c = JSON.parse(created.stdout);
      // 16 blocks of 64, one excluded and one opted out at creation.
      expect(c.shards).toBe(14);
      expect(c.endpoints).toBe(14 * 64);

      const a = startWorker(db.url, "A");
      const b = startWorker(db.url, "B", ["--until-idle"]);
      // Kill A while it holds a shard.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const rows = await query(
          db.url,
          "SELECT count(*)::int AS n FROM pgboss.job j JOIN campaigns c ON j.name = c.queue WHERE c.name = 'kill' AND j.state = 'active'",
        );
        const workers = await query(db.url, "SELECT name FROM campaign_workers WHERE name = 'A'");
        if (Number(rows[0]!.n) > 0 && workers.length > 0) break;
        if (Date.now() > deadline) throw new Error(`worker A never took a shard: ${a.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 200));
      a.child.kill("SIGKILL");
      await a.done;
      expect(await b.done, b.stderr()).toBe(0);

      const s = await status(db.url, "kill");
      expect(s.state).toBe("done");
      expect(s.shards).toEqual({ total: 14, queued: 0, active: 0, done: 14, failed: 0 });
      expect(s.endpoints).toEqual({ total: 896, done: 896 });
      expect(s.gateways).toBe(EXPECTED.length);
      // The killed worker's shard came back: some job of the campaign ran a second time.
      const retried = await query(
        db.url,
        "SELECT count(*)::int AS n FROM pgboss.job j JOIN campaigns c ON j.name = c.queue WHERE c.name = 'kill' AND j.retry_count > 0",
      );
      expect(Number(retried[0]!.n)).toBeGreaterThan(0);
      // Every endpoint once in the campaign's run; excluded and opted-out ones never.
      const obs = await query<{ ip: string; n: number }>(
        db.url,
        "SELECT host(ip) AS ip, count(*)::int AS n FROM observations WHERE run_id = $1 GROUP BY ip, port ORDER BY ip",
        [s.runId],
      );
      expect(obs.map((o) => o.ip).sort()).toEqual(EXPECTED);
      expect(obs.every((o) => Number(o.n) === 1)).toBe(true);
      // The diffs of the store: one run, complete, one 'new' event per gateway.
      const run = await query(db.url, "SELECT status, observation_count FROM runs WHERE id = $1", [s.runId]);
      expect(run[0]).toMatchObject({ status: "complete", observation_count: EXPECTED.length });
      const events = await query<{ kind: string; n: number }>(
        db.url,
        "SELECT kind, count(*)::int AS n FROM asset_events WHERE run_id = $1 GROUP BY kind",
        [s.runId],
      );
      expect(events).toEqual([{ kind: "new", n: EXPECTED.length }]);
      expect(s.workers.map((w: { name: string }) => w.name).sort()).toEqual(["A", "B"]);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it("--rate is the campaign's total over all workers; pause holds shards back, resume lets them go", async () => {
    const db = await isolatedUrl(BASE!);
    try {
      const rate = 100;
      const created = await cli(db.url, [
        "campaign",
        "create",
        "paced",
        "127.19.0.0/23",
        "--shard-size",
        "/27",
        "--rate",
        String(rate),
        "--json",
      ]);
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout).shards).toBe(16);

      expect((await cli(db.url, ["campaign", "pause", "paced"])).stdout).toMatch(/paused/);
      const idle = startWorker(db.url, "idle", ["--until-idle"]);
      expect(await idle.done, idle.stderr()).toBe(0);
      const held = await status(db.url, "paced");
      expect(held.state).toBe("paused");
      expect(held.shards.done).toBe(0);
      expect(held.shards.queued).toBe(16);

      expect((await cli(db.url, ["campaign", "resume", "paced"])).stdout).toMatch(/queued/);
      const workers = ["W1", "W2", "W3"].map((n) => startWorker(db.url, n, ["--until-idle"]));
      for (const w of workers) expect(await w.done, w.stderr()).toBe(0);
      const s = await status(db.url, "paced");
      // From the first shard taken to the last one written.
      const seconds = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
      expect(s.state).toBe("done");
      expect(s.endpoints.done).toBe(512);
      // 512 connects at 100/s all together take 5.1 s; three workers at 100/s each would take 1.7 s.
      expect(seconds).toBeGreaterThan((0.75 * 512) / rate);
      const busy = s.workers.filter((w: { shardsDone: number }) => w.shardsDone > 0);
      expect(busy.length).toBeGreaterThanOrEqual(2);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it("cancel drops the queued shards; a worker then has nothing to take", async () => {
    const db = await isolatedUrl(BASE!);
    try {
      expect(
        (await cli(db.url, ["campaign", "create", "gone", "127.20.0.0/24", "--shard-size", "/28"])).code,
      ).toBe(0);
      const r = await cli(db.url, ["campaign", "cancel", "gone"]);
      expect(r.code, r.stderr).toBe(0);
      const w = startWorker(db.url, "late", ["--until-idle"]);
      expect(await w.done).toBe(0);
      const s = await status(db.url, "gone");
      expect(s.state).toBe("cancelled");
      expect(s.shards.done).toBe(0);
      expect(s.shards.queued).toBe(0);
      const again = await cli(db.url, ["campaign", "cancel", "gone"]);
      expect(again.code).toBe(2);
      const missing = await cli(db.url, ["campaign", "status", "nope"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no campaign named "nope"/);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
