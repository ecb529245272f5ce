// Where an output path really leads, decided before any work starts. A scan that runs for an
// hour and then cannot write its report, or a report that silently turns a device node, a FIFO
// or a symlink into a regular file, is a tool losing the user's data. So every path given to
// -o (and to anything else that writes a file the user named) is classified first:
//
//   missing, parent is a directory  -> a new regular file, written atomically
//   regular file                    -> replaced atomically (temp file beside it, then rename)
//   symlink                         -> followed to its final target, which is then treated as above;
//                                      the link itself is kept
//   FIFO or character device        -> written in place (a reader, /dev/null, a terminal)
//   directory, socket, block device -> refused (exit 2)
//   missing parent, read-only file  -> refused (exit 2)
import { lstatSync, readlinkSync, type Stats, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { UsageError } from "./errors.ts";

export type Destination =
  | { kind: "stdout" }
  /** A regular file (new or existing) written to `path.partial` and renamed over `path`. */
  | { kind: "replace"; path: string; shown: string; existingMode: number | null }
  /** A FIFO or a character device: opened for writing as it is, never created or renamed. */
  | { kind: "in-place"; path: string; shown: string; what: "FIFO" | "character device" };

/** Symlinks followed at most this deep (Linux's own limit is 40). */
const MAX_LINKS = 40;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ENOTDIR") throw new UsageError(`${path}: a parent of this path is not a directory`);
    if (code === "EACCES") throw new UsageError(`${path}: permission denied`);
    throw new UsageError(`${path}: cannot be used as output (${code ?? (err as Error).message})`);
  }
}

/** The path a chain of symlinks ends at (which may not exist yet: a dangling link names a new file). */
function followLinks(shown: string): { path: string; stat: Stats | null } {
  let path = resolve(shown);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const stat = lstatOrNull(path);
    if (!stat?.isSymbolicLink()) return { path, stat };
    path = resolve(dirname(path), readlinkSync(path));
  }
  throw new UsageError(`${shown}: too many levels of symbolic links`);
}

/**
 * Classify an output path. `flag` names the option in messages (`-o`). Throws a UsageError,
 * naming the path, for every destination that cannot be written safely.
 */
export function checkDestination(shown: string | undefined, flag = "-o"): Destination {
  if (shown === undefined || shown === "-") return { kind: "stdout" };
  if (shown.trim() === "") throw new UsageError(`${flag}: the file name is empty`);
  const { path, stat } = followLinks(shown);
  const named = path === resolve(shown) ? shown : `${shown} (-> ${path})`;
  if (stat === null) {
    const parent = dirname(path);
    let parentStat: Stats;
    try {
      parentStat = statSync(parent);
    } catch {
      throw new UsageError(`${flag} ${named}: the directory ${parent} does not exist`);
    }
    if (!parentStat.isDirectory()) throw new UsageError(`${flag} ${named}: ${parent} is not a directory`);
    if (basename(path) === "") throw new UsageError(`${flag} ${named}: not a file name`);
    return { kind: "replace", path, shown: named, existingMode: null };
  }
  if (stat.isDirectory())
    throw new UsageError(`${flag} ${named}: is a directory; name a file inside it instead`);
  if (stat.isFIFO()) return { kind: "in-place", path, shown: named, what: "FIFO" };
  if (stat.isCharacterDevice()) return { kind: "in-place", path, shown: named, what: "character device" };
  if (stat.isSocket()) throw new UsageError(`${flag} ${named}: is a socket, not a file`);
  if (stat.isBlockDevice())
    throw new UsageError(`${flag} ${named}: is a block device; clawpatrol will not write to a disk`);
  // A regular file without any write bit was made read-only on purpose (root could still
  // replace it, since a rename needs only the directory): leave it alone.
  if ((stat.mode & 0o222) === 0)
    throw new UsageError(`${flag} ${named}: the file is read-only; choose another name or make it writable`);
  return { kind: "replace", path, shown: named, existingMode: stat.mode & 0o7777 };
}
