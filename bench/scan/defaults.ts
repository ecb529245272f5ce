// Default-flag scan benchmark (not a test): `clawpatrol scan TARGET -p 18789` exactly as a user
// types it (no --rate, --concurrency or --timeout) against nmap's bare connect sweep of the same
// loopback targets, and where the default scan's time goes.
//   1. 127.1.0.0/20 (4,096 addresses), 200 endpoints replaying real zoo transcripts: clawpatrol
//      (sweep + full fingerprint) against `nmap -sT -Pn -n -p 18789 --open` (target: within 4x).
//   2. 127.2.0.0/16 (65,536 addresses), 1,000 such endpoints: the same two (target: clawpatrol
//      no slower than nmap's bare sweep).
//   3. Where the /20's time goes: the process alone (one closed address), the empty /20 with the
//      default pacing and with --rate 0, the /20 with gateways with --rate 0.
// Each measurement runs --runs times (default 5), alternating, and the medians are compared:
// one run on a shared 2-core machine varies by ±20% or more. The machine's load is printed.
// Usage: node bench/scan/defaults.ts [--runs 5] [--parts 1,2,3]
// Everything connects only to 127.0.0.0/8.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { type ReplayServer, startReplayServer } from "../../test/support/replay-server.ts";
import { REPO_ROOT } from "../../test/support/zoo.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(name) ? (args[args.indexOf(name) + 1] ?? fallback) : fallback;
const runs = Math.max(1, Number(opt("--runs", "5")) || 5);
const parts = new Set(opt("--parts", "1,2,3").split(",").map(Number));
const BIN = join(REPO_ROOT, "bin/clawpatrol.mjs");
const work = mkdtempSync(join(tmpdir(), "clawpatrol-defaults-"));
if (!existsSync("/usr/bin/nmap")) {
  process.stderr.write("bench: /usr/bin/nmap is missing (apt-get install nmap)\n");
  process.exit(2);
}

const fixtureDir = join(REPO_ROOT, "test/fixtures/zoo/local");
const fixtures = readdirSync(fixtureDir)
  .filter((f) => !f.startsWith("side-"))
  .sort()
  .map((f) => transcriptFromJson(readFileSync(join(fixtureDir, f), "utf8")));

/** `count` distinct addresses spread over 127.<second>.0.0/<bits> by a fixed xorshift walk. */
function addressesIn(second: number, bits: number, count: number, seed: number): string[] {
  const size = 2 ** (32 - bits);
  const picked = new Set<number>();
  let x = seed >>> 0 || 1;
  while (picked.size < count) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const n = x % size;
    if (n % 256 === 0 || n % 256 === 255) continue;
    picked.add(n);
  }
  return [...picked].map((n) => `127.${second}.${Math.floor(n / 256)}.${n % 256}`);
}

async function startEndpoints(addresses: string[]): Promise<ReplayServer[]> {
  const servers: ReplayServer[] = [];
  for (const [i, ip] of addresses.entries())
    servers.push(await startReplayServer(fixtures[i % fixtures.length]!, ip, 18789));
  return servers;
}

interface Timed {
  seconds: number;
  stdout: string;
}

function timed(cmd: string, cmdArgs: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0)
        return reject(new Error(`${cmd} ${cmdArgs.join(" ")}: exit ${code}: ${stderr.slice(-300)}`));
      resolve({ seconds: (performance.now() - started) / 1000, stdout });
    });
  });
}

const out = join(work, "scan.ndjson");
/** A clawpatrol scan with the default flags, plus `extra`. */
const scan = (target: string, extra: string[] = []) =>
  timed(process.execPath, [
    BIN,
    "scan",
    target,
    "-p",
    "18789",
    "--json",
    "-o",
    out,
    "--fail-on",
    "none",
    "--no-progress",
    ...extra,
  ]);
const nmap = (target: string) =>
  timed("/usr/bin/nmap", ["-sT", "-Pn", "-n", "-p", "18789", "--open", "-oG", "-", target]);
const gatewaysIn = () =>
  readFileSync(out, "utf8")
    .split("\n")
    .filter((l) => /"product":"(openclaw|clawdbot|moltbot)"/.test(l)).length;
const openIn = (t: Timed) => (t.stdout.match(/18789\/open/g) ?? []).length;
const load = () =>
  spawnSync("uptime")
    .stdout.toString()
    .trim()
    .replace(/^.*load average: /, "");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const list = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(" ");
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Runs each of `cases` `runs` times, alternating; their medians. */
async function alternate(cases: Record<string, () => Promise<Timed>>): Promise<Record<string, number>> {
  const seconds: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++)
    for (const [name, run] of Object.entries(cases)) seconds[name]!.push((await run()).seconds);
  const medians: Record<string, number> = {};
  for (const [name, xs] of Object.entries(seconds)) {
    medians[name] = median(xs);
    say(`   ${name.padEnd(58)} ${medians[name]!.toFixed(3).padStart(7)} s median (runs ${list(xs)})`);
  }
  return medians;
}

say(
  `clawpatrol default-flag scans vs nmap — ${new Date().toISOString()}, node ${process.version}, ${spawnSync("nproc").stdout.toString().trim()} cores; load ${load()}\n`,
);

if (parts.has(1) || parts.has(3)) {
  const servers = await startEndpoints(addressesIn(1, 20, 200, 20));
  if (parts.has(1)) {
    say("1. 127.1.0.0/20 (4,096 addresses), 200 endpoints replaying real zoo transcripts");
    const m = await alternate({
      "clawpatrol scan 127.1.0.0/20 -p 18789 (default flags)": () => scan("127.1.0.0/20"),
      "nmap -sT -Pn -n -p 18789 --open 127.1.0.0/20": () => nmap("127.1.0.0/20"),
    });
    const [cp, nm] = Object.values(m) as [number, number];
    say(
      `   ${gatewaysIn()} gateways fingerprinted, nmap: ${openIn(await nmap("127.1.0.0/20"))} open ports; clawpatrol / nmap: ${(cp / nm).toFixed(2)}x (target <= 4x); load ${load()}\n`,
    );
  }
  if (parts.has(3)) {
    say("3. where the default /20 scan's time goes");
    await alternate({
      "the process alone: one closed address (127.9.0.1)": () => scan("127.9.0.1"),
      "empty /20 (127.9.0.0/20), default pacing": () => scan("127.9.0.0/20"),
      "empty /20 (127.9.0.0/20), --rate 0": () => scan("127.9.0.0/20", ["--rate", "0"]),
      "127.1.0.0/20 with 200 gateways, default pacing": () => scan("127.1.0.0/20"),
      "127.1.0.0/20 with 200 gateways, --rate 0": () => scan("127.1.0.0/20", ["--rate", "0"]),
    });
    say(`   load ${load()}\n`);
  }
  await Promise.all(servers.map((s) => s.close()));
}

if (parts.has(2)) {
  const servers = await startEndpoints(addressesIn(2, 16, 1000, 16));
  say("2. 127.2.0.0/16 (65,536 addresses), 1,000 endpoints replaying real zoo transcripts");
  const m = await alternate({
    "clawpatrol scan 127.2.0.0/16 -p 18789 (default flags)": () => scan("127.2.0.0/16"),
    "nmap -sT -Pn -n -p 18789 --open 127.2.0.0/16": () => nmap("127.2.0.0/16"),
  });
  const [cp, nm] = Object.values(m) as [number, number];
  say(
    `   ${gatewaysIn()} gateways fingerprinted; clawpatrol / nmap: ${(cp / nm).toFixed(2)}x (target <= 1x); load ${load()}\n`,
  );
  await Promise.all(servers.map((s) => s.close()));
}
rmSync(work, { recursive: true, force: true });
