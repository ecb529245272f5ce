// Records the generated differential corpus (test/audit/support/corpus.ts): for each zoo build,
// the "single" cases and RANDOM random ones, judged by the build's own security audit
// (bench/audit/real-audit-batch.ts: the release's runSecurityAudit and config loader in one
// process, inside `unshare --net`), written compactly to test/fixtures/audit-corpus/<build>.json.
//   node bench/audit/record-corpus.ts [--random N] [--seed S] [build…]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildEntry, hardenedEnv, ZOO_NODE, zooAvailable } from "../../test/audit/support/cases.ts";
import {
  CORPUS_DIR,
  type CorpusCase,
  type CorpusFile,
  materializeCorpusCase,
  randomCases,
  singleCases,
} from "../../test/audit/support/corpus.ts";

const BUILDS = [
  "clawdbot-2026.1.24-3",
  "openclaw-2026.1.29",
  "openclaw-2026.3.13",
  "openclaw-2026.4.15",
  "openclaw-2026.5.28",
  "openclaw-2026.9.6",
];
const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const RANDOM = flag("--random", 60);
const SEED = flag("--seed", 16);
const builds = args.length ? args : BUILDS;
const why = zooAvailable();
if (why) {
  process.stderr.write(`record-corpus: ${why}\n`);
  process.exit(2);
}
const batchScript = join(dirname(fileURLToPath(import.meta.url)), "real-audit-batch.ts");

interface BatchLine {
  id: string;
  valid?: boolean;
  error?: string;
  ms?: number;
  findings?: { checkId: string; severity: string }[];
}

function runBatch(pkgDir: string, casesFile: string, outFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", ["--net", ZOO_NODE, batchScript, pkgDir, casesFile, outFile], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: `${dirname(ZOO_NODE)}:/usr/bin:/bin`, HOME: tmpdir(), LANG: "C.UTF-8" },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err = (err + d.toString("utf8")).slice(-4000);
    });
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`batch exit ${code}: ${err.slice(-800)}`)),
    );
  });
}

async function judge(build: string, root: string, cases: CorpusCase[]): Promise<Map<string, BatchLine>> {
  const dir = join(root, cases[0]!.kind);
  const batch = cases.map((c) => {
    const m = materializeCorpusCase(c, join(dir, c.id));
    return { id: c.id, configPath: m.configPath, stateDir: m.stateDir, env: hardenedEnv(m) };
  });
  writeFileSync(join(dir, "cases.json"), JSON.stringify(batch));
  const pkgDir = dirname(buildEntry(build)).replace(/\/dist$/, "");
  await runBatch(pkgDir, join(dir, "cases.json"), join(dir, "out.ndjson"));
  const lines = readFileSync(join(dir, "out.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as BatchLine);
  for (const e of lines.filter((l) => l.error).slice(0, 5))
    process.stderr.write(`${build} ${e.id}: ${e.error}\n`);
  if (process.env.CORPUS_VERBOSE)
    for (const l of lines.filter((x) => x.valid === false))
      process.stderr.write(
        `${build} ${l.id} invalid: ${JSON.stringify((l as { issues?: unknown }).issues)}\n`,
      );
  return new Map(lines.map((l) => [l.id, l]));
}

async function record(build: string): Promise<void> {
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), `cpcorpus-${build}-`));
  try {
    // pass 1: one setting at a time; the release's schema says which settings it has
    const singles = singleCases(build);
    const judged = await judge(build, root, singles);
    const ok = (id: string) => judged.get(id)?.valid === true;
    // pass 2: random combinations of the accepted values only
    const randoms = randomCases(build, RANDOM, SEED, (i, j) => ok(`single-${i}-${j}`));
    for (const [k, v] of await judge(build, root, randoms)) judged.set(k, v);
    const cases = [...singles, ...randoms];
    const kept = cases
      .filter((c) => ok(c.id))
      .map((c) => ({
        ...c,
        findings: judged.get(c.id)!.findings!.map((f) => ({ checkId: f.checkId, severity: f.severity })),
      }));
    const file: CorpusFile = {
      build,
      recordedAt: new Date().toISOString(),
      how: "the release's own runSecurityAudit + createConfigIO in one process (bench/audit/real-audit-batch.ts), unshare --net, zoo hardening env",
      invalid: cases.length - kept.length,
      cases: kept,
    };
    mkdirSync(CORPUS_DIR, { recursive: true });
    writeFileSync(join(CORPUS_DIR, `${build}.json`), `${JSON.stringify(file)}\n`);
    const ms = Math.round(performance.now() - t0);
    process.stdout.write(
      `${build}: ${kept.length} cases recorded (${file.invalid} rejected by its schema or failed) in ${ms} ms\n`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const PARALLEL = 2;
let next = 0;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    while (next < builds.length) {
      const b = builds[next++]!;
      try {
        await record(b);
      } catch (err) {
        process.stdout.write(`${b}: FAILED ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    }
  }),
);
