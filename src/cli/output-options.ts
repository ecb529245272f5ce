// The output flags every results-printing command declares the same way: -f/--format, the
// --json and --sarif shorthands, -o/--output and (for commands that report findings) --fail-on.
// What they do is src/cli/command-output.ts.
import type { Command } from "commander";
import { formatOption } from "../core/formats.ts";
import { DEFAULT_FAIL_ON, type OutputSpec, parseFailOn } from "./command-output.ts";

export function addOutputOptions(cmd: Command, spec: OutputSpec): Command {
  const [first] = spec.formats;
  const described = spec.formats.map((f) => (spec.meaning?.[f] ? `${f} (${spec.meaning[f]})` : f)).join(", ");
  cmd.option(
    "-f, --format <format>",
    `output format: ${described}; default ${first}`,
    formatOption(spec.formats),
  );
  if (spec.formats.includes("json") && first !== "json") cmd.option("--json", "same as --format json");
  if (spec.formats.includes("sarif")) cmd.option("--sarif", "same as --format sarif");
  cmd.option(
    "-o, --output <file>",
    "write to FILE instead of stdout (a file is replaced only when complete; a FIFO or device is written in place)",
  );
  if (spec.findings)
    cmd.option(
      "--fail-on <severity>",
      `exit 1 when a finding is at or above this severity: info, low, medium, high, critical, or none (default ${DEFAULT_FAIL_ON})`,
      parseFailOn,
    );
  if (spec.suppressible)
    cmd
      .option(
        "--ignore-file <file>",
        "suppressions file (default ./.clawpatrol-ignore.yml when there is one)",
      )
      .option("--show-suppressed", "also list suppressed findings (never in exports or the --fail-on gate)")
      .option(
        "--store-suppressions",
        "also apply the suppressions kept in the store (added from the dashboard)",
      )
      .option(
        "--baseline <file|run>",
        "known findings that do not fail the gate: a --write-baseline file, an earlier JSON/NDJSON result, or a store run id",
      )
      .option(
        "--write-baseline <file>",
        "record this run's findings (suppressed ones left out) as a baseline",
      );
  return cmd;
}
