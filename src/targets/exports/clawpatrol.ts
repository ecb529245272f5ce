// clawpatrol's own NDJSON (schema clawpatrol.scan/v1): the record is validated whole and kept,
// so `import` stores it as it is and `scan --from` re-verifies what an earlier scan found.
import { isIP } from "node:net";
import type { Observation } from "../../scan/record.ts";
import { observationSchema } from "../../scan/record-schema.ts";
import { claim, skipped } from "./fields.ts";
import { jsonValues } from "./json-values.ts";
import type { ExportItem, NumberedLine } from "./types.ts";

/** A parsed value as a scan record the store can take, or why not. */
export function checkRecord(json: unknown): { ok: true; value: Observation } | { ok: false; reason: string } {
  const r = observationSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return { ok: false, reason: `not a clawpatrol.scan/v1 record (${where}${issue?.message ?? "invalid"})` };
  }
  // What the database would refuse must be refused here, per line, not fail the whole batch.
  if (Number.isNaN(Date.parse(r.data.scannedAt)))
    return {
      ok: false,
      reason: `scannedAt: not a date and time: ${JSON.stringify(r.data.scannedAt).slice(0, 80)}`,
    };
  if (r.data.ip !== "" && isIP(r.data.ip) === 0)
    return { ok: false, reason: `ip: not an IP address: ${JSON.stringify(r.data.ip).slice(0, 80)}` };
  return { ok: true, value: r.data as Observation };
}

export async function* clawpatrolNdjson(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const v of jsonValues(lines)) {
    if ("malformed" in v) {
      yield v;
      continue;
    }
    const r = checkRecord(v.value);
    if (!r.ok) {
      yield { malformed: { line: v.line, reason: r.reason } };
      continue;
    }
    const o = r.value;
    if (o.ip === "") {
      yield skipped(v.line, "record without an address (its name did not resolve)");
      continue;
    }
    yield {
      entry: {
        line: v.line,
        ip: o.ip,
        port: o.port,
        hostname: o.host !== o.ip ? o.host : null,
        claim: claim("clawpatrol", {
          product: o.product,
          version: o.version,
          service: null,
          seenAt: new Date(Date.parse(o.scannedAt)).toISOString(),
        }),
        place: null,
        record: o,
      },
    };
  }
}
