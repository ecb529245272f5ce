// The registry of output formats. Every command that prints results offers some of these with
// --format (and -o); what a format is, is said here once. What each means for one command
// (which schema its JSON follows, what its SARIF holds) the command says in its OutputSpec.
import { UsageError } from "./errors.ts";

export const OUTPUT_FORMATS = {
  text: "for people: aligned columns or a report, colour only on a terminal",
  json: "one JSON document (or NDJSON where records stream), with a versioned schema",
  ndjson: "one JSON object per line",
  sarif: "SARIF 2.1.0 log of the findings (GitHub code scanning, GitLab, IDEs)",
  ocsf: "OCSF 1.x Detection Finding events, one per line (SIEMs)",
  cef: "ArcSight Common Event Format, one event per line (syslog SIEMs)",
  stix: "a STIX 2.1 bundle of the findings (threat-intel platforms)",
} as const;

export type OutputFormat = keyof typeof OUTPUT_FORMATS;

export function isOutputFormat(value: string): value is OutputFormat {
  return Object.hasOwn(OUTPUT_FORMATS, value);
}

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
 * json and ndjson) to one name. Without any, `fallback` (the command's first format).
 */
export function chooseFormat(
  flags: { format?: OutputFormat; json?: boolean; sarif?: boolean },
  same: Partial<Record<OutputFormat, OutputFormat>> = {},
  fallback: OutputFormat = "text",
): OutputFormat {
  const picked: [string, OutputFormat][] = [];
  if (flags.format !== undefined) picked.push([`--format ${flags.format}`, flags.format]);
  if (flags.json) picked.push(["--json", "json"]);
  if (flags.sarif) picked.push(["--sarif", "sarif"]);
  const norm = (f: OutputFormat) => same[f] ?? f;
  for (const [name, f] of picked.slice(1))
    if (norm(f) !== norm(picked[0]![1]))
      throw new UsageError(`${picked[0]![0]} and ${name} cannot be used together: pick one output format`);
  return norm(picked[0]?.[1] ?? fallback);
}
