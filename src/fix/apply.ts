// Carrying out a fix plan safely: a timestamped backup of every file we touch (content
// and mode) with its manifest written last, then for each file a temp file in the same
// directory → write → fsync → rename over the original → fsync the directory. A crash
// at any instant leaves each file either wholly old or wholly new; stale temp files are
// removed on the next run. `rollback` restores the newest complete backup the same way.
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { RunError } from "../core/errors.ts";
import type { FixPlan } from "./plan-types.ts";
import { resolveWriteTarget, unwritableReason, type WriteTarget } from "./target-file.ts";

const TMP_MARK = ".clawpatrol-tmp-";

export function backupRoot(stateDir: string): string {
  return join(stateDir, ".clawpatrol", "backups");
}

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // some platforms cannot fsync a directory; the rename is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** A complete, synced temp file beside its target, waiting to replace (or become) it. */
interface Staged {
  tmp: string;
  target: string;
  /** Create the target only if it still does not exist (a new config never replaces anything). */
  exclusive: boolean;
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/**
 * Write `data` to a temp file in `target`'s directory: write everything, set mode and owner
 * on the open file, fsync. Nothing visible changes until `commit`. On failure the temp file
 * is removed and the error thrown.
 */
function stage(
  target: string,
  data: string | Buffer,
  mode: number,
  owner: { uid: number; gid: number } | null,
  exclusive: boolean,
): Staged {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}${TMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (owner) {
      const st = fstatSync(fd);
      if (st.uid !== owner.uid || st.gid !== owner.gid) fchownSync(fd, owner.uid, owner.gid);
    }
    fchmodSync(fd, mode); // after chown, which may clear set-id bits; open's mode is masked by umask
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  return { tmp, target, exclusive };
}

/** Make a staged file visible in one step: rename over the target, or link it where none exists. */
function commit(s: Staged): void {
  try {
    if (s.exclusive) {
      linkSync(s.tmp, s.target); // EEXIST if something appeared meanwhile: never replaced
      unlinkSync(s.tmp);
    } else renameSync(s.tmp, s.target);
  } catch (err) {
    rmSync(s.tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(s.target));
}

function discard(list: Staged[]): void {
  for (const s of list) rmSync(s.tmp, { force: true });
}

/** Write `data` to `path` atomically with `mode` (the file's owner is kept; a symlink is followed). */
export function atomicWrite(path: string, data: string | Buffer, mode: number): void {
  const t = resolveWriteTarget(path);
  commit(stage(t.real, data, mode, t.existing, t.existing === null));
}

/** Remove temp files an interrupted run left next to `path`. */
export function cleanStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}${TMP_MARK}`;
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length).split("-")[0]);
    if (pid && pid !== process.pid && processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, n));
      removed.push(join(dir, n));
    } catch {
      // already gone
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface ManifestEntry {
  path: string;
  backup: string | null;
  mode: number;
  sha256: string | null;
  existed: boolean;
}

export interface Manifest {
  version: 1;
  createdAt: string;
  stateDir: string;
  configPath: string;
  files: ManifestEntry[];
  modes: { path: string; mode: number }[];
}

function sha(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}

function stamp(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, "-");
}

/**
 * Copy everything the plan touches into a new backup dir; the manifest is written last, so an
 * interrupted backup is never taken for a complete one. A backup that fails is removed.
 */
export function makeBackup(plan: FixPlan): string {
  const root = backupRoot(plan.stateDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(join(plan.stateDir, ".clawpatrol"), 0o700);
  chmodSync(root, 0o700);
  let dir = join(root, stamp());
  for (let i = 1; existsSync(dir); i++) dir = join(root, `${stamp()}-${i}`);
  mkdirSync(dir, { mode: 0o700 });
  try {
    const files: ManifestEntry[] = [];
    plan.files.forEach((f, i) => {
      if (!existsSync(f.path)) {
        files.push({ path: f.path, backup: null, mode: 0o600, sha256: null, existed: false });
        return;
      }
      const buf = readFileSync(f.path);
      const name = `${i}-${basename(f.path)}`;
      atomicWrite(join(dir, name), buf, 0o600);
      files.push({
        path: f.path,
        backup: name,
        mode: statSync(f.path).mode & 0o7777,
        sha256: sha(buf),
        existed: true,
      });
    });
    const modes = plan.modes.map((m) => ({ path: m.path, mode: m.from }));
    const manifest: Manifest = {
      version: 1,
      createdAt: new Date().toISOString(),
      stateDir: plan.stateDir,
      configPath: plan.configPath,
      files,
      modes,
    };
    atomicWrite(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

export interface ApplyResult {
  backupDir: string;
  written: string[];
  chmodded: string[];
}

/**
 * Carry out a plan, or change nothing and throw a RunError (one line). Order: check every
 * target (kind, writability, unchanged since planned) → back up → stage every new file (a
 * full disk fails here, before anything is replaced) → rename each into place. A rename that
 * fails after others succeeded puts those back from the backup.
 */
export function applyPlan(plan: FixPlan): ApplyResult {
  const targets = plan.files.map((f) => {
    let t: WriteTarget;
    try {
      t = resolveWriteTarget(f.path);
    } catch (err) {
      throw new RunError(`refusing to write: ${(err as Error).message}; nothing was changed`);
    }
    const why = unwritableReason(t);
    if (why) throw new RunError(`refusing to write: ${why}; nothing was changed`);
    // a new config is planned from "{}\n"; an existing one must still hold what was planned from
    const now = t.existing ? readFileSync(t.real, "utf8") : "{}\n";
    if (now !== f.before)
      throw new RunError(
        `${f.path} changed after it was read; run clawpatrol fix again. Nothing was changed`,
      );
    cleanStaleTemps(t.real);
    return t;
  });
  let backupDir: string;
  try {
    backupDir = makeBackup(plan);
  } catch (err) {
    throw new RunError(
      `cannot back up before fixing (${errCode(err)} in ${backupRoot(plan.stateDir)}); nothing was changed`,
    );
  }
  const staged: Staged[] = [];
  plan.files.forEach((f, i) => {
    const t = targets[i]!;
    try {
      staged.push(stage(t.real, f.after, f.mode, t.existing, t.existing === null));
    } catch (err) {
      discard(staged);
      throw new RunError(`cannot write beside ${t.real} (${errCode(err)}); nothing was changed`);
    }
  });
  const written: string[] = [];
  for (const [i, s] of staged.entries()) {
    try {
      commit(s);
      written.push(plan.files[i]!.path);
    } catch (err) {
      discard(staged.slice(i + 1));
      const undone = restoreWritten(backupDir, written);
      throw new RunError(
        `cannot replace ${s.target} (${errCode(err)}); ${written.length ? (undone ? "the files already written were restored from the backup" : `restore from ${backupDir} with clawpatrol fix --rollback`) : "nothing was changed"}`,
      );
    }
  }
  const chmodded: string[] = [];
  for (const m of plan.modes) {
    if (written.includes(m.path)) continue;
    try {
      chmodSync(m.path, m.to);
      chmodded.push(m.path);
    } catch {
      // vanished meanwhile
    }
  }
  return { backupDir, written, chmodded };
}

/** Put back files of this run from its backup (after a failed rename); false if any could not be. */
function restoreWritten(backupDir: string, paths: string[]): boolean {
  let ok = true;
  try {
    const manifest = JSON.parse(readFileSync(join(backupDir, "manifest.json"), "utf8")) as Manifest;
    for (const p of paths) {
      const e = manifest.files.find((f) => f.path === p);
      if (!e) continue;
      try {
        if (!e.existed || !e.backup) rmSync(p, { force: true });
        else atomicWrite(p, readFileSync(join(backupDir, e.backup)), e.mode & 0o7777);
      } catch {
        ok = false;
      }
    }
  } catch {
    return false;
  }
  return ok;
}

/** Newest backup with a complete manifest for this state dir (or null). */
export function latestBackup(stateDir: string): { dir: string; manifest: Manifest } | null {
  const root = backupRoot(stateDir);
  let names: string[] = [];
  try {
    names = readdirSync(root)
      .filter((n) => !n.endsWith(".restored"))
      .sort();
  } catch {
    return null;
  }
  for (const n of names.reverse()) {
    const p = join(root, n, "manifest.json");
    try {
      const manifest = JSON.parse(readFileSync(p, "utf8")) as Manifest;
      if (manifest.version === 1) return { dir: join(root, n), manifest };
    } catch {
      // incomplete backup (interrupted before its manifest): skip it
    }
  }
  return null;
}

export interface RollbackResult {
  dir: string;
  restored: string[];
  modes: string[];
  problems: string[];
}

export function rollback(stateDir: string): RollbackResult | null {
  const b = latestBackup(stateDir);
  if (!b) return null;
  const restored: string[] = [];
  const modes: string[] = [];
  const problems: string[] = [];
  for (const f of b.manifest.files) {
    cleanStaleTemps(f.path);
    if (!f.existed || !f.backup) {
      rmSync(f.path, { force: true });
      restored.push(f.path);
      continue;
    }
    const buf = readFileSync(join(b.dir, f.backup));
    if (f.sha256 && sha(buf) !== f.sha256) {
      problems.push(`${f.backup} does not match its checksum; ${f.path} left as is`);
      continue;
    }
    try {
      atomicWrite(f.path, buf, f.mode & 0o7777);
      restored.push(f.path);
    } catch (err) {
      problems.push(`cannot restore ${f.path}: ${(err as Error).message}`);
    }
  }
  for (const m of b.manifest.modes) {
    if (restored.includes(m.path)) continue;
    try {
      chmodSync(m.path, m.mode);
      modes.push(m.path);
    } catch {
      problems.push(`cannot restore the mode of ${m.path}`);
    }
  }
  if (problems.length === 0) renameSync(b.dir, `${b.dir}.restored`);
  return { dir: b.dir, restored, modes, problems };
}
