// Campaign benchmark (not a test): workers in network namespaces of their own, each its own
// "machine" with its own address, scan 198.18.0.0/16 (65,536 addresses, port 18789) holding
// 1,000 gateways that replay real zoo transcripts behind a 50 ms per-connection delay, through
// one private PostgreSQL (a Unix socket, reachable from every namespace; no TCP listener).
//   1. 1, 2 and 4 workers at the same per-worker concurrency: wall time, speed-up, and each
//      worker's CPU time (user + system, from /usr/bin/time).
//   2. 2 workers, one SIGKILLed twice mid-campaign (and restarted): completion time, and every
//      endpoint's observation stored exactly once.
//   3. The projected time of a 0.0.0.0/0 campaign on port 18789 (less the default blocklist)
//      per worker count, at the rate measured in 1.
// The other addresses of the /16 (--empty): "silent" (default) drops their SYNs, as most of the
// internet does, so each costs the connect timeout and the campaign is bound by latency and
// concurrency, as a real one is; "refuse" answers them at once from the gateways' loopback (a
// LAN), which makes the campaign CPU-bound: on 2 cores more workers then only share the CPU.
// (tc netem would delay every packet, but this kernel has no netem qdisc.)
// Usage (root, Linux, PostgreSQL server binaries): npm run bench:campaign [-- --workers 1,2,4]
//   [--concurrency 512] [--delay 50] [--timeout 1s] [--shard-size /22] [--shards-at-once 8] [--empty silent|refuse]
//   [--skip-kill]
// Everything connects only to addresses inside the namespaces this run creates and to the
// PostgreSQL socket it starts; all of it is removed at the end.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { applyBlocklists, namedIntervals } from "../../src/targets/blocklist.ts";
import { planTargets } from "../../src/targets/spec.ts";
import { REPO_ROOT } from "../../test/support/zoo.ts";
import { gatewayAddresses } from "./addresses.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(name) ? (args[args.indexOf(name) + 1] ?? fallback) : fallback;
const workerCounts = opt("--workers", "1,2,4").split(",").map(Number);
const concurrency = opt("--concurrency", "512");
const delayMs = opt("--delay", "50");
const timeout = opt("--timeout", "1s");
const shardSize = opt("--shard-size", "/22");
const shardsAtOnce = opt("--shards-at-once", "8");
const empty = opt("--empty", "silent");
if (empty !== "silent" && empty !== "refuse") throw new Error("--empty: silent or refuse");
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
  if (empty === "refuse") {
    // Every address of the scope is local to the gateway namespace: a listener answers, the
    // rest refuse at once (a LAN).
    ip("-n", gwNs, "route", "add", "local", SCOPE, "dev", "lo");
  } else {
    // Only the gateways' addresses are local; SYNs to the rest are forwarded into a blackhole
    // route and dropped without a word, as most internet addresses do.
    const batch = join(pgDir, "addresses.ip");
    writeFileSync(
      batch,
      gatewayAddresses(GATEWAYS)
        .map((a) => `address add ${a}/32 dev lo\n`)
        .join(""),
    );
    ip("-n", gwNs, "-batch", batch);
    sh("ip", ["netns", "exec", gwNs, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    ip("-n", gwNs, "route", "add", "blackhole", SCOPE);
  }
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
/** A clawpatrol command, in namespace `ns` (or here), under /usr/bin/time for its CPU time. */
function run(ns: string | null, cliArgs: string[], env: Record<string, string>): ChildProcess {
  const timed = ["/usr/bin/time", "-f", "CPU %U %S", process.execPath, BIN, ...cliArgs];
  const [cmd, ...full] = ns ? ["ip", "netns", "exec", ns, ...timed] : timed;
  // A process group of its own: an interrupted run stops /usr/bin/time and the worker under it.
  const child = spawn(cmd!, full, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  child.on("close", () => running.delete(child));
  return child;
}
const running = new Set<ChildProcess>();
interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** User + system CPU seconds (null when killed before /usr/bin/time could say). */
  cpu: number | null;
}
function finished(child: ChildProcess): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on("close", (code) => {
      const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      const cpu = m ? Number(m[1]) + Number(m[2]) : null;
      // /usr/bin/time reports a child's non-zero exit on its own first line.
      const own = stderr
        .replace(/Command exited with non-zero status \d+\n/, "")
        .replace(/CPU [\d.]+ [\d.]+\s*$/, "");
      resolve({ code, stdout, stderr: own, cpu });
    }),
  );
}
async function cli(url: string, cliArgs: string[]) {
  const r = await finished(run(null, cliArgs, { DATABASE_URL: url }));
  if (r.code !== 0)
    throw new Error(`clawpatrol ${cliArgs.join(" ")}: exit ${r.code}: ${r.stderr.slice(-400)}`);
  return r.stdout;
}
const startWorker = (url: string, i: number, name = `w${i}`) =>
  run(
    workerNs(i),
    [
      "worker",
      "--name",
      name,
      "--until-idle",
      "--concurrency",
      concurrency,
      "--shards-at-once",
      shardsAtOnce,
    ],
    {
      DATABASE_URL: url,
    },
  );

async function createCampaign(db: string): Promise<string> {
  await admin(`CREATE DATABASE ${db}`);
  const url = dbUrl(db);
  await cli(url, [
    "campaign",
    "create",
    db,
    SCOPE,
    "--shard-size",
    shardSize,
    "--rate",
    "0",
    "--lease",
    "10s",
    "--timeout",
    timeout,
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
const cores = Number(execFileSync("nproc").toString().trim());
/** Packets the kernel dropped so far because a CPU's input backlog was full (all CPUs). */
function backlogDrops(): number {
  return readFileSync("/proc/net/softnet_stat", "utf8")
    .trim()
    .split("\n")
    .reduce((n, line) => n + Number.parseInt(line.split(" ")[1] ?? "0", 16), 0);
}
/** CPU seconds (user + system) process `pid` has used so far. */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
const load = () =>
  execFileSync("uptime")
    .toString()
    .trim()
    .replace(/^.*load average: /, "");
let gateways: ChildProcess | null = null;
// Interrupted: the namespaces, the PostgreSQL and the gateways go too.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
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
  const shards = 2 ** (Number(shardSize.replace("/", "")) - 16);
  out(
    `scope ${SCOPE} x port 18789 (65,536 endpoints, ${shards} shards of ${shardSize}), ${GATEWAYS} gateways replaying real zoo transcripts, ${delayMs} ms per-connection delay; other addresses ${empty === "silent" ? `silent (SYNs dropped; --timeout ${timeout})` : "refuse at once"}; per-worker --concurrency ${concurrency}, --shards-at-once ${shardsAtOnce}; every worker in its own network namespace`,
  );
  out(`load before: ${load()}\n`);

  // --- 1. 1, 2, 4 workers ---
  const timings = new Map<number, number>();
  const campaignTimes = new Map<number, number>();
  for (const k of workerCounts) {
    const name = `scale${k}`;
    const url = await createCampaign(name);
    const started = performance.now();
    const startedAt = Date.now();
    const gatewayCpu = cpuOf(gateways?.pid);
    const drops = backlogDrops();
    const results = await Promise.all(Array.from({ length: k }, (_, i) => finished(startWorker(url, i + 1))));
    const seconds = (performance.now() - started) / 1000;
    for (const r of results)
      if (r.code !== 0) throw new Error(`worker exit ${r.code}: ${r.stderr.slice(-400)}`);
    const c = await check(url, name);
    const [t] = await admin(
      "SELECT extract(epoch FROM started_at)::float8 AS s, extract(epoch FROM finished_at)::float8 AS f FROM campaigns WHERE name = $1",
      [name],
      url,
    );
    const firstTaken = Number(t.s) - startedAt / 1000;
    const lastDone = Number(t.f) - startedAt / 1000;
    // The campaign's own time, first shard taken to last shard stored: without the workers'
    // start (a Node process, the store's and pg-boss's schema checks), which a machine whose
    // cores are busy with other work stretches for every worker at once.
    const campaign = lastDone - firstTaken;
    timings.set(k, seconds);
    campaignTimes.set(k, campaign);
    const base = timings.get(workerCounts[0]!)!;
    const baseCampaign = campaignTimes.get(workerCounts[0]!)!;
    const target = k === 2 ? " (target >= 1.8x)" : k === 4 ? " (target >= 3.2x)" : "";
    out(
      `${String(k).padStart(2)} worker${k === 1 ? " " : "s"}: ${seconds.toFixed(2).padStart(7)} s, ${(65536 / seconds).toFixed(0).padStart(6)} endpoints/s, speed-up ${(base / seconds).toFixed(2)}x${target}; first shard to last stored ${campaign.toFixed(2)} s, speed-up ${(baseCampaign / campaign).toFixed(2)}x`,
    );
    out(
      `    ${c.state}, ${c.endpointsDone} endpoints done, ${c.gateways} gateways, ${c.records} records for ${c.distinct} endpoints; first shard taken ${firstTaken.toFixed(2)} s after the workers started, last stored at ${lastDone.toFixed(2)} s, all exited at ${seconds.toFixed(2)} s`,
    );
    // How long each shard took, from pg-boss's job rows (taken to completed), and the workers'
    // own account of it (their progress lines): scanning against storing.
    const [d] = await admin(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::float8 AS median, max(x)::float8 AS max
       FROM (SELECT extract(epoch FROM completed_on - started_on) AS x FROM pgboss.job j JOIN campaigns c ON j.name = c.queue
             WHERE c.name = $1 AND j.state = 'completed') s`,
      [name],
      url,
    );
    const phase = (what: string) =>
      results
        .flatMap((r) => [...r.stderr.matchAll(new RegExp(`${what} in ([\\d.]+) s`, "g"))])
        .reduce((n, m) => n + Number(m[1]), 0);
    out(
      `    shard time median ${Number(d.median).toFixed(2)} s, max ${Number(d.max).toFixed(2)} s; in all ${phase("scanned").toFixed(1)} s scanning, ${phase("stored").toFixed(1)} s storing`,
    );
    out(
      `    CPU s per worker: ${results.map((r, i) => `w${i + 1} ${r.cpu?.toFixed(2) ?? "?"}`).join(", ")} (${((results.reduce((n, r) => n + (r.cpu ?? 0), 0) / seconds / cores) * 100).toFixed(0)}% of ${cores} cores); the gateways' process ${(cpuOf(gateways?.pid) - gatewayCpu).toFixed(2)}; packets dropped by a full kernel backlog ${backlogDrops() - drops}; load ${load()}`,
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
      // The whole group: /usr/bin/time and the worker under it.
      process.kill(-a.pid!, "SIGKILL");
      await aDone;
    }
    const last = finished(startWorker(url, 1, "A3"));
    const [rb, ra] = await Promise.all([b, last]);
    const seconds = (performance.now() - started) / 1000;
    if (rb.code !== 0 || ra.code !== 0)
      throw new Error(`worker exit ${rb.code}/${ra.code}: ${rb.stderr.slice(-300)} ${ra.stderr.slice(-300)}`);
    const c = await check(url, name);
    const once = c.records === c.distinct && c.gateways === GATEWAYS;
    // The kills hit shards in flight: their jobs ran again after the lease.
    const [again] = await admin(
      "SELECT count(*)::int AS n FROM pgboss.job j JOIN campaigns c ON j.name = c.queue WHERE c.name = $1 AND j.retry_count > 0",
      [name],
      url,
    );
    out(
      `\n2 workers, one SIGKILLed twice (10 s lease; ${again.n} shards taken again after a kill): ${seconds.toFixed(2)} s to done${timings.has(2) ? ` (${(seconds / timings.get(2)!).toFixed(2)}x the undisturbed 2 workers)` : ""}; ${c.state}, ${c.endpointsDone} endpoints done, ${c.gateways} of ${GATEWAYS} gateways, ${c.records} records for ${c.distinct} endpoints: ${once ? "every endpoint stored exactly once" : "NOT exactly once"}; load ${load()}`,
    );
  }

  // --- 3. projection ---
  const { plan } = planTargets(["0.0.0.0/0"], []);
  const internet = applyBlocklists(plan, namedIntervals(["0.0.0.0/0"]), []).plan.addressCount;
  const one = timings.get(1) ?? timings.get(workerCounts[0]!)!;
  const perWorker = 65536 / one / (timings.has(1) ? 1 : workerCounts[0]!);
  out(
    `\nprojection: 0.0.0.0/0 on port 18789 less the default blocklist is ${internet} endpoints; at ${perWorker.toFixed(0)} endpoints/s per worker (1 worker above, ${empty === "silent" ? `silent addresses costing the ${timeout} timeout` : "refusals at loopback speed, a floor on time"}):`,
  );
  for (const k of [1, 2, 4, 16, 64]) {
    const hours = Number(internet) / (perWorker * k) / 3600;
    out(
      `  ${String(k).padStart(3)} worker${k === 1 ? " " : "s"}: ${hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`}`,
    );
  }
} finally {
  cleanUp();
}

function cleanUp(): void {
  for (const child of running)
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {}
  gateways?.kill("SIGTERM");
  try {
    pgCtl("stop");
  } catch {}
  tearDownNetwork();
  rmSync(pgDir, { recursive: true, force: true });
}
