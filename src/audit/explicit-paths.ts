// Checks the paths a user names with --state-dir and --config before anything is audited or
// fixed. A path the user typed that is missing or of the wrong kind is their mistake: one
// line naming the flag and the path (exit 2), never an audit of an empty or invented config.
// Auto-discovered locations are not checked here; absent ones are simply not reported.
import { lstatSync, type Stats, statSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../core/errors.ts";

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFile()) return "a file";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** stat that follows links; a dangling link and a missing path get their own one-line reasons. */
function statOrExplain(flag: string, path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      let link = false;
      try {
        link = lstatSync(path).isSymbolicLink();
      } catch {
        // nothing at all
      }
      throw new UsageError(
        link
          ? `${flag} ${path}: a symlink to something that does not exist`
          : `${flag} ${path}: no such path`,
      );
    }
    throw new UsageError(`${flag} ${path}: cannot access it (${code ?? (err as Error).message})`);
  }
}

/** The state dir must be an existing directory. Returns it absolute. */
export function checkStateDirArg(path: string): string {
  const abs = resolve(path);
  const st = statOrExplain("--state-dir", path);
  if (!st.isDirectory())
    throw new UsageError(
      `--state-dir ${path}: ${kindOf(st)}, not a directory${st.isFile() ? " (to name a config file, use --config)" : ""}`,
    );
  return abs;
}

/** The config must be an existing regular file (a symlink to one is fine). Returns it absolute. */
export function checkConfigArg(path: string): string {
  const abs = resolve(path);
  const st = statOrExplain("--config", path);
  if (st.isDirectory())
    throw new UsageError(
      `--config ${path}: a directory, not a config file (to name a state directory, use --state-dir)`,
    );
  if (!st.isFile()) throw new UsageError(`--config ${path}: ${kindOf(st)}, not a config file`);
  return abs;
}
