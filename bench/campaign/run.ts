// Campaign benchmark (not a test): workers in network namespaces of their own, each its own
// "machine" with its own address, scan 198.18.0.0/16 (65,536 addresses, port 18789) holding
// 1,000 gateways that replay real zoo transcripts behind a 50 ms per-connection delay, through
// one private PostgreSQL (a Unix socket, reachable from every namespace; no TCP listener).
//   1. 1, 2 and 4 workers at the same per-worker concurrency: wall time and speed-up.
//   2. 2 workers, one SIGKILLed twice mid-campaign (and restarted): completion time, and every
//      endpoint's observation stored exactly once.
//   3. The projected time of a 0.0.0.0/0 campaign on port 18789 (less the default blocklist)
//      per worker count, at the rate measured in 1.
// Usage (root, Linux, PostgreSQL server binaries): npm run bench:campaign [-- --workers 1,2,4]
//   [--concurrency 512] [--delay 50] [--skip-kill]
// Everything connects only to addresses inside the namespaces this run creates and to the
// PostgreSQL socket it starts; all of it is removed at the end.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { applyBlocklists, namedIntervals } from "../../src/targets/blocklist.ts";
import { planTargets } from "../../src/targets/spec.ts";
import { REPO_ROOT } from "../../test/support/zoo.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(name) ? (args[args.indexOf(name) + 1] ?? fallback) : fallback;
const workerCounts = opt("--workers", "1,2,4").split(",").map(Number);
const concurrency = opt("--concurrency", "512");
const delayMs = opt("--delay", "50");
const skipKill = args.includes("--skip-kill");
const GATEWAYS = 1000;
const SCOPE = "198.18.0.0/16";
const BIN = join(REPO_ROOT, "bin/clawpatrol.mjs");
const PREFIX = `cpb${process.pid % 10000}`;
const maxWorkers = Math.max(...workerCounts, 2);

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
if (process.platform !== "linux" || process.getuid?.() !== 0)
  fail("needs Linux and root (network namespaces)");
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) fail("PostgreSQL server binaries not found (apt-get install postgresql)");
  const v = readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .find((d) => existsSync(join(root, d, "bin", "initdb")));
  if (!v) fail("PostgreSQL server binaries not found (apt-get install postgresql)");
  return join(root, v, "bin");
}
const pgBin = postgresBin();

const sh = (cmd: string, cmdArgs: string[]) => execFileSync(cmd, cmdArgs, { stdio: "pipe", timeout: 60_000 });
const ip = (...a: string[]) => sh("ip", a);

// --- namespaces: one for the gateways, one per worker, each worker linked to the gateways ---
const gwNs = `${PREFIX}-gw`;
const workerNs = (i: number) => `${PREFIX}-w${i}`;
function setUpNetwork(): void {
  ip("netns", "add", gwNs);
  ip("-n", gwNs, "link", "set", "lo", "up");
  // Every address of the scope is local to the gateway namespace: a listener answers, the
  // rest refuse at once, as a real network's empty addresses would not (they time out).
  ip("-n", gwNs, "route", "add", "local", SCOPE, "dev", "lo");
  for (let i = 1; i <= maxWorkers; i++) {
    const ns = workerNs(i);
    ip("netns", "add", ns);
    ip("-n", ns, "link", "set", "lo", "up");
    ip(
      "link",
      "add",
      `${PREFIX}w${i}`,
      "netns",
      ns,
      "type",
      "veth",
      "peer",
      "name",
      `${PREFIX}g${i}`,
      "netns",
      gwNs,
    );
    ip("-n", ns, "addr", "add", `198.19.${i}.2/24`, "dev", `${PREFIX}w${i}`);
    ip("-n", gwNs, "addr", "add", `198.19.${i}.1/24`, "dev", `${PREFIX}g${i}`);
    ip("-n", ns, "link", "set", `${PREFIX}w${i}`, "up");
    ip("-n", gwNs, "link", "set", `${PREFIX}g${i}`, "up");
    ip("-n", ns, "route", "add", SCOPE, "via", `198.19.${i}.1`);
  }
}
function tearDownNetwork(): void {
  for (const ns of [gwNs, ...Array.from({ length: maxWorkers }, (_, i) => workerNs(i + 1))]) {
    try {
      ip("netns", "del", ns);
    } catch {}
  }
}

// --- a private PostgreSQL on a Unix socket ---
const pgDir = mkdtempSync(join(tmpdir(), "cp-bench-pg-"));
chmodSync(pgDir, 0o777);
const asPostgres = (cmd: string, a: string[]) =>
  execFileSync("runuser", ["-u", "postgres", "--", join(pgBin, cmd), ...a], {
    stdio: "pipe",
    timeout: 120_000,
  });
const pgCtl = (action: string) =>
  asPostgres("pg_ctl", [
    "-D",
    join(pgDir, "data"),
    "-o",
    `-k ${pgDir} -c listen_addresses= -c max_connections=200 -c fsync=off`,
    "-l",
    join(pgDir, "log"),
    "-m",
    "fast",
    "-w",
    action,
  ]);
const adminUrl = `postgres://postgres@/postgres?host=${encodeURIComponent(pgDir)}`;
const dbUrl = (name: string) => `postgres://postgres@/${name}?host=${encodeURIComponent(pgDir)}`;
async function admin(text: string, values: unknown[] = [], url = adminUrl) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

// --- processes ---
function run(ns: string | null, cliArgs: string[], env: Record<string, string>): ChildProcess {
  const cmd = ns ? "ip" : process.execPath;
  const full = ns ? ["netns", "exec", ns, process.execPath, BIN, ...cliArgs] : [BIN, ...cliArgs];
  return spawn(cmd, full, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
async function cli(url: string, cliArgs: string[]) {
  const r = await finished(run(null, cliArgs, { DATABASE_URL: url }));
  if (r.code !== 0)
    throw new Error(`clawpatrol ${cliArgs.join(" ")}: exit ${r.code}: ${r.stderr.slice(-400)}`);
  return r.stdout;
}
const startWorker = (url: string, i: number, name = `w${i}`) =>
  run(workerNs(i), ["worker", "--name", name, "--until-idle", "--concurrency", concurrency], {
    DATABASE_URL: url,
  });

async function createCampaign(db: string): Promise<string> {
  await admin(`CREATE DATABASE ${db}`);
  const url = dbUrl(db);
  await cli(url, [
    "campaign",
    "create",
    db,
    SCOPE,
    "--shard-size",
    "/22",
    "--rate",
    "0",
    "--lease",
    "10s",
    "--timeout",
    "3s",
    "--json",
  ]);
  return url;
}

/** Every endpoint of the campaign's run stored once; gateways found. */
async function check(url: string, name: string) {
  const status = JSON.parse(await cli(url, ["campaign", "status", name, "--json"]));
  const [row] = await admin(
    "SELECT count(*)::int AS records, count(DISTINCT (ip, port))::int AS endpoints, count(*) FILTER (WHERE product IS NOT NULL)::int AS gateways FROM observations WHERE run_id = $1",
    [status.runId],
    url,
  );
  return {
    state: status.state as string,
    endpointsDone: status.endpoints.done as number,
    records: Number(row.records),
    distinct: Number(row.endpoints),
    gateways: Number(row.gateways),
  };
}

const out = (line: string) => process.stdout.write(`${line}\n`);
let gateways: ChildProcess | null = null;
try {
  setUpNetwork();
  asPostgres("initdb", ["-D", join(pgDir, "data"), "--auth=trust", "-U", "postgres", "--no-sync"]);
  pgCtl("start");
  gateways = spawn(
    "ip",
    [
      "netns",
      "exec",
      gwNs,
      process.execPath,
      join(REPO_ROOT, "bench/campaign/gateways.ts"),
      "--count",
      String(GATEWAYS),
      "--delay",
      delayMs,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    gateways!.stdout!.on("data", (d) => {
      if (String(d).includes("ready")) resolve();
    });
    gateways!.on("close", (code) => reject(new Error(`gateways exited ${code}`)));
  });
  out(
    `clawpatrol campaign benchmark — ${new Date().toISOString()}, node ${process.version}, ${execFileSync("nproc").toString().trim()} cores`,
  );
  out(
    `scope ${SCOPE} x port 18789 (65,536 endpoints, 64 shards of /22), ${GATEWAYS} gateways replaying real zoo transcripts, ${delayMs} ms per-connection delay; per-worker --concurrency ${concurrency}; every worker in its own network namespace\n`,
  );

  // --- 1. 1, 2, 4 workers ---
  const timings = new Map<number, number>();
  for (const k of workerCounts) {
    const name = `scale${k}`;
    const url = await createCampaign(name);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: k }, (_, i) => finished(startWorker(url, i + 1))));
    const seconds = (performance.now() - started) / 1000;
    for (const r of results)
      if (r.code !== 0) throw new Error(`worker exit ${r.code}: ${r.stderr.slice(-400)}`);
    const c = await check(url, name);
    timings.set(k, seconds);
    const base = timings.get(workerCounts[0]!)!;
    out(
      `${String(k).padStart(2)} worker${k === 1 ? " " : "s"}: ${seconds.toFixed(2).padStart(7)} s, ${(65536 / seconds).toFixed(0).padStart(6)} endpoints/s, speed-up ${(base / seconds).toFixed(2)}x; ${c.state}, ${c.endpointsDone} endpoints done, ${c.gateways} gateways, ${c.records} records for ${c.distinct} endpoints`,
    );
  }

  // --- 2. one worker killed twice ---
  if (!skipKill) {
    const name = "killed";
    const url = await createCampaign(name);
    const started = performance.now();
    const b = finished(startWorker(url, 2, "B"));
    for (let kill = 1; kill <= 2; kill++) {
      const a = startWorker(url, 1, `A${kill}`);
      const aDone = finished(a);
      // Kill it while it holds a shard: after it has finished at least one.
      for (;;) {
        const [r] = await admin(
          "SELECT count(*)::int AS n FROM campaign_shards s JOIN campaigns c ON c.id = s.campaign_id WHERE c.name = $1 AND s.worker = $2",
          [name, `A${kill}`],
          url,
        );
        if (Number(r.n) >= 1 || a.exitCode !== null) break;
        await new Promise((r2) => setTimeout(r2, 50));
      }
      a.kill("SIGKILL");
      await aDone;
    }
    const last = finished(startWorker(url, 1, "A3"));
    const [rb, ra] = await Promise.all([b, last]);
    const seconds = (performance.now() - started) / 1000;
    if (rb.code !== 0 || ra.code !== 0)
      throw new Error(`worker exit ${rb.code}/${ra.code}: ${rb.stderr.slice(-300)} ${ra.stderr.slice(-300)}`);
    const c = await check(url, name);
    const once = c.records === c.distinct && c.gateways === GATEWAYS;
    out(
      `\n2 workers, one SIGKILLed twice (10 s lease): ${seconds.toFixed(2)} s to done; ${c.gateways} gateways, ${c.records} records for ${c.distinct} endpoints: ${once ? "every endpoint stored exactly once" : "NOT exactly once"}`,
    );
  }

  // --- 3. projection ---
  const { plan } = planTargets(["0.0.0.0/0"], []);
  const internet = applyBlocklists(plan, namedIntervals(["0.0.0.0/0"]), []).plan.addressCount;
  const one = timings.get(1) ?? timings.get(workerCounts[0]!)!;
  const perWorker = 65536 / one / (timings.has(1) ? 1 : workerCounts[0]!);
  out(
    `\nprojection: 0.0.0.0/0 on port 18789 less the default blocklist is ${internet} endpoints; at ${perWorker.toFixed(0)} endpoints/s per worker (measured above, loopback-fast refusals, so a floor on time):`,
  );
  for (const k of [1, 2, 4, 16, 64]) {
    const hours = Number(internet) / (perWorker * k) / 3600;
    out(
      `  ${String(k).padStart(3)} worker${k === 1 ? " " : "s"}: ${hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`}`,
    );
  }
} finally {
  gateways?.kill("SIGTERM");
  try {
    pgCtl("stop");
  } catch {}
  tearDownNetwork();
  rmSync(pgDir, { recursive: true, force: true });
}
