// The one place that says where clawpatrol reads its data from (advisories, the Control UI
// version table, the skill IOC lists): the data `clawpatrol update` installed under
// $CLAWPATROL_HOME/data when it is present, well-formed and newer than the data shipped in
// the package; otherwise the package's own data/ directory.
//
// Layout of $CLAWPATROL_HOME/data (default ~/.clawpatrol/data):
//   <version>/        one unpacked, validated clawpatrol-data package (manifest.json + files)
//   current           the active version, one line, replaced atomically (write + rename)
//   previous          the version `clawpatrol update --rollback` returns to
import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Name of the npm package the data is published as. */
export const DATA_PACKAGE_NAME = "clawpatrol-data";
/**
 * Layout/format version of the data files. A data package's version is
 * `<schema>.<YYYYMMDD>.<n>` (as Trivy's database does it), so the major version says which
 * clients can read it: this client only installs packages whose major is DATA_SCHEMA.
 */
export const DATA_SCHEMA = 1;
/** Data older than this many days is reported once per run on stderr. */
export const DATA_MAX_AGE_DAYS = 30;

/** The files the data set consists of, relative to its root; anything else is refused. */
export const DATA_FILE_PATTERN =
  /^(?:advisories\/(?:[A-Za-z0-9_][A-Za-z0-9._-]*\.json|UNVERIFIED\.md)|product-advisories\/[A-Za-z0-9][A-Za-z0-9._-]*\.json|fingerprints\/[a-z0-9-]+\.json|skills\/[a-z0-9-]+\.json|audit-checks\/[a-z]+-\d{4}\.\d{1,2}\.\d{1,2}(?:-[0-9A-Za-z.]+)?\.json)$/;

export interface DataVersion {
  schema: number;
  /** YYYYMMDD as a number. */
  day: number;
  serial: number;
}

export interface DataManifest {
  name: string;
  version: string;
  /** ISO date (YYYY-MM-DD) the data was built. */
  date: string;
  schema: number;
  /** Path relative to the data root → sha256 (hex) and size of that file. */
  files: Record<string, { sha256: string; size: number }>;
}

export interface DataInfo {
  /** Directory that holds advisories/, fingerprints/, skills/. */
  dir: string;
  origin: "shipped" | "updated";
  version: string;
  date: string;
}

/** `1.20261207.0` → its parts, or null when it is not a data version. */
export function parseDataVersion(text: string): DataVersion | null {
  const m = /^(\d{1,4})\.(\d{8})\.(\d{1,6})$/.exec(text);
  if (!m) return null;
  const day = Number(m[2]);
  if (!isoDate(dayToIso(day))) return null;
  return { schema: Number(m[1]), day, serial: Number(m[3]) };
}

/** Order of two data versions (a version that does not parse sorts first). */
export function compareDataVersions(a: string, b: string): number {
  const x = parseDataVersion(a);
  const y = parseDataVersion(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  return x.schema - y.schema || x.day - y.day || x.serial - y.serial;
}

function dayToIso(day: number): string {
  const s = String(day).padStart(8, "0");
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** A real calendar date written YYYY-MM-DD. */
export function isoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

/** The data version for a build date and the n-th build of that day. */
export function dataVersionFor(date: string, serial = 0): string {
  return `${DATA_SCHEMA}.${date.replaceAll("-", "")}.${serial}`;
}

/**
 * Check the parts of a manifest that say what it is (name, schema, version, date, file
 * list shape). Returns the problems, empty when it is well-formed. The file hashes are
 * checked by the installer, which has the bytes.
 */
export function manifestProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["not a JSON object"];
  const m = value as Partial<DataManifest>;
  const problems: string[] = [];
  if (m.name !== DATA_PACKAGE_NAME) problems.push(`name must be ${DATA_PACKAGE_NAME}`);
  if (m.schema !== DATA_SCHEMA)
    problems.push(
      `schema ${String(m.schema)} is not supported (this clawpatrol reads schema ${DATA_SCHEMA})`,
    );
  const version = typeof m.version === "string" ? parseDataVersion(m.version) : null;
  if (!version) problems.push(`version ${String(m.version)} is not <schema>.<YYYYMMDD>.<n>`);
  else if (version.schema !== m.schema) problems.push(`version ${m.version} does not start with the schema`);
  if (typeof m.date !== "string" || !isoDate(m.date))
    problems.push(`date ${String(m.date)} is not YYYY-MM-DD`);
  else if (version && dayToIso(version.day) !== m.date)
    problems.push(`version ${m.version} does not carry the date ${m.date}`);
  if (typeof m.files !== "object" || m.files === null || Array.isArray(m.files))
    problems.push("files missing");
  else {
    for (const [path, entry] of Object.entries(m.files)) {
      if (!DATA_FILE_PATTERN.test(path)) problems.push(`files: ${path} is not a data file`);
      else if (
        typeof entry !== "object" ||
        entry === null ||
        typeof entry.sha256 !== "string" ||
        !/^[0-9a-f]{64}$/.test(entry.sha256) ||
        !Number.isSafeInteger(entry.size) ||
        entry.size < 0
      )
        problems.push(`files: ${path} needs a sha256 (64 hex digits) and a size`);
    }
    if (Object.keys(m.files).length === 0) problems.push("files is empty");
  }
  return problems;
}

/**
 * The data/ directory shipped next to the package's code. From src/core/ or a build output
 * with the same relative layout (dist/core/) it is two levels up; a packaging that moves the
 * data elsewhere changes only this function.
 */
export function shippedDataDir(): string {
  return fileURLToPath(new URL("../../data/", import.meta.url));
}

/** $CLAWPATROL_HOME, or ~/.clawpatrol. */
export function clawpatrolHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CLAWPATROL_HOME?.trim();
  return home ? home : join(homedir(), ".clawpatrol");
}

/** Where `clawpatrol update` installs data packages. */
export function updatesRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(clawpatrolHome(env), "data");
}

/** Version and date of the shipped data (data/data-version.json). */
export function shippedDataInfo(dir: string = shippedDataDir()): DataInfo {
  const json = JSON.parse(readFileSync(join(dir, "data-version.json"), "utf8")) as Partial<DataManifest>;
  if (typeof json.version !== "string" || typeof json.date !== "string")
    throw new Error(`${join(dir, "data-version.json")}: version and date missing`);
  return { dir, origin: "shipped", version: json.version, date: json.date };
}

/** Read a pointer file (`current`, `previous`): a data version, or null. */
export function readPointer(root: string, name: "current" | "previous"): string | null {
  try {
    const text = readFileSync(join(root, name), "utf8").trim();
    return parseDataVersion(text) ? text : null;
  } catch {
    return null;
  }
}

/**
 * The installed data of one version, when its directory holds a well-formed manifest for
 * that version and every file the manifest lists (hashes were checked when it was
 * installed; re-hashing every file on every run would cost more than the run).
 */
export function installedDataInfo(root: string, version: string): DataInfo | null {
  const dir = join(root, version);
  try {
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as DataManifest;
    if (manifestProblems(manifest).length > 0 || manifest.version !== version) return null;
    const present = new Set(
      (readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split("\\").join("/")),
    );
    for (const file of Object.keys(manifest.files)) if (!present.has(file)) return null;
    return { dir, origin: "updated", version, date: manifest.date };
  } catch {
    return null;
  }
}

/** Which data a run uses: the updated data when present, valid and newer, else the shipped. */
export function resolveActiveData(
  env: NodeJS.ProcessEnv = process.env,
  shippedDir: string = shippedDataDir(),
): DataInfo {
  const shipped = shippedDataInfo(shippedDir);
  const root = updatesRoot(env);
  const current = readPointer(root, "current");
  if (!current || compareDataVersions(current, shipped.version) <= 0) return shipped;
  return installedDataInfo(root, current) ?? shipped;
}

let active: { key: string; info: DataInfo } | null = null;

/** The data this process reads (resolved once per CLAWPATROL_HOME). */
export function activeData(env: NodeJS.ProcessEnv = process.env): DataInfo {
  const key = updatesRoot(env);
  if (active?.key !== key) active = { key, info: resolveActiveData(env) };
  return active.info;
}

/** Forget the resolved data (after `clawpatrol update` switched it, and in tests). */
export function forgetActiveData(): void {
  active = null;
}

/** Path of one data file in the active data, e.g. dataPath("skills", "iocs.json"). */
export function dataPath(...parts: string[]): string {
  return join(activeData().dir, ...parts);
}

/** Whole days between the data's date and `now`. */
export function dataAgeDays(info: DataInfo, now: Date = new Date()): number {
  return Math.floor((now.getTime() - Date.parse(`${info.date}T00:00:00Z`)) / 86_400_000);
}

/**
 * The one-line warning for data older than DATA_MAX_AGE_DAYS, or null (also null when
 * CLAWPATROL_NO_DATA_AGE_WARNING=1 or the data cannot be read: that is for the loaders to say).
 */
export function dataAgeWarning(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string | null {
  if (env.CLAWPATROL_NO_DATA_AGE_WARNING === "1") return null;
  let info: DataInfo;
  try {
    info = activeData(env);
  } catch {
    return null;
  }
  const age = dataAgeDays(info, now);
  if (age <= DATA_MAX_AGE_DAYS) return null;
  return `clawpatrol: advisory and IOC data ${info.version} is ${age} days old (from ${info.date}); run \`clawpatrol update\` for newer data (CLAWPATROL_NO_DATA_AGE_WARNING=1 hides this)`;
}
