// The file a running `clawpatrol serve` leaves in the PGlite data directory it holds, so that
// other commands can reach the store through it instead of failing on the lock: the dashboard's
// loopback URL and a secret made for this run. Mode 600, like the store itself: whoever can
// read it could open the store files anyway.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

export const SERVE_FILE = "clawpatrol-serve.json";

export interface ServeEndpoint {
  pid: number;
  /** http://127.0.0.1:PORT/ (a loopback URL even when serve listens on more). */
  url: string;
  /** Bearer secret of the store API (/api/store/*); new every time serve starts. */
  secret: string;
}

export const serveFilePath = (dir: string) => join(dir, SERVE_FILE);

/** Write the file (replacing one a killed serve left); returns how to remove it. */
export function writeServeFile(dir: string, endpoint: ServeEndpoint): () => void {
  const path = serveFilePath(dir);
  rmSync(path, { force: true });
  // O_EXCL with mode 600: the secret is never readable by others, not even for a moment.
  const fd = openSync(path, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(endpoint)}\n`);
  } finally {
    closeSync(fd);
  }
  return () => {
    try {
      const now = readServeFile(dir);
      if (now === null || now.pid === endpoint.pid) rmSync(path, { force: true });
    } catch {
      // Already gone.
    }
  };
}

/**
 * The endpoint of the serve holding `dir`, or null: no file, not ours (owner or mode), not
 * well-formed, or written by another process than `owner` (the lock holder).
 */
export function readServeFile(dir: string, owner?: number): ServeEndpoint | null {
  const path = serveFilePath(dir);
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile() || (st.mode & 0o077) !== 0) return null;
    if (typeof process.getuid === "function" && st.uid !== process.getuid()) return null;
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<ServeEndpoint>;
    if (!Number.isInteger(v.pid) || typeof v.url !== "string" || typeof v.secret !== "string") return null;
    if (owner !== undefined && owner > 0 && v.pid !== owner) return null;
    const u = new URL(v.url);
    if (u.protocol !== "http:") return null;
    return { pid: v.pid!, url: v.url, secret: v.secret };
  } catch {
    return null;
  }
}
