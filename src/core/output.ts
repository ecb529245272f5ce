// Where a command's output goes: stdout, or a file given with -o. A file is written to a
// temporary name and renamed into place when the job ends, so a crash never leaves a
// half-written report under the final name; records written so far stay in the .partial
// file for inspection.
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { checkDestination, type Destination } from "./destination.ts";
import { RunError } from "./errors.ts";

/** Text, or bytes already encoded as UTF-8 (a scan record's shared advisory list). */
export type OutputChunk = string | Uint8Array;

export interface OutputSink {
  write(chunk: OutputChunk): void;
  close(): void;
  readonly isTty: boolean;
}

/** Bytes held before a write to the file; a larger chunk goes out on its own. */
const FILE_BUFFER_BYTES = 256 * 1024;
/** The longest a chunk waits in memory, so `tail -f` on the .partial file stays current. */
const FILE_FLUSH_MS = 250;

/**
 * Output to a file descriptor in large writes. A scan writes hundreds of kilobytes per second
 * of NDJSON; one write per record spent a tenth of the main thread in system calls and in
 * widening each line to one string. Whatever is held is written before the process exits,
 * however it exits (a second Ctrl-C, an internal error), so nothing already reported is lost.
 */
class BufferedFile {
  private buffer = Buffer.allocUnsafe(FILE_BUFFER_BYTES);
  private used = 0;
  private timer: NodeJS.Timeout | null = null;
  /** A write that failed in the background (disk full); reported by the next write or close. */
  private failure: RunError | null = null;
  private readonly onExit = () => this.flushQuietly();
  private readonly fd: number;
  private readonly path: string;

  constructor(fd: number, path: string) {
    this.fd = fd;
    this.path = path;
    process.on("exit", this.onExit);
  }

  write(chunk: OutputChunk): void {
    if (this.failure) throw this.failure;
    // A string takes at most 3 bytes per UTF-16 unit in UTF-8.
    const most = typeof chunk === "string" ? chunk.length * 3 : chunk.length;
    if (this.used + most > this.buffer.length) this.flush();
    if (most > this.buffer.length) {
      this.writeOut(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return;
    }
    if (typeof chunk === "string") this.used += this.buffer.write(chunk, this.used);
    else {
      this.buffer.set(chunk, this.used);
      this.used += chunk.length;
    }
    this.timer ??= setTimeout(() => this.flushQuietly(), FILE_FLUSH_MS).unref();
  }

  flush(): void {
    if (this.failure) throw this.failure;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.used === 0) return;
    const held = this.buffer.subarray(0, this.used);
    this.used = 0;
    this.writeOut(held);
  }

  close(): void {
    process.off("exit", this.onExit);
    this.flush();
  }

  /** For the timer and process exit, where there is no caller to throw to. */
  private flushQuietly(): void {
    try {
      this.flush();
    } catch {
      // Kept in this.failure for the next write or close.
    }
  }

  private writeOut(bytes: Uint8Array): void {
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (err) {
      this.failure = new RunError(
        `cannot write ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
      throw this.failure;
    }
  }
}

export interface OpenOptions {
  /** Mode of a newly created file (an existing file keeps its own). Default 0o644. */
  mode?: number;
  /** The option that named the path, for messages. Default "-o". */
  flag?: string;
}

/**
 * Open where a command's results go: stdout for no path or "-", else the destination the path
 * leads to (see destination.ts), checked and opened now, before the command does its work.
 */
export function openOutput(path: string | undefined, opts: OpenOptions = {}): OutputSink {
  return openDestination(checkDestination(path, opts.flag), opts);
}

export function openDestination(dest: Destination, opts: OpenOptions = {}): OutputSink {
  if (dest.kind === "stdout") {
    return {
      write: (chunk) => {
        process.stdout.write(chunk);
      },
      close: () => {},
      isTty: process.stdout.isTTY === true,
    };
  }
  if (dest.kind === "in-place") {
    // Opened as it is: no O_CREAT (it exists), no O_TRUNC (a device or pipe has nothing to cut).
    // A FIFO blocks here until a reader opens it, as a shell redirection would.
    const fd = openOrFail(dest.shown, () => openSync(dest.path, constants.O_WRONLY | constants.O_NOCTTY));
    const file = new BufferedFile(fd, dest.shown);
    return {
      write: (chunk) => file.write(chunk),
      close: () => {
        try {
          file.close();
        } finally {
          closeSync(fd);
        }
      },
      isTty: false,
    };
  }
  const partial = `${dest.path}.partial`;
  const mode = dest.existingMode ?? opts.mode ?? 0o644;
  const fd = openOrFail(dest.shown, () => {
    // A .partial left by an earlier interrupted run is ours to replace; anything else there is not.
    const old = lstatIfAny(partial);
    if (old && (old.isFile() || old.isSymbolicLink())) unlinkSync(partial);
    const created = openSync(
      partial,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
    fchmodSync(created, mode); // the mode given to open is masked by the umask; keep the old file's
    return created;
  });
  const file = new BufferedFile(fd, dest.shown);
  let closed = false;
  let wrote = false;
  const abandon = () => {
    if (closed) return;
    closed = true;
    unfinished.delete(abandon);
    // Nothing written (the command failed before its first result): leave no trace. Results
    // already written stay in the .partial file, to be inspected, never under the final name.
    if (!wrote) discard(fd, partial);
    else {
      try {
        file.close();
      } catch {
        // kept what could be kept
      }
      closeSync(fd);
    }
  };
  unfinished.add(abandon);
  return {
    write: (chunk) => {
      wrote = true;
      try {
        file.write(chunk);
      } catch (err) {
        // A full disk: the partial file is of no use and takes the space; the old file is untouched.
        discard(fd, partial);
        closed = true;
        throw err;
      }
    },
    close: () => {
      if (closed) return;
      closed = true;
      unfinished.delete(abandon);
      try {
        file.close();
        fsyncSync(fd);
      } catch (err) {
        discard(fd, partial);
        throw err;
      }
      closeSync(fd);
      try {
        renameSync(partial, dest.path);
      } catch (err) {
        throw new RunError(`cannot write ${dest.shown}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      syncDir(dirname(dest.path));
    },
    isTty: false,
  };
}

/** Files opened for -o and not yet closed, each with how to abandon it. */
const unfinished = new Set<() => void>();

/**
 * The command failed: abandon every output it opened. A file that got no results is removed
 * (a mistyped flag leaves no empty .partial behind); one with results keeps them in .partial.
 */
export function abandonOpenOutputs(): void {
  for (const abandon of [...unfinished]) abandon();
}

function openOrFail(shown: string, open: () => number): number {
  try {
    return open();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EROFS"
          ? "read-only file system"
          : code === "ENOSPC"
            ? "no space left on the device"
            : (code ?? (err as Error).message);
    throw new RunError(`cannot write ${shown}: ${why}`);
  }
}

function lstatIfAny(path: string): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function discard(fd: number, partial: string): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
  try {
    unlinkSync(partial);
  } catch {
    // nothing to remove
  }
}

/** Make the rename itself durable: a power cut after it must not bring the old file back. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename still happened.
  }
}
