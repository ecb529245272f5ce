// Where the PGlite store lives and who holds it. Kept apart from db.ts (which loads drizzle
// and the database driver) so that a command can find and check the store without loading
// them: `scan --store` opens the database on a thread of its own and its own thread checks
// only this.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home =
    env.CLAWPATROL_HOME && env.CLAWPATROL_HOME !== "" ? env.CLAWPATROL_HOME : join(homedir(), ".clawpatrol");
  return join(home, "db");
}

export class StoreBusyError extends Error {
  override name = "StoreBusyError";
  /** The PGlite data directory, and the process that holds it (0 when unknown). */
  readonly dir: string | null;
  readonly owner: number;

  constructor(message: string, dir: string | null = null, owner = 0) {
    super(message);
    this.dir = dir;
    this.owner = owner;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live process holding the PGlite store in `dir` (not this one), or null when it is free. */
export function lockOwner(dir: string): number | null {
  let owner: number;
  try {
    owner = Number(readFileSync(join(dir, "clawpatrol.lock"), "utf8").trim());
  } catch {
    return null;
  }
  return Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner) ? owner : null;
}

/**
 * PGlite is one process's database: two processes on one data directory would corrupt it.
 * A lock file holds the owner's pid; a lock left by a process that is gone (killed) is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, "clawpatrol.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let owner = 0;
      try {
        owner = Number(readFileSync(path, "utf8").trim());
      } catch {
        continue;
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner))
        throw new StoreBusyError(
          `the store ${dir} is in use by process ${owner} (PGlite allows one process; wait for it to finish, or use DATABASE_URL for shared use)`,
          dir,
          owner,
        );
      rmSync(path, { force: true });
    }
  }
  throw new StoreBusyError(`cannot lock the store ${dir}`);
}
