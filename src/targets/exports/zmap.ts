// ZMap's CSV output (a header line naming the fields, -f saddr,sport,...) and its JSON output
// (one object a line). An entry needs saddr and sport; a row ZMap itself marks as no success
// (an RST, a repeat) is skipped, as ZMap's own default output filter would.
import { UsageError } from "../../core/errors.ts";
import { address, claim, entry, isObject, malformed, portOf, skipped, text, timeOf } from "./fields.ts";
import { jsonValues } from "./json-values.ts";
import { TOO_LONG } from "./lines.ts";
import type { ExportFormat, ExportItem, NumberedLine } from "./types.ts";

function fromRow(format: ExportFormat, n: number, row: (field: string) => unknown): ExportItem {
  const ip = address(row("saddr"));
  const port = portOf(row("sport"));
  if (!ip || port === null) return malformed(n, "no saddr address or sport port");
  const success = row("success");
  if (success !== undefined && String(success) !== "1" && success !== true)
    return skipped(n, `not a success (${text(row("classification")) ?? "no classification"})`);
  const repeat = row("repeat");
  if (repeat !== undefined && String(repeat) === "1") return skipped(n, "repeat response");
  const ts = row("timestamp-str") ?? row("timestamp_str") ?? row("timestamp-ts") ?? row("timestamp_ts");
  return entry(n, ip, port, claim(format, { seenAt: timeOf(ts) }));
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/""/g, '"') : v;
}

export async function* zmapCsv(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  let header: string[] | null = null;
  for await (const { n, text: line } of lines) {
    if (line === TOO_LONG) {
      yield malformed(n, "line too long");
      continue;
    }
    if (line.trim() === "" || line.startsWith("#")) continue;
    const cells = line.split(",").map((c) => unquote(c.trim()));
    if (header === null) {
      header = cells;
      if (!header.includes("saddr") || !header.includes("sport"))
        throw new UsageError(
          `ZMap CSV header on line ${n} has no ${header.includes("saddr") ? "sport" : "saddr"} column: run zmap with -f saddr,sport (and success, timestamp-str)`,
        );
      continue;
    }
    if (cells.length !== header.length) {
      yield malformed(n, `${cells.length} fields, the header has ${header.length}`);
      continue;
    }
    const h = header;
    yield fromRow("zmap-csv", n, (f) => {
      const i = h.indexOf(f);
      return i < 0 ? undefined : cells[i];
    });
  }
}

export async function* zmapJson(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const v of jsonValues(lines)) {
    if ("malformed" in v) yield v;
    else if (!isObject(v.value)) yield malformed(v.line, "not a JSON object");
    else {
      const o = v.value;
      yield fromRow("zmap-json", v.line, (f) => o[f]);
    }
  }
}
