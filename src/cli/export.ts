// `clawpatrol export`: the store as NDJSON scan records, or its findings as OCSF, CEF, SARIF or STIX.
import type { Command } from "commander";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { openOutput } from "../core/output.ts";
import { VERSION } from "../core/version.ts";
import type { ExportItem } from "../findings/export-item.ts";

const FORMATS = ["ndjson", "ocsf", "cef", "sarif", "stix"] as const;
type Format = (typeof FORMATS)[number];

interface ExportFlags {
  format: string;
  run?: string;
  since?: string;
  output?: string;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "export the store: scan records as NDJSON, or findings as OCSF (NDJSON), CEF, SARIF 2.1.0 or a STIX 2.1 bundle",
    )
    .option("-f, --format <format>", `one of ${FORMATS.join(", ")}`, "ndjson")
    .option("--run <id>", "only this run (ndjson)")
    .option("--since <time>", "only records scanned / findings last seen at or after this time")
    .option("-o, --output <file>", "write to FILE instead of stdout")
    .action(async (flags: ExportFlags) => {
      if (!(FORMATS as readonly string[]).includes(flags.format))
        throw new UsageError(`--format: one of ${FORMATS.join(", ")} (got "${flags.format}")`);
      const format = flags.format as Format;
      let since: string | undefined;
      if (flags.since !== undefined) {
        const ms = Date.parse(flags.since);
        if (Number.isNaN(ms)) throw new UsageError(`--since: not a date or time: "${flags.since}"`);
        since = new Date(ms).toISOString();
      }
      const { openStore } = await import("../store/db.ts");
      const q = await import("../store/query.ts");
      const store = await openStore().catch((err: Error) => {
        throw new RunError(`cannot open the store: ${err.message}`);
      });
      const out = openOutput(flags.output);
      const tool = { name: "clawpatrol", version: VERSION };
      try {
        if (format === "ndjson") {
          const { observationSchema } = await import("../fingerprints/observation-schema.ts");
          for await (const r of q.streamRecords(store.db, {
            ...(flags.run ? { runId: flags.run } : {}),
            ...(since ? { since } : {}),
          })) {
            // Through the schema again: jsonb does not keep key order, the schema's order is the documented one.
            out.write(`${JSON.stringify(observationSchema.parse(r))}\n`);
          }
        } else {
          const items: ExportItem[] = await q.listFindings(store.db, since ? { since } : {});
          const { findingWriter } = await import("../findings/export.ts");
          const writer = findingWriter(format, (t) => out.write(t), tool);
          writer.add(items);
          writer.finish();
        }
      } finally {
        out.close();
        await store.close();
      }
      process.exitCode = EXIT.ok;
    });
}
