// Where a fix writes, decided before anything is written. A symlinked config is followed to
// the file it names (the link stays; the file beside the target is replaced); a FIFO, device,
// directory or dangling link is refused; so is a config or directory that is read-only (no
// write bit at all, which root would otherwise ignore) or not writable by this user, and a
// file owned by someone else when this user cannot give it back to them.
import { accessSync, constants, lstatSync, realpathSync, type Stats, statSync } from "node:fs";
import { dirname } from "node:path";
import { describeKind } from "../core/text-file.ts";

export interface WriteTarget {
  /** The path the config is known by (may be a symlink). */
  path: string;
  /** Where the bytes go: the symlink's final target, or `path` itself. */
  real: string;
  /** The file as it is now; null when it does not exist yet (then it is created, never replacing anything). */
  existing: { mode: number; uid: number; gid: number } | null;
}

/** A reason not to write, one line naming the path. */
export class TargetRefusal extends Error {
  override name = "TargetRefusal";
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
const oct = (m: number) => (m & 0o7777).toString(8).padStart(3, "0");

/** Resolve `path` to the file a fix would replace, or throw TargetRefusal. */
export function resolveWriteTarget(path: string): WriteTarget {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch (err) {
    if (code(err) !== "ENOENT") throw new TargetRefusal(`${path}: cannot examine it (${code(err)})`);
    const dir = dirname(path);
    let dirSt: Stats;
    try {
      dirSt = statSync(dir);
    } catch {
      throw new TargetRefusal(`${path}: its directory ${dir} does not exist`);
    }
    if (!dirSt.isDirectory()) throw new TargetRefusal(`${path}: ${dir} is not a directory`);
    return { path, real: path, existing: null };
  }
  let real = path;
  if (link.isSymbolicLink()) {
    try {
      real = realpathSync(path);
    } catch (err) {
      throw new TargetRefusal(
        code(err) === "ENOENT"
          ? `${path}: a symlink to something that does not exist`
          : `${path}: cannot follow the symlink (${code(err)})`,
      );
    }
  }
  const st = real === path ? link : statSync(real);
  if (!st.isFile())
    throw new TargetRefusal(
      `${path}${real !== path ? ` (→ ${real})` : ""}: ${describeKind(st)}, not a config file`,
    );
  return { path, real, existing: { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid } };
}

/** Why this target must not be written (read-only, not ours, not writable); null when it may. */
export function unwritableReason(t: WriteTarget): string | null {
  const dir = dirname(t.real);
  const shown = t.real !== t.path ? `${t.path} (→ ${t.real})` : t.path;
  if (t.existing) {
    if ((t.existing.mode & 0o222) === 0)
      return `${shown} is read-only (mode ${oct(t.existing.mode)}); make it writable if clawpatrol should change it`;
    try {
      accessSync(t.real, constants.W_OK);
    } catch (err) {
      return `${shown} is not writable by this user (${code(err)}); run as the gateway's owner`;
    }
    const uid = process.getuid?.();
    if (uid !== undefined && uid !== 0 && uid !== t.existing.uid)
      return `${shown} belongs to uid ${t.existing.uid}; run as its owner so it keeps its owner`;
  }
  let dirMode: number;
  try {
    dirMode = statSync(dir).mode;
  } catch (err) {
    return `${dir} cannot be examined (${code(err)})`;
  }
  if ((dirMode & 0o222) === 0)
    return `${dir} is read-only (mode ${oct(dirMode)}); a safe rewrite needs a new file beside the config`;
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    return `${dir} is not writable by this user (${code(err)}); run as the gateway's owner`;
  }
  return null;
}
