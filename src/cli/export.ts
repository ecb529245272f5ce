// `clawpatrol export`: the store as NDJSON scan records, or its findings as OCSF, CEF, SARIF or STIX.
import type { Command } from "commander";
import { EXIT, UsageError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import type { ExportItem } from "../findings/export-item.ts";
import type { StoreSession } from "../store/session-types.ts";
import { escapeOneLine } from "../util/text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";
import { type PlaceFlags, placeFilter } from "./place-flags.ts";

const EXPORT_OUTPUT: OutputSpec = {
  formats: ["ndjson", "json", "ocsf", "cef", "sarif", "stix"],
  meaning: {
    ndjson: "the stored scan records, schema clawpatrol.scan/v1",
    json: "same as ndjson",
    ocsf: "the stored findings",
    cef: "the stored findings",
    sarif: "the stored findings",
    stix: "the exposure picture: gateways, their addresses, AS, country, software, advisories, and the findings (the TAXII feed's objects)",
  },
  same: { json: "ndjson" },
};

interface ExportFlags extends OutputFlags, PlaceFlags {
  run?: string;
  since?: string;
}

/**
 * Stored findings less those the store's suppressions (added from the dashboard) hold back:
 * suppressed findings stay out of exports as they stay out of scan, audit and skills outputs.
 */
async function unsuppressed(store: StoreSession, items: ExportItem[]): Promise<ExportItem[]> {
  const held = await store.suppressions();
  if (held.length === 0) return items;
  const { matchSuppression, suppressionWarnings } = await import("../findings/suppress.ts");
  const kept = items.filter((i) => matchSuppression(i.finding, held) === null);
  for (const line of suppressionWarnings(held)) process.stderr.write(`clawpatrol: ${escapeOneLine(line)}\n`);
  if (kept.length < items.length)
    process.stderr.write(
      `clawpatrol: ${items.length - kept.length} suppressed finding(s) left out (the store's suppressions; \`clawpatrol policy suppressions\` lists them)\n`,
    );
  return kept;
}

export function registerExport(program: Command): void {
  const command = program
    .command("export")
    .description(
      "export the store: scan records as NDJSON, or findings as OCSF (NDJSON), CEF, SARIF 2.1.0 or a STIX 2.1 bundle",
    )
    .option("--run <id>", "only this run (ndjson)")
    .option("--since <time>", "only records scanned / findings last seen at or after this time")
    .option(
      "--country <cc>",
      "only records / gateways placed in this country (ISO 3166-1 alpha-2; ndjson, stix)",
    )
    .option(
      "--asn <n>",
      "only records / gateways whose address this AS routes (24940 or AS24940; ndjson, stix)",
    )
    .action(async (flags: ExportFlags) => {
      const out = openCommandOutput(flags, EXPORT_OUTPUT);
      const format = out.format;
      const place = placeFilter(flags);
      let since: string | undefined;
      if (flags.since !== undefined) {
        const ms = Date.parse(flags.since);
        if (Number.isNaN(ms)) throw new UsageError(`--since: not a date or time: "${flags.since}"`);
        since = new Date(ms).toISOString();
      }
      // The store itself, or the running dashboard's when `serve` holds it (src/store/session.ts).
      const { openCommandSession } = await import("../store/session.ts");
      const store = await openCommandSession();
      const tool = { name: "clawpatrol", version: VERSION };
      try {
        if (flags.run !== undefined && !(await store.runExists(flags.run)))
          throw new UsageError(`--run: no run ${flags.run} in the store; \`clawpatrol runs\` lists them`);
        if (format === "ndjson") {
          const { observationSchema } = await import("../scan/record-schema.ts");
          for await (const r of store.records({
            ...(flags.run ? { runId: flags.run } : {}),
            ...(since ? { since } : {}),
            ...place,
          })) {
            // Through the schema again: jsonb does not keep key order, the schema's order is the documented one.
            out.write(`${JSON.stringify(observationSchema.parse(r))}\n`);
          }
        } else if (format === "stix") {
          // The same objects serve's TAXII collection publishes (docs/taxii.md).
          const { exposureEntries, exposureBundle, placedPicture } = await import(
            "../findings/stix-picture.ts"
          );
          const items = await unsuppressed(store, await store.findings(since ? { since } : {}));
          let picture = { gateways: await store.gateways(), findings: items };
          if (place.country !== undefined || place.asn !== undefined) picture = placedPicture(picture, place);
          const entries = exposureEntries(picture, tool);
          const kept = since
            ? entries.filter(
                (e) => e.object.type === "identity" || Date.parse(e.dateAdded) >= Date.parse(since),
              )
            : entries;
          out.write(`${JSON.stringify(exposureBundle(kept), null, 2)}\n`);
        } else {
          const items = await unsuppressed(store, await store.findings(since ? { since } : {}));
          const { findingWriter } = await import("../findings/export.ts");
          const writer = findingWriter(format as "ocsf" | "cef" | "sarif", (t) => out.write(t), tool);
          writer.add(items);
          writer.finish();
        }
      } finally {
        await store.close();
      }
      // Only a complete export replaces the file (a failure above leaves the old one in place).
      out.close();
      process.exitCode = EXIT.ok;
    });
  addOutputOptions(command, EXPORT_OUTPUT);
}
