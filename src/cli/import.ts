// `clawpatrol import <files...>`: load scan records produced elsewhere into the store: clawpatrol
// NDJSON, or a masscan / ZMap / nmap / Shodan / Censys export stored as unverified records.
import type { Command } from "commander";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../targets/exports/types.ts";
import { escapeOneLine } from "../util/text.ts";
import { intOption } from "./options.ts";

interface ImportFlags {
  batchSize: number;
  inputFormat?: string;
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "load scan records into the store without contacting anyone: clawpatrol NDJSON, or a masscan, ZMap, nmap, Shodan or Censys export (stored unverified, with its source); the same file imported twice counts once",
    )
    .argument(
      "<files...>",
      "NDJSON from `clawpatrol scan --json`, or scan exports (format auto-detected; .gz read too)",
    )
    .option(
      "--input-format <format>",
      `the files' format instead of detecting it: ${EXPORT_FORMATS.join(", ")}`,
    )
    .option("--batch-size <n>", "records per transaction", intOption("--batch-size", 1, 10_000), 500)
    .action(async (files: string[], flags: ImportFlags) => {
      const { openCommandSession } = await import("../store/session.ts");
      const { importInto } = await import("../store/import.ts");
      const { summaryLine } = await import("../store/runs.ts");
      const { accessSync } = await import("node:fs");
      const { tallyLine } = await import("../targets/exports/registry.ts");
      const format = flags.inputFormat;
      if (format !== undefined && !(EXPORT_FORMATS as readonly string[]).includes(format))
        throw new UsageError(`--input-format: "${format}" is not one of ${EXPORT_FORMATS.join(", ")}`);
      for (const f of files) {
        try {
          accessSync(f);
        } catch (err) {
          throw new RunError(`cannot read "${f}": ${(err as NodeJS.ErrnoException).code}`);
        }
      }
      // Large exports are read with the scan's heap flags, in a child (src/cli/scan-from.ts).
      const { exportsAreLarge } = await import("./scan-from.ts");
      const { canRelaunchWithHeapFlags, relaunchWithHeapFlags } = await import("../scan/relaunch.ts");
      if (exportsAreLarge(files) && canRelaunchWithHeapFlags()) {
        process.exitCode = await relaunchWithHeapFlags(null);
        return;
      }
      // The store itself, or the running dashboard's when `serve` holds it (src/store/session.ts).
      const store = await openCommandSession();
      let bad = 0;
      try {
        for (const f of files) {
          const r = await importInto(store, f, {
            batchSize: flags.batchSize,
            ...(format ? { format: format as ExportFormat } : {}),
          });
          for (const rej of r.rejected)
            process.stderr.write(
              `clawpatrol: ${escapeOneLine(f)}:${rej.line}: rejected: ${escapeOneLine(rej.reason)}\n`,
            );
          if (r.rejectedCount > r.rejected.length)
            process.stderr.write(
              `clawpatrol: ${escapeOneLine(f)}: ${r.rejectedCount - r.rejected.length} more lines rejected\n`,
            );
          bad += r.rejectedCount;
          const what =
            r.state === "already"
              ? "already imported"
              : r.state === "resumed"
                ? "resumed and completed"
                : "imported";
          process.stdout.write(
            `${escapeOneLine(f)}: ${what}: ${r.accepted} records, ${r.rejectedCount} rejected (run ${r.runId})\n`,
          );
          if (r.read.format !== "clawpatrol" || r.read.skipped > 0)
            process.stderr.write(`clawpatrol: ${escapeOneLine(tallyLine(f, r.read))}\n`);
          if (r.summary) process.stderr.write(`clawpatrol: ${summaryLine(r.summary, store.where)}\n`);
        }
      } finally {
        await store.close();
      }
      process.exitCode = bad > 0 ? EXIT.usage : EXIT.ok;
    });
}
