// Where a command's output goes: stdout, or a file given with -o. A file is written to a
// temporary name and renamed into place when the job ends, so a crash never leaves a
// half-written report under the final name; records written so far stay in the .partial
// file for inspection.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { RunError, UsageError } from "./errors.ts";

export interface OutputSink {
  write(text: string): void;
  close(): void;
  readonly isTty: boolean;
}

export function openOutput(path: string | undefined): OutputSink {
  if (!path || path === "-") {
    return {
      write: (text) => {
        process.stdout.write(text);
      },
      close: () => {},
      isTty: process.stdout.isTTY === true,
    };
  }
  const partial = `${path}.partial`;
  let fd: number;
  try {
    fd = openSync(partial, "w", 0o644);
  } catch (err) {
    throw new RunError(
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return {
    write: (text) => {
      writeSync(fd, text);
    },
    close: () => {
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
