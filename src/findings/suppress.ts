// The one suppression model of scan, audit and skills (`.clawpatrol-ignore.yml`): an entry
// accepts one rule's findings on one asset or path, for a stated reason, owned by someone,
// until a date, and only while the evidence is what was reviewed (its sha256 pin). An entry
// that has expired, or whose evidence changed, stops suppressing by itself and is reported.
//
//   version: 1
//   suppressions:
//     - rule: CP-SKILL-EXEC-001
//       path: skills/xurl/**        # or asset: 10.0.0.5:18789 (a glob over the asset or file path)
//       sha256: 3f1c…               # the finding's pin: `--json` or `--suggest-ignore` shows it
//       reason: vendor installer reviewed
//       owner: j.doe@example.com    # optional
//       expires: 2027-01-31
import { existsSync } from "node:fs";
import { matchesGlob } from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { readTextFile, TextFileError } from "../core/text-file.ts";
import { evidenceHash } from "./identity.ts";
import type { Finding } from "./model.ts";

export const IGNORE_FILE = ".clawpatrol-ignore.yml";
/** The largest ignore file read; a bigger one is refused before the YAML parser sees it. */
const MAX_IGNORE_BYTES = 4 * 1024 * 1024;

const Entry = z
  .object({
    rule: z.string().regex(/^CP-[A-Z0-9-]+$/, "rule must be a rule id such as CP-SKILL-EXEC-001"),
    path: z.string().min(1).optional(),
    asset: z.string().min(1).optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, "sha256 must be 64 hex characters (the finding's sha256)"),
    reason: z.string().trim().min(3, "reason is required"),
    owner: z.string().trim().min(1).optional(),
    expires: z.union([z.string(), z.date()]).transform((v, c) => {
      const d = v instanceof Date ? v : new Date(`${v}T23:59:59Z`);
      if (Number.isNaN(d.getTime()) || (typeof v === "string" && !/^\d{4}-\d{2}-\d{2}$/.test(v))) {
        c.addIssue({ code: "custom", message: "expires must be a date YYYY-MM-DD" });
        return z.NEVER;
      }
      return v instanceof Date ? v.toISOString().slice(0, 10) : v;
    }),
  })
  .refine((e) => (e.path === undefined) !== (e.asset === undefined), {
    message: "give exactly one of path or asset",
    path: ["path"],
  });
const IgnoreFile = z.object({ version: z.literal(1).optional(), suppressions: z.array(Entry).default([]) });

export interface Suppression {
  rule: string;
  /** Glob over the finding's asset or evidence file path (the file's `path:` or `asset:`). */
  path: string;
  sha256: string;
  reason: string;
  owner: string | null;
  expires: string;
  file: string;
  /** How many findings it suppressed in this run. */
  used: number;
  /** Pins of findings it matched by rule and path but whose evidence changed since it was written. */
  changedTo: string[];
  /** It matched a finding (pin and all) after its expiry date. */
  matchedExpired: boolean;
}

export class SuppressionError extends Error {
  override name = "SuppressionError";
}

export function parseSuppressions(text: string, file: string): Suppression[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 10, logLevel: "error" }) ?? {};
  } catch (err) {
    throw new SuppressionError(`${file}: not valid YAML: ${String(err).split("\n")[0]}`);
  }
  const parsed = IgnoreFile.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new SuppressionError(`${file}: ${i.path.join(".") || "(top)"}: ${i.message.split("\n")[0]}`);
  }
  return parsed.data.suppressions.map((e) => ({
    rule: e.rule,
    path: (e.path ?? e.asset)!,
    sha256: e.sha256.toLowerCase(),
    reason: e.reason,
    owner: e.owner ?? null,
    expires: e.expires,
    file,
    used: 0,
    changedTo: [],
    matchedExpired: false,
  }));
}

/** The ignore file named, or `.clawpatrol-ignore.yml` in `cwd` when there is one. */
export function loadSuppressions(path: string | undefined, cwd: string): Suppression[] {
  const file = path ?? `${cwd}/${IGNORE_FILE}`;
  if (!existsSync(file)) {
    if (path) throw new SuppressionError(`${path}: no such file`);
    return [];
  }
  let text: string;
  try {
    // bounded, and never blocks on a FIFO: a 64 MB file would exhaust the heap in the YAML parser
    text = readTextFile(file, MAX_IGNORE_BYTES).text;
  } catch (err) {
    if (!(err instanceof TextFileError)) throw err;
    throw new SuppressionError(`${file}: ${err.message}`);
  }
  return parseSuppressions(text, file);
}

/**
 * What a suppression pins: for a skill finding the sha256 of the exact matched content it
 * carries; for any other finding the hash of its evidence by what and where (identity.ts),
 * which stays the same from run to run until what was seen changes.
 */
export function evidencePin(f: Finding): string {
  const own = (f as { sha256?: unknown }).sha256;
  return typeof own === "string" && /^[0-9a-f]{64}$/.test(own) ? own : evidenceHash(f);
}

function pathMatches(glob: string, f: Finding): boolean {
  const candidates = [...f.evidence.map((e) => e.path), f.asset].filter((x): x is string => !!x);
  return candidates.some(
    (p) => p === glob || matchesGlob(p, glob) || matchesGlob(p, `${glob.replace(/\/$/, "")}/**`),
  );
}

/**
 * The entry that suppresses `f` today, or null. Entries that match by rule and path but not
 * by pin, or only after their expiry date, are marked so the run can say why they no longer
 * suppress.
 */
export function matchSuppression(
  f: Finding,
  suppressions: readonly Suppression[],
  today: Date = new Date(),
): Suppression | null {
  const todayStr = today.toISOString().slice(0, 10);
  let pin: string | null = null;
  for (const s of suppressions) {
    if (s.rule !== f.ruleId || !pathMatches(s.path, f)) continue;
    pin ??= evidencePin(f);
    if (s.sha256 !== pin) {
      if (!s.changedTo.includes(pin) && s.changedTo.length < 20) s.changedTo.push(pin);
      continue;
    }
    if (s.expires < todayStr) {
      s.matchedExpired = true;
      continue;
    }
    s.used++;
    return s;
  }
  return null;
}

/**
 * One line for each entry that stopped suppressing: expired, or its evidence changed (and it
 * suppressed nothing in this run). What is left unsaid: entries that matched nothing at all.
 */
export function suppressionWarnings(
  suppressions: readonly Suppression[],
  today: Date = new Date(),
): string[] {
  const todayStr = today.toISOString().slice(0, 10);
  const lines: string[] = [];
  for (const s of suppressions) {
    const who = s.owner ? `, owner ${s.owner}` : "";
    if (s.expires < todayStr)
      lines.push(
        `suppression for ${s.rule} at ${s.path} expired on ${s.expires} (${s.file}${who}); it no longer suppresses`,
      );
    else if (s.used === 0 && s.changedTo.length > 0)
      lines.push(
        `suppression for ${s.rule} at ${s.path} no longer suppresses: the evidence changed (pinned ${s.sha256.slice(0, 12)}, now ${s.changedTo[0]!.slice(0, 12)}; ${s.file}${who})`,
      );
  }
  return lines;
}

/** YAML entries a user can paste into .clawpatrol-ignore.yml to accept these findings. */
export function suggestSuppressions(findings: readonly Finding[], days = 90, now = Date.now()): string {
  const expires = new Date(now + days * 86_400_000).toISOString().slice(0, 10);
  const entries = findings.map((f) => ({
    rule: f.ruleId,
    path: f.evidence.find((e) => e.path)?.path ?? f.asset,
    sha256: evidencePin(f),
    reason: "TODO: why this is acceptable",
    owner: "TODO: who accepted it",
    expires,
  }));
  return YAML.stringify({ version: 1, suppressions: entries });
}
