// The skill scanner's pipeline: inputs → units → files → analyzers → chains →
// suppressions → verdict → SkillReport. Pure data in, pure data out; the CLI picks a sink.

import { compareText } from "../util/text.ts";
import { analyzeOpaque, type FileKind, sniff } from "./analyzers/binary.ts";
import { analyzeCode, finishCode } from "./analyzers/code/index.ts";
import {
  analyzePackageJson,
  analyzeSkillMd,
  checkDeclarations,
  checkNames,
  type SkillMeta,
} from "./analyzers/metadata.ts";
import { analyzeText } from "./analyzers/text.ts";
import { codeLangOf } from "./ast.ts";
import { FileContext, SkillContext, sha256Hex } from "./context.ts";
import { buildIocIndex, builtinIocs, type IocEntry, type IocIndex } from "./indicators.ts";
import { quietInertTestFiles } from "./inert.ts";
import { DEFAULT_LIMITS, type Limits } from "./loaders/archive.ts";
import { expandNested, type LoadOptions, loadPath, unitSlug } from "./loaders/inputs.ts";
import { quietQuotedMentions } from "./quoted.ts";
import { applySuppressions, type Suppression } from "./suppressions.ts";
import type { SkillFile, SkillReport, SkillUnit } from "./types.ts";
import { addChains, decideVerdict } from "./verdict.ts";

export interface ScanOptions {
  iocs?: IocIndex;
  extraIocs?: IocEntry[];
  limits?: Limits;
  suppressions?: Suppression[];
  includeNodeModules?: boolean;
  cwd?: string;
  today?: Date;
}

export interface ScanStats {
  files: number;
  bytes: number;
  textBytes: number;
  parsedFiles: number;
  parsedBytes: number;
  /** Milliseconds in the text analyzer (normalise, rules, decoding) and in syntax-tree analysis. */
  textMs?: number;
  codeMs?: number;
}

const PROSE_EXT =
  /\.(?:md|markdown|mdx|txt|rst|adoc|html?|ya?ml|json|json5|toml|ini|cfg|conf|xml|csv|lobster|plist|env)$/i;
const ARCHIVE_KINDS = new Set<FileKind>(["zip", "gzip", "tar"]);
const utf8 = new TextDecoder("utf-8", { fatal: false });

export function defaultIocs(extra: IocEntry[] = []): IocIndex {
  return buildIocIndex([...builtinIocs(), ...extra]);
}

function isProse(rel: string): boolean {
  const base = rel.split("/").pop() ?? rel;
  return PROSE_EXT.test(base) || !base.includes(".") || /^(?:readme|license|changelog|notice)/i.test(base);
}

/** Scan one unit. */
export function scanUnit(unit: SkillUnit, opts: ScanOptions = {}, stats?: ScanStats): SkillReport {
  const iocs = opts.iocs ?? defaultIocs(opts.extraIocs);
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const ctx = new SkillContext(unit.path, iocs);
  const { nested } = expandNested(unit, limits, (f) => ARCHIVE_KINDS.has(sniff(f.bytes, f.rel)));
  for (const is of unit.issues)
    ctx.add(is.ruleId, { display: is.display }, is.match, {
      detail: is.detail,
      ...(is.severity ? { severity: is.severity } : {}),
      ...(is.confidence ? { confidence: is.confidence } : {}),
    });
  const nestedParents = new Set(nested.map((f) => f.display.slice(0, f.display.lastIndexOf("!/"))));
  for (const p of nestedParents)
    ctx.add("CP-SKILL-ARCH-006", { display: p }, p, {
      detail: "archive inside the skill was opened and scanned",
    });

  let meta: SkillMeta | null = null;
  let publisher: string | null = null;
  let skillMdDisplay = unit.path;
  const fileHashes: string[] = [];
  let bytes = 0;
  const ordered = [...unit.files].sort((a, b) => compareText(a.rel, b.rel));
  for (const file of ordered) {
    bytes += file.bytes.length;
    const sha = sha256Hex(file.bytes);
    fileHashes.push(`${file.rel}\0${sha}`);
    if (stats) {
      stats.files++;
      stats.bytes += file.bytes.length;
    }
    const iocHash = iocs.hashes.get(sha);
    if (iocHash)
      ctx.add("CP-SKILL-IOC-002", { display: file.display }, sha, {
        detail: `sha256 ${sha}: ${iocHash.source}`,
      });
    const kind = sniff(file.bytes, file.rel);
    if (ARCHIVE_KINDS.has(kind)) {
      if (file.archiveDepth >= limits.maxArchiveDepth)
        ctx.add("CP-SKILL-ARCH-005", { display: file.display }, sha, {
          detail: `not analysed: archive nested deeper than ${limits.maxArchiveDepth} levels was not opened`,
        });
      continue;
    }
    if (kind !== "text") {
      analyzeOpaque(ctx, file, kind, sha);
      continue;
    }
    if (file.bytes.length > limits.maxFileBytes) {
      ctx.add("CP-SKILL-BIN-004", { display: file.display }, sha, {
        detail: `not analysed: ${file.bytes.length} bytes is over --max-file-bytes ${limits.maxFileBytes} (sha256 ${sha})`,
      });
      continue;
    }
    const text = utf8.decode(file.bytes);
    if (stats) stats.textBytes += file.bytes.length;
    const fc = new FileContext(ctx, file, text);
    const t0 = stats ? performance.now() : 0;
    analyzeText(fc, { prose: isProse(file.rel) });
    const t1 = stats ? performance.now() : 0;
    const lang = codeLangOf(file.rel, text.slice(0, 200));
    const parsed = lang ? analyzeCode(fc, lang) : false;
    if (stats) {
      stats.textMs = (stats.textMs ?? 0) + (t1 - t0);
      stats.codeMs = (stats.codeMs ?? 0) + (performance.now() - t1);
      if (parsed) {
        stats.parsedFiles++;
        stats.parsedBytes += file.bytes.length;
      }
    }
    const lower = file.rel.toLowerCase();
    if (
      !meta &&
      (lower === "skill.md" ||
        lower === "skills.md" ||
        (unit.kind === "skill" && /(?:^|\/)skills?\.md$/.test(lower) && !lower.includes("/")))
    ) {
      meta = analyzeSkillMd(fc);
      skillMdDisplay = file.display;
    } else if (lower === "package.json") analyzePackageJson(fc);
    else if (
      lower === "_meta.json" ||
      lower === ".clawhub/origin.json" ||
      lower === ".clawdhub/origin.json"
    ) {
      try {
        const j = JSON.parse(text) as Record<string, unknown>;
        const owner = j.owner ?? j.ownerHandle ?? j.publisher ?? j.author;
        if (typeof owner === "string") publisher = owner;
      } catch {
        // not JSON: the text rules already ran over it
      }
    }
  }
  if (unit.kind === "skill" && !meta && unit.files.length === 1) {
    // single SKILL.md given directly
    const f = unit.files[0]!;
    meta = analyzeSkillMd(new FileContext(ctx, f, utf8.decode(f.bytes)));
    skillMdDisplay = f.display;
  }
  if (unit.kind !== "files") checkNames(ctx, meta, unitSlug(unit), publisher, skillMdDisplay);
  checkDeclarations(ctx, meta);
  finishCode(ctx);
  quietQuotedMentions(ctx.findings, unit.files);
  quietInertTestFiles(ctx, unit);
  addChains(ctx);
  if (opts.suppressions && opts.suppressions.length > 0)
    applySuppressions(ctx.findings, opts.suppressions, opts.today);
  const { verdict, decidedBy } = decideVerdict(ctx.findings);
  fileHashes.sort();
  return {
    path: unit.path,
    kind: unit.kind,
    ...(unit.source ? { source: unit.source } : {}),
    ...(meta?.name ? { name: meta.name } : {}),
    verdict,
    decidedBy,
    files: unit.files.length,
    bytes,
    sha256: sha256Hex(fileHashes.join("\n")),
    findings: ctx.findings.sort(
      (a, b) =>
        compareText(a.evidence[0]?.path ?? "", b.evidence[0]?.path ?? "") ||
        (a.evidence[0]?.line ?? 0) - (b.evidence[0]?.line ?? 0) ||
        compareText(a.ruleId, b.ruleId),
    ),
  };
}

/** Load and scan user-named paths. */
export function scanPaths(paths: string[], opts: ScanOptions = {}, stats?: ScanStats): SkillReport[] {
  const load: LoadOptions = {
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.includeNodeModules ? { includeNodeModules: true } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  };
  const iocs = opts.iocs ?? defaultIocs(opts.extraIocs);
  const out: SkillReport[] = [];
  for (const p of paths)
    for (const unit of loadPath(p, load)) out.push(scanUnit(unit, { ...opts, iocs }, stats));
  return out;
}

/** Scan a unit built in memory (tests, other modules). */
export function scanFiles(
  path: string,
  files: { rel: string; text: string | Uint8Array }[],
  opts: ScanOptions = {},
): SkillReport {
  const enc = new TextEncoder();
  const sf: SkillFile[] = files.map((f) => ({
    rel: f.rel,
    display: `${path}/${f.rel}`,
    bytes: typeof f.text === "string" ? enc.encode(f.text) : f.text,
    archiveDepth: 0,
  }));
  const kind = files.some((f) => /(?:^|\/)skill\.md$/i.test(f.rel))
    ? "skill"
    : files.some((f) => f.rel === "package.json")
      ? "plugin"
      : "files";
  return scanUnit({ path, kind, files: sf, issues: [] }, opts);
}
