// Benchmark: clawpatrol's audit vs the real `openclaw security audit --json` on the same
// state dirs (copies of the zoo instances', or the handmade cases when the zoo is not
// running). Both run as fresh processes; we print medians and the speed ratio.
//   npm run bench:audit            (CLAWPATROL_BENCH_RUNS=5 CLAWPATROL_BENCH_OC_RUNS=2)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  listCases,
  type Materialized,
  materialize,
  readCase,
  runRealAudit,
  ZOO_HOME,
  zooAvailable,
} from "../../test/audit/support/cases.ts";
import { listCorpusFiles, materializeCorpusCase, readCorpusFile } from "../../test/audit/support/corpus.ts";

const RUNS = Number(process.env.CLAWPATROL_BENCH_RUNS ?? "5");
const OC_RUNS = Number(process.env.CLAWPATROL_BENCH_OC_RUNS ?? "2");
const BIN = join(import.meta.dirname, "../../bin/clawpatrol.mjs");

const why = zooAvailable();
if (why) {
  process.stderr.write(`bench:audit needs the zoo builds: ${why}\n`);
  process.exit(2);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeCli(args: string[], bin = BIN): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`clawpatrol failed: ${r.stderr}`);
  return ms;
}

interface Subject {
  name: string;
  build: string;
  m: Materialized;
}

const roots: string[] = [];
const subjects: Subject[] = [];
const runDir = join(ZOO_HOME, "run");
const wanted = [
  "oc96-lan-token",
  "oc528-custom-password",
  "oc313-lan-token",
  "oc129-lan-token",
  "cb124-lan-token",
];
const builds: Record<string, string> = {
  oc96: "openclaw-2026.9.6",
  oc528: "openclaw-2026.5.28",
  oc313: "openclaw-2026.3.13",
  oc129: "openclaw-2026.1.29",
  cb124: "clawdbot-2026.1.24-3",
};
for (const name of wanted) {
  const dir = join(runDir, name);
  const root = mkdtempSync(join(tmpdir(), `cpbench-${name}-`));
  roots.push(root);
  const build = builds[name.split("-")[0]!]!;
  if (existsSync(join(dir, "openclaw.json"))) {
    cpSync(join(dir, "state"), join(root, "state"), {
      recursive: true,
      filter: (s) => !/\/(cache|tmp)(\/|$)/.test(s.slice(dir.length)),
    });
    if (existsSync(join(dir, "gateway-file.log")))
      cpSync(join(dir, "gateway-file.log"), join(root, "gateway-file.log"));
    writeFileSync(
      join(root, "openclaw.json"),
      readFileSync(join(dir, "openclaw.json"), "utf8").replaceAll(
        join(dir, "gateway-file.log"),
        join(root, "gateway-file.log"),
      ),
    );
    subjects.push({
      name: `zoo ${name}`,
      build,
      m: { root, stateDir: join(root, "state"), configPath: join(root, "openclaw.json") },
    });
  } else {
    const c = `zoo-${name}`;
    if (listCases().includes(c))
      subjects.push({ name: `fixture ${c}`, build: readCase(c).build, m: materialize(c, root) });
  }
}

// releases with no zoo instance (2026.4.15): the hardened base case of the generated corpus
for (const file of listCorpusFiles().map(readCorpusFile)) {
  if (subjects.some((s) => s.build === file.build)) continue;
  const base = file.cases.find((c) => c.id === "single-base");
  if (!base) continue;
  const root = mkdtempSync(join(tmpdir(), `cpbench-${file.build}-`));
  roots.push(root);
  subjects.push({
    name: `corpus ${file.build} base`,
    build: file.build,
    m: materializeCorpusCase(base, root),
  });
}

const rows: { name: string; build: string; ours: number; theirs: number }[] = [];
try {
  for (const s of subjects) {
    const args = ["audit", "--state-dir", s.m.stateDir, "--config", s.m.configPath, "--json", "--no-live"];
    timeCli(args); // warm the file cache
    const ours = median(Array.from({ length: RUNS }, () => timeCli(args)));
    const theirsRuns: number[] = [];
    for (let i = 0; i < OC_RUNS; i++) theirsRuns.push((await runRealAudit(s.build, s.m)).durationMs);
    const theirs = median(theirsRuns);
    rows.push({ name: s.name, build: s.build, ours, theirs });
    process.stdout.write(
      `${s.name.padEnd(30)} ${s.build.padEnd(22)} clawpatrol ${ours.toFixed(0).padStart(6)} ms   openclaw ${theirs.toFixed(0).padStart(7)} ms   ${(theirs / ours).toFixed(1)}x faster\n`,
    );
  }
  const bare = median(Array.from({ length: RUNS }, () => timeCli([], BIN)));
  const sumOurs = rows.reduce((a, r) => a + r.ours, 0);
  const sumTheirs = rows.reduce((a, r) => a + r.theirs, 0);
  process.stdout.write(
    `\ntotal: clawpatrol ${sumOurs.toFixed(0)} ms vs openclaw ${sumTheirs.toFixed(0)} ms → ${(sumTheirs / sumOurs).toFixed(1)}x faster (target ≥ 10x)\n`,
  );
  process.stdout.write(
    `bare \`clawpatrol\` on this host (every install, live sockets, logs): median ${bare.toFixed(0)} ms over ${RUNS} runs\n`,
  );
  if (sumTheirs / sumOurs < 10) process.exitCode = 1;
} finally {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  void readdirSync;
}
