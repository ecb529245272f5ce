// Conformance report over the recorded corpus (test/fixtures/audit/*/openclaw-audit.json):
// per release, the check ids in its catalogue, how many clawpatrol's rules cover, and on the
// corpus (the handmade cases and the generated one) how many reported check ids clawpatrol matched, at a severity no lower, with how
// many extra findings. Replays recordings only (seconds); `npm run record:audit` refreshes.
//   node bench/audit/conformance.ts [--verbose]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coverageOf, loadReleaseCatalogues } from "../../src/audit/check-catalogue.ts";
import { auditCase, listCases, readCase, readRecorded } from "../../test/audit/support/cases.ts";
import { compareCase } from "../../test/audit/support/conformance.ts";
import { listCorpusFiles, readCorpusFile } from "../../test/audit/support/corpus.ts";
import { extraAllowedFor, replayCorpus } from "../../test/audit/support/corpus-compare.ts";

const verbose = process.argv.includes("--verbose");
interface Tally {
  cases: number;
  reported: Set<string>;
  matched: Set<string>;
  missed: Map<string, string[]>;
  lower: Map<string, string[]>;
  extra: Map<string, string[]>;
}
const per = new Map<string, Tally>();
const root = mkdtempSync(join(tmpdir(), "cp-conf-"));
try {
  for (const name of listCases()) {
    const rec = readRecorded(name);
    if (!rec) continue;
    const build = readCase(name).build;
    const dir = join(root, name);
    const { report } = await auditCase(name, dir);
    // extras OpenClaw cannot see or runs only with --deep are explained (docs/audit.md)
    const cmp = compareCase(rec.report.findings, report.findings, { extraAllowed: extraAllowedFor(build) });
    const t =
      per.get(build) ??
      ({
        cases: 0,
        reported: new Set(),
        matched: new Set(),
        missed: new Map(),
        lower: new Map(),
        extra: new Map(),
      } as Tally);
    per.set(build, t);
    t.cases++;
    const add = (m: Map<string, string[]>, ids: string[]) => {
      for (const id of ids) m.set(id, [...(m.get(id) ?? []), name]);
    };
    for (const id of cmp.reported) t.reported.add(id);
    for (const id of cmp.matched) t.matched.add(id);
    add(t.missed, cmp.missed);
    add(t.lower, cmp.lower);
    add(t.extra, cmp.extra);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
// the generated corpus (test/fixtures/audit-corpus/, npm run record:corpus)
for (const name of listCorpusFiles()) {
  const c = await replayCorpus(readCorpusFile(name));
  const t =
    per.get(c.build) ??
    ({
      cases: 0,
      reported: new Set(),
      matched: new Set(),
      missed: new Map(),
      lower: new Map(),
      extra: new Map(),
    } as Tally);
  per.set(c.build, t);
  t.cases += c.cases;
  for (const id of c.reported) t.reported.add(id);
  for (const id of c.matched) t.matched.add(id);
  for (const [from, into] of [
    [c.missed, t.missed],
    [c.lower, t.lower],
    [c.extra, t.extra],
  ] as const)
    for (const [id, cases] of from) into.set(id, [...(into.get(id) ?? []), ...cases]);
}

const cats = new Map(loadReleaseCatalogues().map((c) => [`${c.package}-${c.version}`, c]));
process.stdout.write(
  "release                 catalogue covered | cases reported matched missed lower extra\n",
);
let bad = 0;
for (const [build, t] of [...per].sort()) {
  const cat = cats.get(build);
  const cov = cat ? coverageOf(cat) : null;
  process.stdout.write(
    `${build.padEnd(23)} ${String(cov?.checkIds ?? "?").padStart(9)} ${String(cov?.covered.length ?? "?").padStart(7)} | ${String(t.cases).padStart(5)} ${String(t.reported.size).padStart(8)} ${String(t.matched.size).padStart(7)} ${String(t.missed.size).padStart(6)} ${String(t.lower.size).padStart(5)} ${String(t.extra.size).padStart(5)}\n`,
  );
  bad += t.missed.size + t.lower.size + t.extra.size;
  if (verbose)
    for (const [label, m] of [
      ["missed", t.missed],
      ["lower", t.lower],
      ["extra", t.extra],
    ] as const)
      for (const [id, cases] of m)
        process.stdout.write(`    ${label} ${id}: ${cases.length} cases (${cases.slice(0, 4).join(", ")})\n`);
}
process.exitCode = bad === 0 ? 0 : 1;
