// Loads advisories: the records shipped in data/advisories/ plus the ones a user imported
// into their data dir ($CLAWPATROL_HOME/advisories, default ~/.clawpatrol/advisories).
// An imported record replaces a shipped one with the same id. Loading never throws: a file
// that cannot be read or does not validate is skipped and reported in `problems`.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataPath } from "../core/data-dir.ts";
import { MODULE_EXT } from "../core/module-ext.ts";
import { compareVersions, isCalVer, sortVersions } from "./calver.ts";
import { CORE_PACKAGES, isFamilyPackage } from "./family.ts";
import { describeInterval, type Interval, intervalsFromRecord } from "./ranges.ts";
import type { ClawpatrolFields, Exposure, OsvRecord, Severity } from "./schema.ts";

// The validator (zod and the OSV schema) is only needed when records are parsed afresh: a
// cache miss, an import, `check:data`. Loading it on demand keeps it off the path of every
// command that only matches versions against already-validated data.
const requireHere = createRequire(import.meta.url);
type SchemaModule = typeof import("./schema.ts");
type ZodModule = typeof import("zod");
let schemaModule: SchemaModule | null = null;
function validator(): SchemaModule {
  schemaModule ??= requireHere(`./schema${MODULE_EXT}`) as SchemaModule;
  return schemaModule;
}

import {
  scoreCvss,
  severityFromLabel,
  vectorLooksPreAuthNetwork,
  vectorNeedsUserInteraction,
} from "./severity.ts";

/**
 * The advisory records this run reads: the package's data/advisories/, or the newer data
 * `clawpatrol update` installed (src/core/data-dir.ts decides which).
 */
export const SHIPPED_DIR = dataPath("advisories");
export const RELEASES_FILE = "_releases.json";
/** A single OSV record is a few kB; anything this large is not one. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface Advisory {
  id: string;
  aliases: string[];
  summary: string;
  details: string;
  severity: Severity;
  severityEstimated: boolean;
  cvss: string | null;
  score: number | null;
  preAuth: boolean;
  userInteraction: boolean;
  knownExploited: boolean;
  exposure: Exposure[];
  intervals: Interval[];
  packages: string[];
  published: string | null;
  modified: string;
  references: { type: string; url: string }[];
  fixedSource: ClawpatrolFields["fixed_source"] | null;
  /** True when the clawpatrol block was absent and pre-auth/exposure were derived from CVSS. */
  derived: boolean;
  origin: "shipped" | "imported";
  file: string;
  record: OsvRecord;
}

export interface Releases {
  /** Published versions per package (placeholders removed), sorted ascending. */
  packages: Record<string, string[]>;
  /** Name-squatting placeholder versions that contain no gateway (e.g. openclaw@0.0.1). */
  placeholders: Record<string, string[]>;
  source: string;
  fetched: string | null;
}

export interface LoadProblem {
  file: string;
  errors: string[];
}

export interface AdvisoryDb {
  advisories: Advisory[];
  byId: Map<string, Advisory>;
  releases: Releases;
  problems: LoadProblem[];
  shippedDir: string;
  userDir: string | null;
}

export type ParseResult = { ok: true; advisory: Advisory } | { ok: false; errors: string[] };

/** $CLAWPATROL_HOME/advisories, or ~/.clawpatrol/advisories. */
export function defaultUserDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CLAWPATROL_HOME?.trim();
  return join(home ? home : join(homedir(), ".clawpatrol"), "advisories");
}

/**
 * Validate one parsed JSON value as an advisory. `strict` (shipped data) requires the
 * clawpatrol block and a severity; otherwise missing fields get conservative defaults.
 */
export function parseAdvisory(
  json: unknown,
  opts: { strict: boolean; origin: Advisory["origin"]; file: string },
): ParseResult {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    return { ok: false, errors: ["not a JSON object (one OSV record per file)"] };
  const { osvRecordSchema, describeIssues, readClawpatrolFields } = validator();
  const parsed = osvRecordSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error) };
  const record = parsed.data;
  const errors: string[] = [];

  const family = record.affected.filter(
    (a) => a.package.ecosystem === "npm" && isFamilyPackage(a.package.name),
  );
  if (family.length === 0)
    return {
      ok: false,
      errors: [`no affected npm package of the OpenClaw family (${CORE_PACKAGES.join(", ")}, @openclaw/*)`],
    };

  const { intervals, problems } = intervalsFromRecord(record);
  for (const p of problems) errors.push(`${p.where}: ${p.message}`);
  if (problems.length === 0 && intervals.length === 0)
    errors.push("no ECOSYSTEM range or versions list for an OpenClaw-family package: nothing to match");

  const claw = readClawpatrolFields(record);
  if (!claw.ok) errors.push(...claw.errors);
  const fields = claw.ok ? claw.fields : undefined;
  if (opts.strict && claw.ok && !fields)
    errors.push("database_specific.clawpatrol: required in shipped data");

  const vectors = (record.severity ?? []).filter((s) => s.type === "CVSS_V3" || s.type === "CVSS_V4");
  let cvss: string | null = null;
  let score: number | null = null;
  let vectorSeverity: Severity | null = null;
  for (const s of vectors) {
    const scored = scoreCvss(s.score);
    if (!scored) {
      errors.push(`severity: "${s.score.slice(0, 80)}" is not a valid ${s.type} vector`);
      continue;
    }
    if (cvss === null) {
      cvss = s.score;
      score = scored.score;
      vectorSeverity = scored.severity;
    }
  }
  const labelSeverity = severityFromLabel(record.database_specific?.severity);
  let severity: Severity | null = fields?.severity ?? labelSeverity ?? vectorSeverity;
  let severityEstimated = fields?.severity_estimated === true;
  if (!severity) {
    if (opts.strict)
      errors.push("no severity: give a CVSS vector, database_specific.severity or clawpatrol.severity");
    severity = "medium";
    severityEstimated = true;
  }
  if (opts.strict && fields && fields.fixed_source.method === "imported")
    errors.push(
      'database_specific.clawpatrol.fixed_source.method: "imported" is not allowed in shipped data',
    );

  if (errors.length > 0) return { ok: false, errors };

  const derived = !fields;
  const advisory: Advisory = {
    id: record.id,
    aliases: [...new Set((record.aliases ?? []).filter((a) => a !== record.id))],
    summary: (record.summary ?? "").trim() || record.id,
    details: (record.details ?? "").trim(),
    severity,
    severityEstimated,
    cvss,
    score,
    preAuth: fields ? fields.pre_auth_network : cvss !== null && vectorLooksPreAuthNetwork(cvss),
    userInteraction: fields ? fields.user_interaction : cvss !== null && vectorNeedsUserInteraction(cvss),
    knownExploited: fields ? fields.known_exploited : false,
    exposure: fields ? [...fields.exposure] : cvss !== null && /\/AV:N/.test(cvss) ? ["gateway"] : ["local"],
    intervals,
    packages: [...new Set(family.map((a) => a.package.name.trim().toLowerCase()))],
    published: record.published ?? null,
    modified: record.modified,
    references: (record.references ?? []).map((r) => ({ type: r.type, url: r.url })),
    fixedSource: fields?.fixed_source ?? null,
    derived,
    origin: opts.origin,
    file: opts.file,
    record,
  };
  return { ok: true, advisory };
}

function releasesSchema() {
  const { z } = requireHere("zod") as ZodModule;
  return z.object({
    source: z.string().max(500),
    fetched: z.string().max(40).nullable().optional(),
    packages: z.record(z.string(), z.array(z.string().max(64)).max(20_000)),
    placeholders: z.record(z.string(), z.array(z.string().max(64)).max(100)).optional(),
  });
}

export function parseReleases(
  json: unknown,
): { ok: true; releases: Releases } | { ok: false; errors: string[] } {
  const parsed = releasesSchema().safeParse(json);
  if (!parsed.success) return { ok: false, errors: validator().describeIssues(parsed.error) };
  const placeholders = parsed.data.placeholders ?? {};
  const packages: Record<string, string[]> = {};
  const errors: string[] = [];
  for (const [name, list] of Object.entries(parsed.data.packages)) {
    const skip = new Set(placeholders[name] ?? []);
    const bad = list.filter((v) => !skip.has(v) && !isCalVer(v));
    if (bad.length > 0) errors.push(`packages.${name}: not CalVer: ${bad.slice(0, 5).join(", ")}`);
    packages[name] = sortVersions(list.filter((v) => !skip.has(v) && isCalVer(v)));
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    releases: { packages, placeholders, source: parsed.data.source, fetched: parsed.data.fetched ?? null },
  };
}

const EMPTY_RELEASES: Releases = { packages: {}, placeholders: {}, source: "none", fetched: null };

function readJsonFile(path: string): { ok: true; json: unknown } | { ok: false; error: string } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    return { ok: false, error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  if (size > MAX_RECORD_BYTES)
    return { ok: false, error: `file is ${size} bytes; an OSV record is at most ${MAX_RECORD_BYTES}` };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return { ok: false, error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    return { ok: true, json: JSON.parse(text.replace(/^\uFEFF/, "")) };
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
  }
}

/** The advisory files of a directory: *.json except `_`-prefixed data files, sorted. */
export function advisoryFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(".json") && !n.startsWith("_") && !n.startsWith(".")).sort();
}

// Validating ~500 records with zod costs more than everything else a short command does.
// The shipped directory only changes with the package, so its parsed form is cached in the
// user's cache dir, keyed by every file's name, size and mtime and by this parser's own
// sources; any change there means a fresh, fully validated load.
const PARSER_SOURCES = ["store", "schema", "ranges", "severity", "calver"].map((f) =>
  fileURLToPath(new URL(`./${f}${MODULE_EXT}`, import.meta.url)),
);

function cacheFileFor(dir: string): string | null {
  try {
    const h = createHash("sha256");
    for (const file of [
      ...PARSER_SOURCES,
      ...readdirSync(dir)
        .sort()
        .map((n) => join(dir, n)),
    ]) {
      const st = statSync(file);
      h.update(`${file}\0${st.size}\0${st.mtimeMs}\n`);
    }
    const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
    return join(base, "clawpatrol", "advisories", `${h.digest("hex").slice(0, 32)}.json`);
  } catch {
    return null;
  }
}

type DirResult = { advisories: Advisory[]; releases: Releases | null };

function readCache(file: string | null): DirResult | null {
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as DirResult;
  } catch {
    return null;
  }
}

function writeCache(file: string | null, result: DirResult): void {
  if (!file) return;
  try {
    mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(result), { mode: 0o600 });
    renameSync(tmp, file);
    // Older caches (another package version or data set) are dead weight: remove them.
    const dir = join(file, "..");
    for (const name of readdirSync(dir))
      if (name.endsWith(".json") && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
  } catch {
    // An unwritable cache only costs speed.
  }
}

function loadDir(
  dir: string,
  origin: Advisory["origin"],
  problems: LoadProblem[],
  cache: boolean,
): DirResult {
  if (!cache) return parseDir(dir, origin, problems);
  const cacheFile = cacheFileFor(dir);
  const cached = readCache(cacheFile);
  if (cached) return cached;
  const fresh = parseDir(dir, origin, problems);
  // Only a clean load is worth remembering: problems must be reported every time.
  if (problems.length === 0) writeCache(cacheFile, fresh);
  return fresh;
}

function parseDir(
  dir: string,
  origin: Advisory["origin"],
  problems: LoadProblem[],
): { advisories: Advisory[]; releases: Releases | null } {
  const advisories: Advisory[] = [];
  for (const name of advisoryFiles(dir)) {
    const file = join(dir, name);
    const read = readJsonFile(file);
    if (!read.ok) {
      problems.push({ file, errors: [read.error] });
      continue;
    }
    const parsed = parseAdvisory(read.json, { strict: origin === "shipped", origin, file });
    if (!parsed.ok) problems.push({ file, errors: parsed.errors });
    else advisories.push(parsed.advisory);
  }
  let releases: Releases | null = null;
  const relFile = join(dir, RELEASES_FILE);
  if (existsSync(relFile)) {
    const read = readJsonFile(relFile);
    const parsed = read.ok ? parseReleases(read.json) : { ok: false as const, errors: [read.error] };
    if (parsed.ok) releases = parsed.releases;
    else problems.push({ file: relFile, errors: parsed.errors });
  }
  return { advisories, releases };
}

export interface LoadOptions {
  /** Directory with the shipped records (default: the package's data/advisories/). */
  shippedDir?: string;
  /** Directory with imported records; null to ignore imports (default: defaultUserDir()). */
  userDir?: string | null;
  /**
   * Use the parsed-data cache for the shipped directory (default: only for the package's own
   * data/advisories/, whose files change only with the package).
   */
  cacheShipped?: boolean;
}

export function loadAdvisoryDb(opts: LoadOptions = {}): AdvisoryDb {
  const shippedDir = opts.shippedDir ?? SHIPPED_DIR;
  const userDir = opts.userDir === undefined ? defaultUserDir() : opts.userDir;
  const problems: LoadProblem[] = [];
  const shipped = loadDir(shippedDir, "shipped", problems, opts.cacheShipped ?? shippedDir === SHIPPED_DIR);
  const imported = userDir
    ? loadDir(userDir, "imported", problems, false)
    : { advisories: [], releases: null };

  // One advisory, one record: an imported record replaces every record it shares an id or an
  // alias with (GitHub's file under its GHSA id, or another source's under the CVE alias), so
  // no advisory is matched, counted or listed twice.
  const byId = new Map<string, Advisory>();
  const byKey = new Map<string, Advisory>();
  const keysOf = (a: Advisory) => [a.id, ...a.aliases].map((id) => id.toUpperCase());
  const put = (a: Advisory) => {
    for (const k of keysOf(a)) {
      const old = byKey.get(k);
      if (!old) continue;
      byId.delete(old.id);
      for (const ok of keysOf(old)) byKey.delete(ok);
    }
    byId.set(a.id, a);
    for (const k of keysOf(a)) byKey.set(k, a);
  };
  for (const a of shipped.advisories) put(a);
  for (const a of imported.advisories) put(a);
  const advisories = [...byId.values()]
    .filter((a) => !a.record.withdrawn)
    .sort((a, b) => compareIds(a.id, b.id));
  return {
    advisories,
    byId: new Map(advisories.map((a) => [a.id, a])),
    releases: imported.releases ?? shipped.releases ?? EMPTY_RELEASES,
    problems,
    shippedDir,
    userDir,
  };
}

/**
 * Advisory ids in code-point order: deterministic, and for ids of one shape (GHSA-xxxx-…,
 * CVE-…) the same order as a locale collation, without the ~8 ms a collator costs to build.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Find an advisory by its id or any alias (CVE), case-insensitively. */
export function findAdvisory(db: AdvisoryDb, idOrAlias: string): Advisory | null {
  const want = idOrAlias.trim().toUpperCase();
  for (const a of db.advisories) {
    if (a.id.toUpperCase() === want) return a;
    if (a.aliases.some((x) => x.toUpperCase() === want)) return a;
  }
  return null;
}

/** All published (non-placeholder) versions of the product line, sorted ascending. */
export function lineReleases(releases: Releases): string[] {
  const all = new Set<string>();
  for (const name of CORE_PACKAGES) for (const v of releases.packages[name] ?? []) all.add(v);
  return sortVersions(all);
}

/** Smallest stable (non-prerelease) release at or after `v`, or null. */
export function firstStableAtOrAfter(releases: Releases, v: string, inclusive = true): string | null {
  for (const r of lineReleases(releases)) {
    if (/-(alpha|beta|rc)/.test(r)) continue;
    const c = compareVersions(r, v);
    if (c > 0 || (inclusive && c === 0)) return r;
  }
  return null;
}

export function describeIntervals(a: Advisory): string {
  return a.intervals.map((iv) => `${iv.pkg} ${describeInterval(iv)}`).join("; ");
}
