// Where a command's output goes: stdout, or a file given with -o. A file is written to a
// temporary name and renamed into place when the job ends, so a crash never leaves a
// half-written report under the final name; records written so far stay in the .partial
// file for inspection.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { RunError, UsageError } from "./errors.ts";

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

export function openOutput(path: string | undefined): OutputSink {
  if (!path || path === "-") {
    return {
      write: (chunk) => {
        process.stdout.write(chunk);
      },
      close: () => {},
      isTty: process.stdout.isTTY === true,
    };
  }
  const partial = `${path}.partial`;
  let file: BufferedFile;
  let fd: number;
  try {
    fd = openSync(partial, "w", 0o644);
    file = new BufferedFile(fd, partial);
  } catch (err) {
    throw new RunError(
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return {
    write: (chunk) => file.write(chunk),
    close: () => {
      file.close();
      fsyncSync(fd);
      closeSync(fd);
      renameSync(partial, path);
    },
    isTty: false,
  };
}

/** Every output format a command can offer with --format; each command picks the ones that fit. */
export const OUTPUT_FORMATS = ["text", "json", "ndjson", "sarif", "ocsf", "cef", "stix"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The --format option parser for a command that offers `allowed`. */
export function formatOption(allowed: readonly OutputFormat[]): (value: string) => OutputFormat {
  return (value: string) => {
    const v = value.trim().toLowerCase();
    if (!(allowed as readonly string[]).includes(v))
      throw new UsageError(`--format must be one of ${allowed.join(", ")} (got "${value}")`);
    return v as OutputFormat;
  };
}

/**
 * The one output format of a run: --format, or the older --json / --sarif spellings of it.
 * Two that disagree are a usage error; `same` maps formats that mean the same output (scan's
 * json and ndjson) to one name.
 */
export function chooseFormat(
  flags: { format?: OutputFormat; json?: boolean; sarif?: boolean },
  same: Partial<Record<OutputFormat, OutputFormat>> = {},
): OutputFormat {
  const picked: [string, OutputFormat][] = [];
  if (flags.format !== undefined) picked.push([`--format ${flags.format}`, flags.format]);
  if (flags.json) picked.push(["--json", "json"]);
  if (flags.sarif) picked.push(["--sarif", "sarif"]);
  const norm = (f: OutputFormat) => same[f] ?? f;
  for (const [name, f] of picked.slice(1))
    if (norm(f) !== norm(picked[0]![1]))
      throw new UsageError(`${picked[0]![0]} and ${name} cannot be used together: pick one output format`);
  return norm(picked[0]?.[1] ?? "text");
}
