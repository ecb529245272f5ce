// PostgreSQL restarted mid-campaign: workers reconnect and carry on, nothing lost or doubled.
// The restart is of a private cluster this test creates (initdb in a temporary directory, its own
// port on 127.0.0.1), never of the shared one other suites are using at the same time.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { REPO_ROOT } from "../support/zoo.ts";

function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin", "initdb"))) return join(root, v, "bin");
  return null;
}

function unavailable(): string | null {
  if (process.platform !== "linux") return "needs Linux";
  if (process.getuid?.() !== 0) return "needs root (runs a private PostgreSQL as user postgres)";
  if (!postgresBin()) return "PostgreSQL server binaries not found (Debian package postgresql)";
  try {
    execFileSync("id", ["postgres"], { stdio: "ignore" });
  } catch {
    return "no postgres user";
  }
  return null;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describeLive("campaign across a PostgreSQL restart", unavailable(), () => {
  let dir = "";
  let port = 0;
  let url = "";
  const bin = postgresBin() ?? "";
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], {
      stdio: "pipe",
      timeout: 60_000,
    });
  const pgCtl = (action: string) =>
    asPostgres("pg_ctl", [
      "-D",
      join(dir, "data"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "-l",
      join(dir, "log"),
      "-m",
      "fast",
      "-w",
      action,
    ]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cp-pg-"));
    chmodSync(dir, 0o777);
    execFileSync("chown", ["postgres", dir]);
    port = await freePort();
    asPostgres("initdb", ["-D", join(dir, "data"), "--auth=trust", "-U", "postgres", "--no-sync"]);
    pgCtl("start");
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }, 90_000);

  afterAll(() => {
    try {
      if (dir) pgCtl("stop");
    } catch {}
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("workers carry on after the restart; every shard is stored once", async () => {
    const created = await runClawpatrol(
      [
        "campaign",
        "create",
        "restart",
        "127.21.0.0/23",
        "--shard-size",
        "/27",
        "--rate",
        "80",
        "--lease",
        "10s",
        "--json",
      ],
      { env: { DATABASE_URL: url } },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).shards).toBe(16);
    const workers: { child: ChildProcess; done: Promise<number | null>; err: () => string }[] = [];
    for (const name of ["R1", "R2"]) {
      const child = spawn(
        process.execPath,
        [`${REPO_ROOT}/bin/clawpatrol.mjs`, "worker", "--name", name, "--until-idle"],
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
      workers.push({ child, done: new Promise((r) => child.on("close", r)), err: () => err });
    }
    // Restart once some shards are written and others are still to come.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const { rows } = await c
        .query("SELECT count(*)::int AS n FROM campaign_shards")
        .catch(() => ({ rows: [{ n: 0 }] }));
      await c.end();
      if (Number(rows[0].n) >= 2) break;
      if (Date.now() > deadline)
        throw new Error(`no shard written: ${workers.map((w) => w.err()).join("\n")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    pgCtl("restart");
    for (const w of workers) expect(await w.done, w.err()).toBe(0);
    const st = await runClawpatrol(["campaign", "status", "restart", "--json"], {
      env: { DATABASE_URL: url },
    });
    expect(st.code, st.stderr).toBe(0);
    const s = JSON.parse(st.stdout);
    expect(s.state).toBe("done");
    expect(s.shards).toMatchObject({ total: 16, done: 16, failed: 0 });
    expect(s.endpoints).toEqual({ total: 512, done: 512 });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query(`
        SELECT count(*)::int AS n, count(DISTINCT shard)::int AS d,
               count(*) FILTER (WHERE done_at > pg_postmaster_start_time())::int AS after
        FROM campaign_shards`);
    await c.end();
    expect(rows[0]).toMatchObject({ n: 16, d: 16 });
    // Shards were written before the restart (waited for above) and after it.
    expect(rows[0].after).toBeGreaterThan(0);
    expect(rows[0].after).toBeLessThanOrEqual(14);
  }, 150_000);
});
