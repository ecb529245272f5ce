// Exit codes and the errors that map to them. A user never sees a stack trace: usage
// errors are one line and exit 2; anything unexpected is summarised in one line and the
// details go to a file whose path is printed.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capText, escapeOneLine } from "../util/text.ts";

export const EXIT = {
  ok: 0,
  /** Findings at or above --fail-on were reported. */
  findings: 1,
  /** The command line or an input file was invalid. */
  usage: 2,
  /** The job could not run (I/O error, internal error). */
  error: 3,
} as const;

/** Bad invocation or bad user input: printed as one line, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure the user can act on (file unreadable, database down): one line, exit 3. */
export class RunError extends Error {
  override name = "RunError";
}

/** One line, control and escape bytes made visible (messages quote user input), bounded. */
function oneLine(text: string): string {
  return escapeOneLine(capText(text.replace(/\s*\n\s*/g, " ").trim(), 2000).text);
}

/** Text of anything thrown, without ever throwing itself (a null-prototype object, a hostile getter). */
function textOf(value: unknown, pick: (e: Error) => string | undefined): string {
  try {
    if (value instanceof Error) return String(pick(value) ?? value.message);
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return "unprintable error value";
    }
  }
}

/** Print an error the way the CLI always does and return the exit code to use. */
export function reportError(
  err: unknown,
  stderr: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (err instanceof UsageError) {
    stderr(`clawpatrol: ${oneLine(err.message)}\n`);
    return EXIT.usage;
  }
  if (err instanceof RunError) {
    stderr(`clawpatrol: ${oneLine(err.message)}\n`);
    return EXIT.error;
  }
  const message = textOf(err, (e) => e.message);
  let where = "";
  try {
    const file = join(tmpdir(), `clawpatrol-error-${process.pid}-${Date.now()}.log`);
    const details = textOf(err, (e) => e.stack);
    writeFileSync(file, `${new Date().toISOString()}\n${process.argv.join(" ")}\n\n${details}\n`, {
      mode: 0o600,
    });
    where = ` (details in ${file})`;
  } catch {
    // Nowhere to write details: the one-line message is all we can give.
  }
  stderr(`clawpatrol: internal error: ${oneLine(message)}${where}\n`);
  return EXIT.error;
}
