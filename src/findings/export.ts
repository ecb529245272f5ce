// Writers for findings in the SIEM formats, shared by `export` (findings from the store) and by
// `scan`, `audit` and `skills scan --format` (findings of one run). OCSF and CEF are one line per
// finding and are written as findings arrive; SARIF and STIX are one document, written at the end.
import { toCef } from "./cef.ts";
import type { ExportItem } from "./export-item.ts";
import { findingId } from "./identity.ts";
import type { Finding } from "./model.ts";
import { toOcsf } from "./ocsf.ts";
import { toSarif } from "./sarif.ts";
import { toStixBundle } from "./stix.ts";

export type FindingFormat = "ocsf" | "cef" | "sarif" | "stix";

export interface Tool {
  name: string;
  version: string;
}

/** Findings of a one-off run as export items: the store's stable identity, first = last seen = `seen`. */
export function runItems(findings: Iterable<Finding>, seen: string): ExportItem[] {
  const out: ExportItem[] = [];
  for (const finding of findings)
    out.push({ id: findingId(finding), finding, firstSeen: seen, lastSeen: seen });
  return out;
}

export interface FindingWriter {
  add(items: Iterable<ExportItem>): void;
  /** Write what is held (the SARIF log or STIX bundle); line formats have nothing left. */
  finish(): void;
}

export function findingWriter(
  format: FindingFormat,
  write: (text: string) => void,
  tool: Tool,
): FindingWriter {
  if (format === "ocsf")
    return {
      add: (items) => {
        for (const i of items) write(`${JSON.stringify(toOcsf(i, tool))}\n`);
      },
      finish: () => {},
    };
  if (format === "cef")
    return {
      add: (items) => {
        for (const i of items) write(`${toCef(i, { vendor: tool.name, ...tool })}\n`);
      },
      finish: () => {},
    };
  const held: ExportItem[] = [];
  return {
    add: (items) => {
      for (const i of items) held.push(i);
    },
    finish: () => {
      const doc =
        format === "sarif"
          ? toSarif(
              held.map((i) => i.finding),
              tool,
            )
          : toStixBundle(held, tool);
      write(`${JSON.stringify(doc, null, 2)}\n`);
    },
  };
}
