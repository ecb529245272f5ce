// Scan benchmark (not a test): clawpatrol against nmap on the same loopback targets.
//   1. 127.1.0.0/20 (4,096 addresses), port 18789, 200 endpoints replaying real zoo
//      transcripts: clawpatrol's full fingerprint vs `nmap -sT` (bare sweep) and
//      `nmap -sT -sV --version-light --script http-title` (the least nmap needs to say what answers).
//   2. 127.2.0.0/16 with 1,000 live endpoints: clawpatrol's rate and peak RSS.
//   3. 127.0.0.0/8 streamed with --allow-large for N seconds: rate and RSS over time.
//   4. (--mixed, or --parts 4) the same /20 size with 200 endpoints of mixed products (OpenClaw
//      variants and every other product's recorded transcripts from test/fixtures/products)
//      against 200 OpenClaw-only endpoints in the same run; every endpoint's product and
//      version is checked against what its transcript says (target: mixed within 1.2x).
// Usage: npm run bench:scan [-- --skip-nmap-sv] [--stream-seconds 60] [--runs 5] [--parts 1,2,3] [--mixed]
// Part 1 runs clawpatrol and the bare nmap sweep --runs times each, alternating, and compares
// medians: on a small VM one run of either varies by ±20%. nmap -sV (minutes) runs once.
// Everything connects only to 127.0.0.0/8. On loopback every connect completes at once, so a
// modest --concurrency (128) is fastest; on real networks the default (512) hides latency.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprintTranscript } from "../../src/fingerprints/probe-endpoint.ts";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { SCAN_HEAP_FLAGS } from "../../src/scan/relaunch.ts";
import { type ReplayServer, startReplayServer } from "../../test/support/replay-server.ts";
import { REPO_ROOT } from "../../test/support/zoo.ts";

const args = process.argv.slice(2);
const skipSv = args.includes("--skip-nmap-sv");
const streamSeconds = Number(args[args.indexOf("--stream-seconds") + 1] ?? 60) || 60;
const runs = args.includes("--runs") ? Math.max(1, Number(args[args.indexOf("--runs") + 1]) || 5) : 5;
const parts = new Set(
  (args.includes("--parts")
    ? (args[args.indexOf("--parts") + 1] ?? "")
    : args.includes("--mixed")
      ? "4"
      : "1,2,3"
  )
    .split(",")
    .map(Number),
);
const BIN = join(REPO_ROOT, "bin/clawpatrol.mjs");
const work = mkdtempSync(join(tmpdir(), "clawpatrol-bench-"));

function requireTool(path: string, pkg: string): void {
  if (!existsSync(path)) {
    process.stderr.write(`bench: ${path} is missing (apt-get install ${pkg})\n`);
    process.exit(2);
  }
}
requireTool("/usr/bin/nmap", "nmap");
requireTool("/usr/bin/time", "time");

const fixtureDir = join(REPO_ROOT, "test/fixtures/zoo/local");
const gatewayFixtures = readdirSync(fixtureDir)
  .filter((f) => !f.startsWith("side-"))
  .map((f) => transcriptFromJson(readFileSync(join(fixtureDir, f), "utf8")));

function addressesIn(prefix: [number, number], bits: number, count: number, seed: number): string[] {
  // Deterministic spread of `count` distinct addresses inside 127.a.b.0/bits (host part random).
  const size = 2 ** (32 - bits);
  const picked = new Set<number>();
  let x = seed >>> 0 || 1;
  while (picked.size < count) {
    // xorshift32: exact in 32-bit integer arithmetic (a float LCG loses precision and cycles).
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const n = x % size;
    if (n === 0 || n === size - 1) continue;
    picked.add(n);
  }
  return [...picked].map(
    (n) => `127.${prefix[0] + Math.floor(n / 65536)}.${prefix[1] + (Math.floor(n / 256) % 256)}.${n % 256}`,
  );
}

async function startEndpoints(
  addresses: string[],
  pick: (i: number) => Transcript = (i) => gatewayFixtures[i % gatewayFixtures.length]!,
): Promise<ReplayServer[]> {
  const servers: ReplayServer[] = [];
  for (let i = 0; i < addresses.length; i++)
    servers.push(await startReplayServer(pick(i), addresses[i], 18789));
  return servers;
}

/** Every other product's recorded transcripts (live recordings and the source-derived ones). */
function productFixtures(): Transcript[] {
  const dirs = [
    join(REPO_ROOT, "test/fixtures/products"),
    join(REPO_ROOT, "test/fixtures/products/source-derived"),
  ];
  return dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => transcriptFromJson(readFileSync(join(d, f), "utf8"))),
  );
}

interface Timed {
  seconds: number;
  peakMb: number;
  stdout: string;
  stderr: string;
}

function timed(cmd: string, cmdArgs: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "BENCH %e %M", cmd, ...cmdArgs], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", () => {
      // Wall time from this process's clock: /usr/bin/time prints it in 10 ms steps, too coarse
      // for a 0.1 s nmap sweep. Both sides pay the same few ms for starting /usr/bin/time.
      const seconds = (performance.now() - started) / 1000;
      const m = /BENCH ([\d.]+) (\d+)/.exec(stderr);
      if (!m) return reject(new Error(`no timing from ${cmd}: ${stderr.slice(-500)}`));
      resolve({ seconds, peakMb: Number(m[2]) / 1024, stdout, stderr });
    });
  });
}

/** A scan tuned for loopback (no rate limit, concurrency 128), or with the default flags a user gets. */
function clawpatrolScan(target: string, out: string, flags: "tuned" | "default" = "tuned"): Promise<Timed> {
  const tuned = ["--rate", "0", "--concurrency", "128", "--probe-concurrency", "128", "--timeout", "3000"];
  return timed(process.execPath, [
    BIN,
    "scan",
    target,
    "-p",
    "18789",
    "--json",
    "-o",
    out,
    ...(flags === "tuned" ? tuned : []),
    "--fail-on",
    "none",
    "--no-progress",
  ]);
}

function countGateways(file: string): number {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes('"product":"openclaw"') || l.includes('"product":"clawdbot"')).length;
}

const rows: string[] = [];
function row(name: string, t: Timed, found: string): void {
  const line = `${name.padEnd(62)} ${t.seconds.toFixed(3).padStart(8)} s ${t.peakMb.toFixed(0).padStart(6)} MB  ${found}`;
  rows.push(line);
  process.stdout.write(`${line}\n`);
}

process.stdout.write(
  `clawpatrol scan benchmark — ${new Date().toISOString()}, node ${process.version}, ${spawnSync("nproc").stdout.toString().trim()} cores\n\n`,
);

// --- 1. /20 with 200 replaying endpoints --------------------------------------------------
if (parts.has(1)) {
  const net20 = addressesIn([1, 0], 20, 200, 20);
  const servers = await startEndpoints(net20);
  process.stdout.write(
    `1. 127.1.0.0/20 (4,096 addresses), port 18789, ${servers.length} endpoints replaying ${gatewayFixtures.length} real zoo transcripts\n`,
  );
  const out1 = join(work, "scan20.ndjson");
  const nmapBare = () =>
    timed("/usr/bin/nmap", ["-sT", "-Pn", "-n", "-p", "18789", "--open", "-oG", "-", "127.1.0.0/20"]);
  const cpRuns: Timed[] = [];
  const defaultRuns: Timed[] = [];
  const bareRuns: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    cpRuns.push(await clawpatrolScan("127.1.0.0/20", out1));
    defaultRuns.push(await clawpatrolScan("127.1.0.0/20", out1, "default"));
    bareRuns.push(await nmapBare());
  }
  /** The run with the median wall time (its own peak RSS goes with it). */
  function median(list: Timed[]): Timed {
    return [...list].sort((a, b) => a.seconds - b.seconds)[Math.floor(list.length / 2)]!;
  }
  const allRuns = (list: Timed[]) => `runs: ${list.map((t) => t.seconds.toFixed(3)).join(" ")}`;
  const cp = median(cpRuns);
  row(
    `clawpatrol scan (sweep + full fingerprint), median of ${runs}`,
    cp,
    `${countGateways(out1)} gateways fingerprinted; ${allRuns(cpRuns)}`,
  );
  const cpDefault = median(defaultRuns);
  row(
    `clawpatrol scan with default flags (pacing, concurrency), median of ${runs}`,
    cpDefault,
    `${countGateways(out1)} gateways fingerprinted; ${allRuns(defaultRuns)}`,
  );
  const bare = median(bareRuns);
  row(
    `nmap -sT -Pn -n -p 18789 --open, median of ${runs}`,
    bare,
    `${(bare.stdout.match(/18789\/open/g) ?? []).length} open ports; ${allRuns(bareRuns)}`,
  );
  let sv: Timed | null = null;
  if (!skipSv) {
    sv = await timed("/usr/bin/nmap", [
      "-sT",
      "-sV",
      "--version-light",
      "-Pn",
      "-n",
      "-p",
      "18789",
      "--script",
      "http-title",
      "-oG",
      "-",
      "127.1.0.0/20",
    ]);
    row(
      "nmap -sT -sV --version-light -Pn -n --script http-title",
      sv,
      `${(sv.stdout.match(/18789\/open/g) ?? []).length} open ports`,
    );
  }
  process.stdout.write(
    `   ratio nmap -sV / clawpatrol: ${sv ? (sv.seconds / cp.seconds).toFixed(1) : "skipped"}x (target >= 50x); ` +
      `clawpatrol / nmap bare sweep: ${(cp.seconds / bare.seconds).toFixed(2)}x (target <= 4x); ` +
      `with default flags: ${(cpDefault.seconds / bare.seconds).toFixed(2)}x (target <= 4x)\n\n`,
  );
  await Promise.all(servers.map((s) => s.close()));
}

// --- 2. /16 with 1,000 live endpoints -----------------------------------------------------
if (parts.has(2)) {
  const net16 = addressesIn([2, 0], 16, 1000, 16);
  const servers = await startEndpoints(net16);
  process.stdout.write(`2. 127.2.0.0/16 (65,536 addresses), ${servers.length} live endpoints\n`);
  const out2 = join(work, "scan16.ndjson");
  const cp16 = await clawpatrolScan("127.2.0.0/16", out2);
  row(
    "clawpatrol scan 127.2.0.0/16",
    cp16,
    `${countGateways(out2)} gateways; ${(65536 / cp16.seconds).toFixed(0)} addresses/s`,
  );
  await Promise.all(servers.map((s) => s.close()));
  process.stdout.write("\n");
}

// --- 4. Mixed products against OpenClaw only, same run ---------------------------------
if (parts.has(4)) {
  const others = productFixtures();
  // Same host parts in two /20s of their own (part 1's 127.1.0.0/20 may be in use by another
  // run): 127.5.0.0/20 serves OpenClaw only, 127.6.0.0/20 the mix.
  const onlyAddrs = addressesIn([5, 0], 20, 200, 20);
  const mixedAddrs = onlyAddrs.map((a) => a.replace(/^127\.5\./, "127.6."));
  const mixedPick = (i: number) =>
    i % 2 === 0 ? gatewayFixtures[(i / 2) % gatewayFixtures.length]! : others[((i - 1) / 2) % others.length]!;
  const expected = new Map<string, { product: string | null; version: string | null }>();
  mixedAddrs.forEach((a, i) => {
    const { verdict } = fingerprintTranscript(mixedPick(i));
    expected.set(a, { product: verdict.product, version: verdict.version });
  });
  const servers = [...(await startEndpoints(onlyAddrs)), ...(await startEndpoints(mixedAddrs, mixedPick))];
  const products = new Set([...expected.values()].map((e) => e.product));
  process.stdout.write(
    `4. 200 endpoints of mixed products (${products.size} products: ${[...products].join(", ")}; ${gatewayFixtures.length} OpenClaw and ${others.length} other transcripts) vs 200 OpenClaw-only, /20 each, port 18789\n`,
  );
  const outOnly = join(work, "only.ndjson");
  const outMixed = join(work, "mixed.ndjson");
  const onlyRuns: Timed[] = [];
  const mixedRuns: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    onlyRuns.push(await clawpatrolScan("127.5.0.0/20", outOnly));
    mixedRuns.push(await clawpatrolScan("127.6.0.0/20", outMixed));
  }
  const median = (list: Timed[]) =>
    [...list].sort((a, b) => a.seconds - b.seconds)[Math.floor(list.length / 2)]!;
  // Every endpoint: the product and version its transcript says, nothing else, none missing.
  const seen = new Map<string, { product: string | null; version: string | null }>();
  for (const line of readFileSync(outMixed, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    const r = JSON.parse(line) as { host?: string; product?: string | null; version?: string | null };
    if (r.host && expected.has(r.host))
      seen.set(r.host, { product: r.product ?? null, version: r.version ?? null });
  }
  const wrong = [...expected].filter(([a, e]) => {
    const got = seen.get(a);
    return !got || got.product !== e.product || got.version !== e.version;
  });
  const all = (list: Timed[]) => `runs: ${list.map((t) => t.seconds.toFixed(3)).join(" ")}`;
  const only = median(onlyRuns);
  const mixed = median(mixedRuns);
  row(`clawpatrol scan, 200 OpenClaw endpoints, median of ${runs}`, only, all(onlyRuns));
  row(
    `clawpatrol scan, 200 mixed-product endpoints, median of ${runs}`,
    mixed,
    `${expected.size - wrong.length}/${expected.size} identified; ${all(mixedRuns)}`,
  );
  for (const [a, e] of wrong.slice(0, 10))
    process.stdout.write(
      `   MISSED ${a}: expected ${e.product} ${e.version}, got ${JSON.stringify(seen.get(a) ?? null)}\n`,
    );
  process.stdout.write(
    `   ratio mixed / OpenClaw-only: ${(mixed.seconds / only.seconds).toFixed(2)}x (target <= 1.2x); every product identified: ${wrong.length === 0 ? "yes" : `no (${wrong.length} wrong)`}\n\n`,
  );
  await Promise.all(servers.map((s) => s.close()));
}

// --- 3. Stream 127.0.0.0/8 -------------------------------------------------------------
if (parts.has(3)) {
  process.stdout.write(`3. 127.0.0.0/8 streamed with --allow-large for ${streamSeconds} s\n`);
  // The heap flags a large scan relaunches itself with (src/scan/relaunch.ts), given directly
  // so that the scanner runs in this pid (no relaunch) and /proc/<pid> is the scanner itself.
  const child = spawn(
    process.execPath,
    [
      ...SCAN_HEAP_FLAGS,
      BIN,
      "scan",
      "127.0.0.0/8",
      "--allow-large",
      "-p",
      "18789",
      "--json",
      "-o",
      join(work, "scan8.ndjson"),
      "--rate",
      "0",
      "--concurrency",
      "128",
      "--fail-on",
      "none",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr8 = "";
  child.stderr.on("data", (d) => {
    stderr8 += d;
  });
  const samples: string[] = [];
  const rssOf = (key: string) => {
    try {
      const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let peak = 0;
  const started = Date.now();
  const sampler = setInterval(() => {
    const rss = rssOf("VmRSS");
    peak = Math.max(peak, rssOf("VmHWM"));
    samples.push(`${Math.round((Date.now() - started) / 1000)}s:${rss.toFixed(0)}MB`);
  }, 10_000);
  await new Promise((r) => setTimeout(r, streamSeconds * 1000));
  peak = Math.max(peak, rssOf("VmHWM"));
  clearInterval(sampler);
  child.kill("SIGINT");
  await new Promise((r) => child.on("close", r));
  const swept = Number(/(\d+) endpoints swept/.exec(stderr8)?.[1] ?? 0);
  const elapsed = (Date.now() - started) / 1000;
  process.stdout.write(
    `   ${swept} endpoints swept in ${elapsed.toFixed(1)} s = ${(swept / elapsed).toFixed(0)} endpoints/s; ` +
      `peak RSS ${peak.toFixed(0)} MB (target < 200 MB); RSS over time ${samples.join(" ")}\n`,
  );
}
rmSync(work, { recursive: true, force: true });
