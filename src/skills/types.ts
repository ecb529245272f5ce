// Plain data shared by the skill scanner's loaders, analyzers, verdicts and reporters.
import type { Finding, Severity } from "../findings/model.ts";

export type Confidence = "low" | "medium" | "high";
export const CONFIDENCES: readonly Confidence[] = ["low", "medium", "high"];

export type Verdict = "malicious" | "suspicious" | "clean";

/** Broad family of a rule; used for chains (e.g. credential access + exfil destination). */
export type RuleCategory =
  | "exec"
  | "lure"
  | "exfil"
  | "credential"
  | "persistence"
  | "evasion"
  | "obfuscation"
  | "unicode"
  | "binary"
  | "archive"
  | "metadata"
  | "package"
  | "agent"
  | "code"
  | "ioc"
  | "chain";

/** A finding about one skill or plugin. Extends the shared Finding; never changes it. */
export interface SkillFinding extends Finding {
  confidence: Confidence;
  category: RuleCategory;
  /** Why the pattern matters (one or two sentences). */
  why: string;
  /** sha256 (hex) of the exact matched content; suppressions pin to it. */
  sha256: string;
  /** Set when a suppression in .clawpatrol-ignore.yml matched; suppressed findings never decide a verdict. */
  suppressed?: { reason: string; expires: string; file: string; owner?: string | null };
}

/** One file of a skill, already in memory (from disk or from an archive). */
export interface SkillFile {
  /** Path relative to the skill root, with forward slashes. */
  rel: string;
  /** Path shown to the user: relative to the working directory, or `archive.zip!/inner/path`. */
  display: string;
  bytes: Uint8Array;
  /** Nesting depth of archives this file came out of (0 = plain file). */
  archiveDepth: number;
  /** True when the file is executable on disk (mode bits) or in its archive entry. */
  executable?: boolean;
}

/** A problem found while loading (archive traversal, bomb, symlink escape, unreadable file...). */
export interface LoadIssue {
  ruleId: string;
  display: string;
  detail: string;
  /** Raw text the issue is about (entry name, link target); hashed for suppressions. */
  match: string;
  severity?: Severity;
  confidence?: Confidence;
}

/** What the scanner treats as one verdict-bearing unit: a skill or a plugin package. */
export interface SkillUnit {
  /** Shown to the user and used as the JSON `path`. */
  path: string;
  kind: "skill" | "plugin" | "files";
  /** Where --installed found it (`openclaw-workspace`, `openclaw-managed`, ...). */
  source?: string;
  files: SkillFile[];
  issues: LoadIssue[];
}

export interface SkillReport {
  path: string;
  kind: SkillUnit["kind"];
  source?: string;
  name?: string;
  verdict: Verdict;
  /** Ids of the findings that decided the verdict (empty when clean). */
  decidedBy: string[];
  files: number;
  bytes: number;
  /** sha256 over the skill's files (sorted by path); lets users pin or compare a skill. */
  sha256: string;
  findings: SkillFinding[];
}
