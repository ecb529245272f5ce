// The one writer every command uses for its results: it settles the format (--format, or the
// older --json / --sarif spellings), checks and opens the -o destination before any work
// starts, and turns findings into the exit code under --fail-on. Commands only render text;
// where it goes and what the exit code is are decided here, the same way for all of them.

import { EXIT, UsageError } from "../core/errors.ts";
import { chooseFormat, type OutputFormat } from "../core/formats.ts";
import { type OutputChunk, type OutputSink, openOutput } from "../core/output.ts";
import { type Finding, isSeverity, reachesThreshold, type Severity } from "../findings/model.ts";
import { FindingGate, type GateFlags } from "../findings/suppress-gate.ts";

/** The --fail-on default of every command that reports findings. */
export const DEFAULT_FAIL_ON: Severity = "high";

export type FailOn = Severity | "none";

export interface OutputSpec {
  /** The formats this command offers; the first is the default. */
  formats: readonly OutputFormat[];
  /** What each format means for this command, for --help (the schema its JSON follows, ...). */
  meaning?: Partial<Record<OutputFormat, string>>;
  /** Formats that are the same output here (scan: json is ndjson). */
  same?: Partial<Record<OutputFormat, OutputFormat>>;
  /** The command reports findings: it takes --fail-on (default DEFAULT_FAIL_ON). */
  findings?: boolean;
  /**
   * Its findings can be suppressed (.clawpatrol-ignore.yml) and baselined: it takes
   * --ignore-file, --show-suppressed, --baseline and --write-baseline (src/findings/suppress-gate.ts).
   */
  suppressible?: boolean;
  /** Mode of a new -o file: 0o600 for reports that may quote secrets' locations. Default 0o644. */
  fileMode?: number;
}

/** The flags commander parsed for the options cli/output-options.ts declares. */
export interface OutputFlags extends GateFlags {
  format?: OutputFormat;
  json?: boolean;
  sarif?: boolean;
  output?: string;
  failOn?: FailOn | string;
}

export interface CommandOutput {
  readonly format: OutputFormat;
  readonly failOn: FailOn;
  /** True when results go to a terminal (colour, progress are allowed). */
  readonly isTty: boolean;
  readonly sink: OutputSink;
  /** Suppressions and baseline of a suppressible command (a gate that keeps everything otherwise). */
  readonly gate: FindingGate;
  write(chunk: OutputChunk): void;
  /** Finish the output: a file is renamed into place only now. */
  close(): void;
  /** EXIT.findings when a finding reaches --fail-on, else EXIT.ok. */
  exitCode(findings: Iterable<Pick<Finding, "severity">>): number;
}

export function parseFailOn(value: string): FailOn {
  const v = value.trim().toLowerCase();
  if (v === "none" || isSeverity(v)) return v;
  throw new UsageError(`--fail-on must be one of none, info, low, medium, high, critical (got "${value}")`);
}

/**
 * Open a command's output. Call it before the command's work: a bad format, --fail-on or
 * destination is exit 2 at once, not after an hour of scanning.
 */
export function openCommandOutput(flags: OutputFlags, spec: OutputSpec): CommandOutput {
  const format = chooseFormat(flags, spec.same, spec.formats[0]);
  if (!spec.formats.includes(format))
    throw new UsageError(`--format must be one of ${spec.formats.join(", ")} (got "${format}")`);
  const failOn: FailOn = !spec.findings
    ? "none"
    : flags.failOn === undefined
      ? DEFAULT_FAIL_ON
      : parseFailOn(flags.failOn);
  const gate = spec.suppressible ? FindingGate.open(flags) : FindingGate.none();
  const sink = openOutput(flags.output, spec.fileMode === undefined ? {} : { mode: spec.fileMode });
  return {
    format,
    failOn,
    isTty: sink.isTty,
    sink,
    gate,
    write: (chunk) => sink.write(chunk),
    close: () => sink.close(),
    exitCode: (findings) =>
      failOn !== "none" && reachesThreshold(findings, failOn) ? EXIT.findings : EXIT.ok,
  };
}
