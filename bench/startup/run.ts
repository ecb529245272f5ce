// Benchmark: start-up of the CLI as each kind of user runs it. Packs this checkout, installs
// the tarball into a temporary prefix (`npm i -g --prefix`), and times, hyperfine style, the
// median wall time of RUNS runs (after 2 warm-up runs, which fill Node's compile cache) of
// `clawpatrol --version` and `clawpatrol scan 127.0.0.1 -p 1` (one refused loopback port) from:
//   - the installed package (dist/ JavaScript),
//   - the clone (bin/clawpatrol.mjs → src/ TypeScript, type-stripped),
//   - the single executable dist-sea/clawpatrol, when `npm run build:sea` has built it.
//   npm run bench:startup                    (CLAWPATROL_BENCH_RUNS=21)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUNS = Number(process.env.CLAWPATROL_BENCH_RUNS ?? "21");
const WARMUP = 2;
const work = mkdtempSync(join(tmpdir(), "clawpatrol-bench-startup-"));
const env = { ...process.env, XDG_CACHE_HOME: join(work, "cache") };

function must(command: string, args: string[], cwd = ROOT): void {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
}

/**
 * Median wall times in ms of RUNS runs of each command line. The lines take turns run by run,
 * so that load from anything else on the machine falls on all of them alike.
 */
function medians(argvs: string[][]): number[] {
  const times: number[][] = argvs.map(() => []);
  for (let i = 0; i < WARMUP + RUNS; i++) {
    for (const [k, argv] of argvs.entries()) {
      const started = performance.now();
      const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: "ignore" });
      const ms = performance.now() - started;
      if (r.status === null || r.status > 1)
        throw new Error(`${argv.join(" ")}: exit ${r.status ?? r.signal}`);
      if (i >= WARMUP) times[k]!.push(ms);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

try {
  must("npm", ["pack", "--pack-destination", work, "--no-update-notifier"]);
  const tgz = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
  const prefix = join(work, "prefix");
  must(
    "npm",
    ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--no-update-notifier", tgz],
    work,
  );

  const layouts: [string, string[]][] = [
    [
      "installed package (dist/)",
      [process.execPath, join(prefix, "lib/node_modules/clawpatrol/bin/clawpatrol.mjs")],
    ],
    ["clone (src/, type stripping)", [process.execPath, join(ROOT, "bin", "clawpatrol.mjs")]],
  ];
  const sea = join(ROOT, "dist-sea", "clawpatrol");
  if (existsSync(sea)) layouts.push(["single executable", [sea]]);

  const commands: [string, string[]][] = [
    ["--version", ["--version"]],
    ["scan 127.0.0.1 -p 1", ["scan", "127.0.0.1", "-p", "1", "--no-progress"]],
  ];
  process.stdout.write(
    `start-up, median of ${RUNS} runs after ${WARMUP} warm-up runs, Node ${process.versions.node}\n`,
  );
  for (const [label, args] of commands) {
    const ms = medians(layouts.map(([, argv]) => [...argv, ...args]));
    for (const [k, [name]] of layouts.entries())
      process.stdout.write(
        `  ${label.padEnd(22)} ${name.padEnd(30)} ${ms[k]!.toFixed(1).padStart(7)} ms  (${(ms[k]! / ms[0]!).toFixed(2)}x installed)\n`,
      );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
