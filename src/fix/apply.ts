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
  fsyncSync,
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
import type { FixPlan } from "./plan.ts";

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

/** Write `data` to `path` atomically with `mode`. */
export function atomicWrite(path: string, data: string | Buffer, mode: number): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}${TMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`);
  const fd = openSync(tmp, "wx", mode);
  try {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  chmodSync(tmp, mode); // openSync's mode is masked by umask
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
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

/** Copy everything the plan touches into a new backup dir; the manifest is written last. */
export function makeBackup(plan: FixPlan): string {
  const root = backupRoot(plan.stateDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(join(plan.stateDir, ".clawpatrol"), 0o700);
  chmodSync(root, 0o700);
  let dir = join(root, stamp());
  for (let i = 1; existsSync(dir); i++) dir = join(root, `${stamp()}-${i}`);
  mkdirSync(dir, { mode: 0o700 });
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
  return dir;
}

export interface ApplyResult {
  backupDir: string;
  written: string[];
  chmodded: string[];
}

export function applyPlan(plan: FixPlan): ApplyResult {
  for (const f of plan.files) cleanStaleTemps(f.path);
  const backupDir = makeBackup(plan);
  const written: string[] = [];
  for (const f of plan.files) {
    atomicWrite(f.path, f.after, f.mode);
    written.push(f.path);
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
    atomicWrite(f.path, buf, f.mode & 0o777);
    restored.push(f.path);
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
