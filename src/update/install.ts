// Installing a data package and switching to it, so that working data is never replaced by
// a broken download: the tarball is unpacked into a staging directory beside the installed
// versions, checked in full (manifest hashes, schemas), renamed to <root>/<version>, and only
// then does the `current` pointer move (written to a temporary file and renamed over the old
// one). The version it replaced stays installed and is named by `previous`, for --rollback.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import {
  compareDataVersions,
  type DataInfo,
  forgetActiveData,
  installedDataInfo,
  parseDataVersion,
  readPointer,
  resolveActiveData,
} from "../core/data-dir.ts";
import { RunError } from "../core/errors.ts";
import { DEFAULT_LIMITS, extractArchive } from "../skills/loaders/archive.ts";
import { checkDataDir } from "./validate.ts";

export interface InstallOptions {
  /** $CLAWPATROL_HOME/data. */
  root: string;
  env?: NodeJS.ProcessEnv;
  /** The shipped data directory (tests point it elsewhere). */
  shippedDir?: string;
  /** Names the tarball in messages (a URL or a file). */
  source: string;
}

export type InstallResult =
  | { status: "installed"; installed: DataInfo; replaced: DataInfo }
  | { status: "up-to-date"; active: DataInfo }
  | { status: "older"; offered: string; active: DataInfo };

/** A data package is a few hundred small JSON files; these caps leave room and stop bombs. */
const LIMITS = { ...DEFAULT_LIMITS, maxTotalBytes: 256 << 20, maxEntries: 20_000, maxArchiveDepth: 0 };

/** Write `text` to `file` atomically: a temporary file in the same directory, fsynced, renamed. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dirFd = openSync(dirname(file), "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Not every platform can fsync a directory; the rename is still atomic.
  }
}

/** Unpack a tarball's files into `dir`, dropping npm's single top-level folder (`package/`). */
function unpackInto(bytes: Uint8Array, dir: string, source: string): void {
  const { entries, issues } = extractArchive(bytes, source, LIMITS);
  if (issues.length > 0) throw new RunError(`${source}: not a usable data package: ${issues[0]!.detail}`);
  if (entries.length === 0) throw new RunError(`${source}: empty archive`);
  const top = entries[0]!.name.split("/")[0]!;
  if (!entries.every((e) => e.name.startsWith(`${top}/`)))
    throw new RunError(`${source}: not a data package (files are not under one top-level folder)`);
  const seen = new Set<string>();
  for (const entry of entries) {
    const rel = entry.name.slice(top.length + 1);
    if (seen.has(rel)) throw new RunError(`${source}: not a usable data package: ${rel} appears twice`);
    seen.add(rel);
    const target = join(dir, rel);
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, entry.data, { mode: 0o644, flag: "wx" });
  }
}

/**
 * Install a data package tarball (already integrity-checked when it came from a registry).
 * Returns "older"/"up-to-date" without touching anything when it is not newer than the
 * active data; throws RunError, with nothing changed, when it is not valid.
 */
export function installDataTarball(bytes: Uint8Array, opts: InstallOptions): InstallResult {
  const env = opts.env ?? process.env;
  const active = resolveActiveData(env, opts.shippedDir);
  mkdirSync(opts.root, { recursive: true, mode: 0o700 });
  const stage = join(opts.root, `.staging-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(stage, { mode: 0o755 });
  try {
    unpackInto(bytes, stage, opts.source);
    const check = checkDataDir(stage);
    if (!check.ok) {
      const more = check.problems.length > 1 ? ` (and ${check.problems.length - 1} more problems)` : "";
      throw new RunError(
        `${opts.source}: data package refused, nothing changed: ${check.problems[0]}${more}`,
      );
    }
    const { version } = check.manifest;
    const order = compareDataVersions(version, active.version);
    if (order === 0) return { status: "up-to-date", active };
    if (order < 0) return { status: "older", offered: version, active };

    const target = join(opts.root, version);
    // A leftover of the same version (installed before, then rolled back from) is replaced:
    // pointers never name it while this runs, because it is newer than the active data.
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(stage, target);
    const installed = installedDataInfo(opts.root, version);
    if (!installed) throw new RunError(`${target}: installed data cannot be read back; nothing changed`);

    const oldCurrent = readPointer(opts.root, "current");
    if (oldCurrent && oldCurrent !== version) writeFileAtomic(join(opts.root, "previous"), `${oldCurrent}\n`);
    writeFileAtomic(join(opts.root, "current"), `${version}\n`);
    forgetActiveData();
    prune(opts.root);
    return { status: "installed", installed, replaced: active };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Remove installed versions that neither pointer names, and stale staging dirs. */
function prune(root: string): void {
  const keep = new Set([readPointer(root, "current"), readPointer(root, "previous")]);
  for (const name of readdirSync(root)) {
    const stale = name.startsWith(".staging-") && !name.startsWith(`.staging-${process.pid}-`);
    if ((parseDataVersion(name) && !keep.has(name)) || stale)
      rmSync(join(root, name), { recursive: true, force: true });
  }
}

export interface RollbackResult {
  from: DataInfo;
  to: DataInfo;
}

/**
 * Switch back to the data that was active before the last update: the `previous` version,
 * or the shipped data when there is none. The version rolled back from stays installed as
 * `previous`, so a second --rollback undoes the first.
 */
export function rollbackData(opts: {
  root: string;
  env?: NodeJS.ProcessEnv;
  shippedDir?: string;
}): RollbackResult {
  const env = opts.env ?? process.env;
  const from = resolveActiveData(env, opts.shippedDir);
  const current = readPointer(opts.root, "current");
  const previous = readPointer(opts.root, "previous");
  if (!current && !previous)
    throw new RunError(`${opts.root}: no data update is installed; nothing to roll back`);
  if (!current) {
    // The last rollback went back to the shipped data: undo it.
    if (!installedDataInfo(opts.root, previous!))
      throw new RunError(
        `${join(opts.root, previous!)}: the previous data is missing or damaged; nothing changed`,
      );
    writeFileAtomic(join(opts.root, "current"), `${previous}\n`);
    rmSync(join(opts.root, "previous"), { force: true });
  } else if (previous) {
    if (!installedDataInfo(opts.root, previous))
      throw new RunError(
        `${join(opts.root, previous)}: the previous data is missing or damaged; nothing changed`,
      );
    writeFileAtomic(join(opts.root, "previous"), `${current}\n`);
    writeFileAtomic(join(opts.root, "current"), `${previous}\n`);
  } else {
    // Only one update was ever installed: going back means the shipped data.
    writeFileAtomic(join(opts.root, "previous"), `${current}\n`);
    rmSync(join(opts.root, "current"), { force: true });
  }
  forgetActiveData();
  return { from, to: resolveActiveData(env, opts.shippedDir) };
}
