// Runs inside a fresh network namespace (`unshare -n`) for test/package/sea.test.ts: brings up
// loopback, the namespace's only interface, replays a recorded gateway on it, and runs the
// single executable there with a PATH that holds no `node`. Prints one JSON object of results.
// Usage: node sea-netns-driver.ts <executable> <transcript.json> <audit state dir> <cache dir>
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { startReplayServer } from "../support/replay-server.ts";

const [exe, transcriptFile, stateDir, cacheDir] = process.argv.slice(2) as [string, string, string, string];
const up = spawnSync("ip", ["link", "set", "lo", "up"], { encoding: "utf8" });
if (up.status !== 0) throw new Error(`ip link set lo up: ${up.stderr}`);
const links = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" })
  .stdout.trim()
  .split("\n")
  .map((l) => l.split(":")[1]?.trim() ?? "");

const replay = await startReplayServer(transcriptFromJson(readFileSync(transcriptFile, "utf8")));
// An empty folder as PATH: nothing, `node` least of all, can be found through it.
const emptyPath = mkdtempSync(join(tmpdir(), "clawpatrol-nopath-"));
const env = { PATH: emptyPath, HOME: cacheDir, XDG_CACHE_HOME: cacheDir, LANG: "C.UTF-8" };

/** The executable, run asynchronously: the replay server answers on this same thread. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(exe, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("error", (err: Error) => resolve({ code: null, stdout, stderr: err.message, ms: 0 }));
    child.on("close", (code: number | null) =>
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }),
    );
  });
}

const firstVersion = await run(["--version"]);
const version = await run(["--version"]);
const audit = await run(["audit", "--no-live", "--state-dir", stateDir, "--json"]);
// --store: PGlite (WebAssembly and its data files) under HOME/.clawpatrol/db.
const scan = await run([
  "scan",
  "127.0.0.1",
  "-p",
  String(replay.port),
  "--json",
  "--no-progress",
  "--store",
]);
const inventory = await run(["inventory", "--json"]);
await replay.close();
process.stdout.write(
  `${JSON.stringify({ links, port: replay.port, firstVersion, version, audit, scan, inventory })}\n`,
);
process.exit(0);
