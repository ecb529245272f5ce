// Where a command's output goes: stdout, or a file given with -o. A file is written to a
// temporary name and renamed into place when the job ends, so a crash never leaves a
// half-written report under the final name; records written so far stay in the .partial
// file for inspection.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { RunError } from "./errors.ts";

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
