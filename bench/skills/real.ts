// bench:skills:real — the skill scanner and its peers on real skills written by other people
// (bench/skills/corpus-real/manifest.json: ClawHub archive uploads, other scanners' and a vendor's test
// skills). Prints, per scanner, per source and per class: how many malicious skills are flagged
// (suspicious or malicious) and called malicious, how many benign skills are called malicious or
// suspicious, and the "vulnerable" label apart. Then every miss and every false alarm with its reasons.
//
//   npm run bench:skills:real [-- --rounds 2] [--json out.json] [--only clawpatrol] [--list]
//
// Needs local git snapshots of the manifest's repositories (CLAWPATROL_BENCH_MIRRORS, default
// /work/.mirror/<owner>+<name>/repo) and, for the OpenClaw peer, the zoo installs
// (~/.cache/clawzoo/inst/*/node_modules/openclaw). Extracted skills are cached under
// ~/.cache/clawpatrol/bench/corpus-real (text files only); nothing is written into the repository.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { loadPath } from "../../src/skills/loaders/inputs.ts";
import { defaultIocs, type ScanStats, scanUnit } from "../../src/skills/scan.ts";
import type { SkillReport, SkillUnit, Verdict } from "../../src/skills/types.ts";
import { type Label, materialise, readManifest, type Sample } from "./corpus-real/materialise.ts";
import { loadOcScanner, materialize, ocVerdict } from "./openclaw-peer.ts";

const HOME = homedir();
const CACHE = join(
  process.env.CLAWPATROL_BENCH_CACHE ?? join(HOME, ".cache", "clawpatrol", "bench"),
  "corpus-real",
);
const MIRRORS = process.env.CLAWPATROL_BENCH_MIRRORS ?? "/work/.mirror";
const ZOO = process.env.CLAWZOO_INST ?? join(HOME, ".cache", "clawzoo", "inst");
const args = process.argv.slice(2);
const opt = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(opt("--rounds") ?? 2);

interface Item {
  sample: Sample;
  units: SkillUnit[];
  dir: string;
}

const RANK: Record<Verdict, number> = { clean: 0, suspicious: 1, malicious: 2 };
const worst = (vs: Verdict[]): Verdict => vs.reduce<Verdict>((a, v) => (RANK[v] > RANK[a] ? v : a), "clean");
const pct = (a: number, b: number) => (b === 0 ? "-" : `${((100 * a) / b).toFixed(1)}%`);
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

interface Cell {
  n: number;
  malicious: number;
  suspicious: number;
}
type Table = Map<string, Record<Label, Cell>>;
const emptyRow = (): Record<Label, Cell> => ({
  malicious: { n: 0, malicious: 0, suspicious: 0 },
  benign: { n: 0, malicious: 0, suspicious: 0 },
  vulnerable: { n: 0, malicious: 0, suspicious: 0 },
});

function tabulate(items: Item[], verdicts: Map<Item, Verdict>, key: (s: Sample) => string): Table {
  const t: Table = new Map();
  for (const it of items) {
    for (const k of [key(it.sample), "all"]) {
      const row = t.get(k) ?? emptyRow();
      t.set(k, row);
      const c = row[it.sample.label];
      const v = verdicts.get(it)!;
      c.n++;
      if (v === "malicious") c.malicious++;
      if (v === "suspicious") c.suspicious++;
    }
  }
  return t;
}

// Columns: flagged = malicious skills called suspicious or malicious; recall = malicious skills called
// malicious; FPR = benign skills called malicious; ben→sus = benign skills called suspicious;
// precision = of the skills called malicious, how many are; "vulnerable" skills are scored apart.
function printTable(out: string[], title: string, t: Table): void {
  out.push(
    `${pad(title, 26)} ${pad("mal n", 6)} ${pad("flagged", 8)} ${pad("recall", 10)} ${pad("ben n", 6)} ${pad("FPR", 8)} ${pad("ben→sus", 8)} ${pad("precision", 9)} ${pad("vuln n", 6)} vuln flagged`,
  );
  const keys = [...t.keys()].filter((k) => k !== "all").sort();
  for (const k of [...keys, "all"]) {
    const r = t.get(k)!;
    const m = r.malicious;
    const b = r.benign;
    const v = r.vulnerable;
    const precision = pct(m.malicious, m.malicious + b.malicious);
    out.push(
      `${pad(k, 26)} ${pad(String(m.n), 6)} ${pad(pct(m.malicious + m.suspicious, m.n), 8)} ${pad(pct(m.malicious, m.n), 10)} ${pad(String(b.n), 6)} ${pad(pct(b.malicious, b.n), 8)} ${pad(pct(b.suspicious, b.n), 8)} ${pad(m.n && b.n ? precision : "-", 9)} ${pad(String(v.n), 6)} ${pct(v.malicious + v.suspicious, v.n)}`,
    );
  }
}

function explain(rep: SkillReport): string {
  const ids = rep.decidedBy.length > 0 ? rep.decidedBy : [...new Set(rep.findings.map((f) => f.ruleId))];
  return ids
    .slice(0, 3)
    .map((id) => {
      const f = rep.findings.find((x) => x.ruleId === id);
      const e = f?.evidence[0];
      return `${id} ${e?.path ?? ""}${e?.line ? `:${e.line}` : ""}`.trim();
    })
    .join("; ");
}

async function main(): Promise<void> {
  const manifest = readManifest();
  const { dirs, missing, droppedBinaries } = materialise(manifest, CACHE, MIRRORS);
  const items: Item[] = [];
  for (const s of manifest.samples) {
    const dir = dirs.get(s.id);
    if (!dir) continue;
    items.push({ sample: s, dir, units: loadPath(dir, { cwd: dir }) });
  }
  const out: string[] = ["bench:skills:real"];
  const count = (l: Label) => items.filter((i) => i.sample.label === l).length;
  out.push(
    `corpus: ${items.length} real skills (${count("malicious")} malicious, ${count("benign")} benign, ${count("vulnerable")} vulnerable) from ${manifest.sources.length} sources; ${missing.length} not extractable (mirror absent); ${droppedBinaries} binary files dropped`,
  );
  for (const s of manifest.sources)
    out.push(`  ${pad(s.id, 22)} ${s.repo}@${s.commit.slice(0, 12)}  ${s.description}`);
  out.push("");

  // ── clawpatrol ──
  const iocs = defaultIocs();
  const ours = new Map<Item, Verdict>();
  const reports = new Map<Item, SkillReport[]>();
  let best = { cpu: Number.POSITIVE_INFINITY, bytes: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const stats: ScanStats = { files: 0, bytes: 0, textBytes: 0, parsedFiles: 0, parsedBytes: 0 };
    const c0 = process.cpuUsage();
    for (const it of items) {
      const reps = it.units.map((u) => scanUnit(u, { iocs }, stats));
      reports.set(it, reps);
      ours.set(it, worst(reps.map((x) => x.verdict)));
    }
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    if (cpu < best.cpu) best = { cpu, bytes: stats.bytes };
  }
  const scanners: { name: string; verdicts: Map<Item, Verdict>; mbps: number }[] = [
    { name: "clawpatrol", verdicts: ours, mbps: best.bytes / 1e6 / best.cpu },
  ];

  // ── OpenClaw's own scanner: oldest and newest zoo release that ship one ──
  if (opt("--only") !== "clawpatrol" && existsSync(ZOO)) {
    const insts = readdirSync(ZOO)
      .filter((d) => existsSync(join(ZOO, d, "node_modules", "openclaw", "package.json")))
      .sort();
    const found = [];
    for (const inst of insts) {
      const sc = await loadOcScanner(join(ZOO, inst, "node_modules", "openclaw"), inst).catch(() => null);
      if (sc) found.push(sc);
    }
    const chosen = found.length > 2 ? [found[0]!, found[found.length - 1]!] : found;
    const tmp = mkdtempSync(join(tmpdir(), "cp-bench-real-"));
    for (const sc of chosen) {
      const verdicts = new Map<Item, Verdict>();
      let cpu = 0;
      let bytes = 0;
      for (const it of items) {
        const vs: Verdict[] = [];
        for (const u of it.units) {
          const d = materialize(u, tmp);
          const c0 = process.cpuUsage();
          vs.push((await ocVerdict(sc, d)).verdict);
          const cu = process.cpuUsage(c0);
          cpu += (cu.user + cu.system) / 1e6;
          bytes += u.files.reduce((a, f) => a + f.bytes.length, 0);
        }
        verdicts.set(it, worst(vs));
      }
      scanners.push({
        name: `openclaw ${sc.version.replace(/^openclaw-/, "")}`,
        verdicts,
        mbps: bytes / 1e6 / cpu,
      });
    }
    rmSync(tmp, { recursive: true, force: true });
  }

  for (const sc of scanners) {
    out.push(`── ${sc.name} (${sc.mbps.toFixed(1)} MB/s/core over all files)`);
    printTable(
      out,
      "by source",
      tabulate(items, sc.verdicts, (s) => s.source),
    );
    out.push("");
    printTable(
      out,
      "by class",
      tabulate(
        items,
        sc.verdicts,
        (s) =>
          `${s.label.slice(0, 3)}:${s.class.replace(/^obfuscated-lure:.*/, "obfuscated-lure").replace(/^evasive-.*/, "evasive")}`,
      ),
    );
    out.push("");
  }
  out.push(
    "flagged = suspicious or malicious; called mal = malicious; ben→mal / ben→sus = benign skills called malicious / suspicious;",
  );
  out.push("precision = malicious verdicts on malicious skills / all malicious verdicts (within the row).");
  out.push("");

  const missed = items.filter((i) => i.sample.label === "malicious" && ours.get(i) !== "malicious");
  out.push(`clawpatrol: malicious skills not called malicious (${missed.length}):`);
  for (const it of missed)
    out.push(
      `  ${pad(ours.get(it)!, 10)} ${it.sample.id}  [${it.sample.class}] ${reports.get(it)!.map(explain).filter(Boolean).join(" | ")}`,
    );
  const alarms = items.filter((i) => i.sample.label === "benign" && ours.get(i) !== "clean");
  out.push(`clawpatrol: benign skills not called clean (${alarms.length}):`);
  for (const it of alarms)
    out.push(
      `  ${pad(ours.get(it)!, 10)} ${it.sample.id}  ${reports.get(it)!.map(explain).filter(Boolean).join(" | ")}`,
    );
  if (missing.length > 0)
    out.push(`not extractable: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`);
  process.stdout.write(`${out.join("\n")}\n`);
  const json = opt("--json");
  if (json)
    writeFileSync(
      json,
      JSON.stringify(
        scanners.map((s) => ({
          scanner: s.name,
          mbps: s.mbps,
          bySource: Object.fromEntries(tabulate(items, s.verdicts, (x) => x.source)),
          byClass: Object.fromEntries(tabulate(items, s.verdicts, (x) => x.class)),
        })),
        null,
        1,
      ),
    );
}

await main();
