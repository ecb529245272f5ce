// OpenClaw's own skill scanner (the module `security audit --deep` uses), loaded from an installed
// openclaw package and run on a skill folder the way the audit does. Shared by the skill benches.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { SkillUnit, Verdict } from "../../src/skills/types.ts";

export interface OcScanner {
  version: string;
  file: string;
  reads: string;
  scanDir: (
    dir: string,
  ) => Promise<{ critical: number; warn: number; findings: { ruleId: string; severity: string }[] }>;
  scanSkillContent?: (content: string, file: string) => { ruleId: string; severity: string }[];
  scanSource?: (content: string, file: string) => { ruleId: string; severity: string }[];
}

function exportsOf(file: string): Map<string, string> {
  const text = readFileSync(file, "utf8");
  const m = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(text.trimEnd());
  const out = new Map<string, string>();
  if (!m) return out;
  for (const part of m[1]!.split(",")) {
    const [orig, alias] = part.trim().split(/\s+as\s+/);
    if (orig) out.set(orig.trim(), (alias ?? orig).trim());
  }
  return out;
}

/** Find the module exporting scanDirectoryWithSummary in an installed dist (the one `security audit --deep` uses). */
export async function loadOcScanner(pkgRoot: string, version: string): Promise<OcScanner | null> {
  const dist = join(pkgRoot, "dist");
  if (!existsSync(dist)) return null;
  const candidates = readdirSync(dist)
    .filter((f) => /\.(?:m?js)$/.test(f) && /scanner|skill-scanner/.test(f))
    .map((f) => join(dist, f));
  let best: { file: string; ex: Map<string, string> } | null = null;
  for (const f of candidates) {
    const ex = exportsOf(f);
    if (!ex.has("scanDirectoryWithSummary")) continue;
    if (!best || ex.has("scanSkillContent") || statSync(f).size < statSync(best.file).size)
      best = { file: f, ex };
  }
  if (!best) return null;
  const mod = (await import(pathToFileURL(best.file).href)) as Record<string, unknown>;
  const pick = <T>(name: string) => mod[best.ex.get(name) ?? ""] as T | undefined;
  const scanDir = pick<OcScanner["scanDir"]>("scanDirectoryWithSummary");
  if (!scanDir) return null;
  const scanSkillContent = pick<OcScanner["scanSkillContent"]>("scanSkillContent");
  const scanSource = pick<OcScanner["scanSource"]>("scanSource");
  return {
    version,
    file: best.file,
    reads: scanSkillContent ? "JS/TS files + SKILL.md (security audit --deep)" : "JS/TS files only",
    scanDir,
    ...(scanSkillContent ? { scanSkillContent } : {}),
    ...(scanSource ? { scanSource } : {}),
  };
}

/** Write a unit's files to a fresh folder (archives as OpenClaw would see them after safe extraction). */
export function materialize(unit: SkillUnit, base: string): string {
  const dir = mkdtempSync(join(base, "u-"));
  for (const f of unit.files) {
    if (f.rel.includes("!/")) continue; // nested archive members: OpenClaw does not open them either
    const p = join(dir, f.rel);
    if (!resolve(p).startsWith(dir)) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes);
  }
  return dir;
}

export async function ocVerdict(sc: OcScanner, dir: string): Promise<{ verdict: Verdict; rules: string[] }> {
  const sum = await sc.scanDir(dir);
  let critical = sum.critical;
  let warn = sum.warn;
  const rules = sum.findings.map((f) => f.ruleId);
  const md = ["SKILL.md", "skill.md"].map((n) => join(dir, n)).find((p) => existsSync(p));
  if (md && sc.scanSkillContent) {
    const text = readFileSync(md, "utf8");
    const extra = [...sc.scanSkillContent(text, md), ...(sc.scanSource ? sc.scanSource(text, md) : [])];
    for (const f of extra) {
      if (f.severity === "critical") critical++;
      else if (f.severity === "warn") warn++;
      rules.push(f.ruleId);
    }
  }
  // `security audit --deep`: any critical → "dangerous code patterns" (critical); any warn → warn.
  return { verdict: critical > 0 ? "malicious" : warn > 0 ? "suspicious" : "clean", rules };
}
