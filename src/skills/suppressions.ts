// `.clawpatrol-ignore.yml`: reasoned, expiring suppressions pinned to the exact matched
// content. A suppression applies only while (rule id, path glob, sha256 of the match) all
// agree and the expiry date has not passed, so it dies by itself when the content changes.
//
//   version: 1
//   suppressions:
//     - rule: CP-SKILL-EXEC-001
//       path: skills/xurl/**
//       sha256: 3f1c…            # from `--json` or `--suggest-ignore`
//       reason: vendor installer reviewed by J. Doe
//       expires: 2027-01-31
import { existsSync } from "node:fs";
import { matchesGlob } from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { readTextFile, TextFileError } from "../core/text-file.ts";
import type { SkillFinding } from "./types.ts";

export const IGNORE_FILE = ".clawpatrol-ignore.yml";

const Entry = z.object({
  rule: z.string().regex(/^CP-[A-Z0-9-]+$/, "rule must be a rule id such as CP-SKILL-EXEC-001"),
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, "sha256 must be 64 hex characters (the finding's sha256)"),
  reason: z.string().trim().min(3, "reason is required"),
  expires: z.union([z.string(), z.date()]).transform((v, c) => {
    const d = v instanceof Date ? v : new Date(`${v}T23:59:59Z`);
    if (Number.isNaN(d.getTime()) || (typeof v === "string" && !/^\d{4}-\d{2}-\d{2}$/.test(v))) {
      c.addIssue({ code: "custom", message: "expires must be a date YYYY-MM-DD" });
      return z.NEVER;
    }
    return v instanceof Date ? v.toISOString().slice(0, 10) : v;
  }),
});
const File = z.object({ version: z.literal(1).optional(), suppressions: z.array(Entry).default([]) });

export interface Suppression {
  rule: string;
  path: string;
  sha256: string;
  reason: string;
  expires: string;
  file: string;
  /** How many findings it suppressed in this run. */
  used: number;
}

export class SuppressionError extends Error {
  override name = "SuppressionError";
}

export function parseSuppressions(text: string, file: string): Suppression[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 10 }) ?? {};
  } catch (err) {
    throw new SuppressionError(`${file}: not valid YAML: ${String(err).split("\n")[0]}`);
  }
  const parsed = File.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new SuppressionError(`${file}: ${i.path.join(".") || "(top)"}: ${i.message}`);
  }
  return parsed.data.suppressions.map((e) => ({ ...e, sha256: e.sha256.toLowerCase(), file, used: 0 }));
}

export function loadSuppressions(path: string | undefined, cwd: string): Suppression[] {
  const file = path ?? `${cwd}/${IGNORE_FILE}`;
  if (!existsSync(file)) {
    if (path) throw new SuppressionError(`${path}: no such file`);
    return [];
  }
  let text: string;
  try {
    // bounded, and never blocks on a FIFO: a 64 MB file would exhaust the heap in the YAML parser
    text = readTextFile(file, 4 * 1024 * 1024).text;
  } catch (err) {
    if (!(err instanceof TextFileError)) throw err;
    throw new SuppressionError(`${file}: ${err.message}`);
  }
  return parseSuppressions(text, file);
}

function pathMatches(glob: string, f: SkillFinding): boolean {
  const candidates = [f.evidence[0]?.path, f.asset].filter((x): x is string => !!x);
  return candidates.some(
    (p) => p === glob || matchesGlob(p, glob) || matchesGlob(p, `${glob.replace(/\/$/, "")}/**`),
  );
}

export interface SuppressionOutcome {
  expired: Suppression[];
}

/** Mark matching findings as suppressed. Returns expired entries that matched (for warnings). */
export function applySuppressions(
  findings: SkillFinding[],
  suppressions: Suppression[],
  today: Date = new Date(),
): SuppressionOutcome {
  const expired: Suppression[] = [];
  const todayStr = today.toISOString().slice(0, 10);
  for (const f of findings) {
    for (const s of suppressions) {
      if (s.rule !== f.ruleId || s.sha256 !== f.sha256 || !pathMatches(s.path, f)) continue;
      if (s.expires < todayStr) {
        if (!expired.includes(s)) expired.push(s);
        continue;
      }
      f.suppressed = { reason: s.reason, expires: s.expires, file: s.file };
      s.used++;
      break;
    }
  }
  return { expired };
}

/** YAML entries a user can paste into .clawpatrol-ignore.yml to accept these findings. */
export function suggestSuppressions(findings: readonly SkillFinding[], days = 90): string {
  const expires = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const entries = findings
    .filter((f) => !f.suppressed)
    .map((f) => ({
      rule: f.ruleId,
      path: f.evidence[0]?.path ?? f.asset,
      sha256: f.sha256,
      reason: "TODO: why this is acceptable",
      expires,
    }));
  return YAML.stringify({ version: 1, suppressions: entries });
}
