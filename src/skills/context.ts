// Per-file and per-skill state shared by the analyzers: where findings go, how offsets
// become file:line:column, and the facts (env vars read, programs run, hosts contacted)
// that skill-level checks compare with the declared metadata.
import { isAscii } from "node:buffer";
import { hash } from "node:crypto";
import type { Severity } from "../findings/model.ts";
import { capText, escapeOneLine } from "../util/text.ts";
import type { FileFlow } from "./flow/taint.ts";
import type { IocIndex } from "./indicators.ts";
import { LineIndex } from "./normalise.ts";
import { rule } from "./rules.ts";
import type { Confidence, SkillFile, SkillFinding } from "./types.ts";

export const MAX_EXCERPT = 240;
export const MAX_FINDINGS_PER_RULE_PER_FILE = 20;

export function sha256Hex(data: string | Uint8Array): string {
  // One-shot hashing: no Hash object per call (this runs for every file and finding).
  return hash("sha256", data, "hex");
}

export interface EmitOptions {
  severity?: Severity;
  confidence?: Confidence;
  /** Extra explanation of this particular hit. */
  detail?: string;
  /** Replace the excerpt (e.g. to redact a secret); the hash still covers the real match. */
  excerpt?: string;
  /** A line number to use when there is no offset (e.g. metadata). */
  line?: number;
  column?: number;
}

/** Location of a decoded layer inside its file: every hit in the layer points at the encoded blob. */
export interface LayerInfo {
  depth: number;
  /** Offset (in the original file text) of the outermost encoded blob. */
  fileOffset: number;
  /** e.g. "base64 → hex" */
  chain: string;
}

export interface SkillFacts {
  /** Env var name → first place it is read in code. */
  envReads: Map<string, { file: string; line: number }>;
  /** Program name → first place it is run from code. */
  binsRun: Map<string, { file: string; line: number }>;
}

export class SkillContext {
  readonly unitPath: string;
  readonly iocs: IocIndex;
  readonly findings: SkillFinding[] = [];
  readonly facts: SkillFacts = { envReads: new Map(), binsRun: new Map() };
  /** Data-flow records of each code file, joined across the skill once all files are read. */
  readonly flows: FileFlow[] = [];
  private readonly seen = new Set<string>();
  private readonly perRule = new Map<string, number>();

  constructor(unitPath: string, iocs: IocIndex) {
    this.unitPath = unitPath;
    this.iocs = iocs;
  }

  /** Add a finding at an explicit location (metadata, loader issues, binaries). */
  add(
    ruleId: string,
    where: { display: string; line?: number; column?: number },
    match: string,
    opts: EmitOptions = {},
  ): SkillFinding | null {
    const meta = rule(ruleId);
    const line = opts.line ?? where.line;
    const column = opts.column ?? where.column;
    const key = `${ruleId}\0${where.display}\0${line ?? 0}`;
    if (this.seen.has(key)) return null;
    const countKey = `${ruleId}\0${where.display}`;
    const count = this.perRule.get(countKey) ?? 0;
    if (count >= MAX_FINDINGS_PER_RULE_PER_FILE) return null;
    this.perRule.set(countKey, count + 1);
    this.seen.add(key);
    const capped = capText(opts.excerpt ?? match, MAX_EXCERPT);
    const finding: SkillFinding = {
      ruleId,
      severity: opts.severity ?? meta.severity,
      confidence: opts.confidence ?? meta.confidence,
      category: meta.category,
      title: meta.title,
      why: meta.why,
      asset: this.unitPath,
      evidence: [
        {
          source: "file",
          detail: opts.detail ?? meta.title,
          excerpt: escapeOneLine(capped.text),
          truncated: capped.truncated,
          location: line ? `${where.display}:${line}${column ? `:${column}` : ""}` : where.display,
          path: where.display,
          ...(line ? { line } : {}),
          ...(line && column ? { column } : {}),
        },
      ],
      remediation: meta.remediation,
      references: meta.references,
      sha256: sha256Hex(match),
    };
    this.findings.push(finding);
    return finding;
  }
}

/** One text file being analysed: maps offsets in its original text to line:column. */
export class FileContext {
  readonly skill: SkillContext;
  readonly file: SkillFile;
  /** The file's bytes decoded as UTF-8. */
  readonly text: string;
  readonly lines: LineIndex;
  private asciiBytes: boolean | undefined;

  constructor(skill: SkillContext, file: SkillFile, text: string) {
    this.skill = skill;
    this.file = file;
    this.text = text;
    this.lines = new LineIndex(text);
  }

  /** True when the text is pure ASCII (checked on the bytes, which is much faster than on text). */
  get ascii(): boolean {
    // Equal lengths: the text is the bytes decoded (ASCII decodes one character per byte).
    this.asciiBytes ??= this.file.bytes.length === this.text.length && isAscii(this.file.bytes);
    return this.asciiBytes;
  }

  /** Emit a finding for a match at `offset` of the original file text. */
  emitAt(ruleId: string, offset: number, match: string, opts: EmitOptions = {}): SkillFinding | null {
    const pos = this.lines.position(Math.max(0, Math.min(offset, this.text.length)));
    return this.skill.add(
      ruleId,
      { display: this.file.display, line: pos.line, column: pos.column },
      match,
      opts,
    );
  }

  lineOf(offset: number): number {
    return this.lines.position(offset).line;
  }
}
