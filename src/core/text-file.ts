// Reading a file the user named (a config, an ignore file) whole, with a size cap, or failing
// with one line. Opened without blocking and checked on the open descriptor, so a FIFO or a
// device never stalls the read and a file swapped after a check is still the one examined;
// reading stops one byte past the cap, so a file that grows meanwhile is refused, never cut
// short; a 64 MB file is refused before it is read instead of exhausting the heap in a parser.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from "node:fs";

export type TextFileProblem = "missing" | "dangling-link" | "not-a-file" | "too-large" | "unreadable";

/** Why a file could not be read whole. The message names neither the file nor the caller's flag. */
export class TextFileError extends Error {
  override name = "TextFileError";
  readonly kind: TextFileProblem;
  /** The errno code when the system gave one (ENOENT for a missing file). */
  readonly code: string | undefined;
  constructor(kind: TextFileProblem, message: string, code?: string) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

export interface TextFile {
  text: string;
  mode: number;
  mtimeMs: number;
  /** Invalid byte sequences were decoded as U+FFFD (as Node's readFileSync does). */
  invalidUtf8: boolean;
}

export function describeKind(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

// ignoreBOM keeps a leading BOM in the text, as readFileSync does: an edited file keeps it
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Read `path` whole as UTF-8, or throw a TextFileError. */
export function readTextFile(path: string, maxBytes: number): TextFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      let dangling = false;
      try {
        dangling = lstatSync(path).isSymbolicLink();
      } catch {
        // not there at all
      }
      if (dangling) throw new TextFileError("dangling-link", "a symlink to a file that does not exist", code);
      throw new TextFileError("missing", "no such file", code);
    }
    if (code === "EISDIR") throw new TextFileError("not-a-file", "a directory, not a file", code);
    throw new TextFileError("unreadable", `cannot read it (${code ?? (err as Error).message})`, code);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new TextFileError("not-a-file", `${describeKind(st)}, not a file`);
    if (st.size > maxBytes)
      throw new TextFileError("too-large", `${st.size} bytes, more than the ${maxBytes}-byte limit`);
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, 4096)));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len > maxBytes) break;
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, len * 2));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const got = readSync(fd, buf, len, buf.length - len, null);
      if (got === 0) break;
      len += got;
    }
    if (len > maxBytes)
      throw new TextFileError("too-large", `it grew past the ${maxBytes}-byte limit while being read`);
    const bytes = buf.subarray(0, len);
    let text: string;
    let invalidUtf8 = false;
    try {
      text = utf8Strict.decode(bytes);
    } catch {
      text = bytes.toString("utf8");
      invalidUtf8 = true;
    }
    return { text, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, invalidUtf8 };
  } catch (err) {
    if (err instanceof TextFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new TextFileError("unreadable", `cannot read it (${code ?? (err as Error).message})`, code);
  } finally {
    closeSync(fd);
  }
}
