// `scan --from FILE...`: re-verify a scan export. Exactly the host:port pairs the files list are
// probed (nothing else is swept), through the normal engine with its rate, concurrency and
// deadlines; --exclude, --exclude-file and --blocklist ranges are left out. Each record keeps
// what the source claimed beside what was found (confirmed, changed, gone). Files are streamed:
// only the endpoints in flight are held, whatever the file's size.
import { statSync } from "node:fs";
import { basename } from "node:path";
import { UsageError } from "../core/errors.ts";
import { placeDb } from "../enrich/place.ts";
import { runScan, type ScanOptions, type ScanProgress } from "../scan/engine.ts";
import type { Observation } from "../scan/record.ts";
import { withSource } from "../targets/exports/claim-record.ts";
import { openExport, tallyLine } from "../targets/exports/registry.ts";
import { EXPORT_FORMATS, type ExportEntry, type ExportFormat } from "../targets/exports/types.ts";
import { parseIp } from "../targets/ip.ts";
import { isExcluded, type TargetPlan } from "../targets/spec.ts";
import type { TargetItem } from "../targets/stream.ts";
import { escapeOneLine } from "../util/text.ts";

/** The --input-format value checked, or undefined to detect each file's format. */
export function fromFormat(value: string | undefined): ExportFormat | undefined {
  if (value === undefined) return undefined;
  if (!(EXPORT_FORMATS as readonly string[]).includes(value))
    throw new UsageError(`--input-format: "${value}" is not one of ${EXPORT_FORMATS.join(", ")}`);
  return value as ExportFormat;
}

/**
 * The same cap as a sweep's: more than `max` endpoints need --allow-large. Counting stops at
 * the first endpoint past the cap, so a large file costs only that much reading.
 */
export async function checkFromCount(
  files: string[],
  format: ExportFormat | undefined,
  max: bigint,
): Promise<void> {
  let n = 0n;
  for (const f of files) {
    const r = await openExport(f, format);
    for await (const _ of r.entries) {
      if (++n > max) {
        await r.entries.return(undefined);
        throw new UsageError(
          `the --from files list more than ${max} endpoints; that needs --allow-large (check the files and excludes first)`,
        );
      }
    }
  }
}

/**
 * Exports this large (about 25,000 masscan lines) are read in a child with the scan's heap
 * flags (src/scan/relaunch.ts): reading allocates a few short-lived objects per line, and V8's
 * default young generation lets a 10-million-line file peak near 300 MB instead of 150 MB.
 */
export const RELAUNCH_FROM_BYTES = 1024 * 1024;

export function exportsAreLarge(files: string[]): boolean {
  let total = 0;
  for (const f of files) {
    try {
      total += statSync(f).size;
    } catch {
      // Unreadable files are reported when they are opened.
    }
  }
  return total >= RELAUNCH_FROM_BYTES;
}

const keyOf = (ip: string, port: number) => `${ip}|${port}`;

/**
 * The records of a scan of the files' endpoints, each with its source and claim. Says on
 * `log` what each file gave (lines read, used, skipped, malformed with their numbers) and, at
 * the end, how many claims were confirmed, changed or gone.
 */
export async function* scanFromExports(
  files: string[],
  format: ExportFormat | undefined,
  plan: TargetPlan,
  options: ScanOptions,
  onProgress: ((p: ScanProgress) => void) | undefined,
  log: (line: string) => void,
): AsyncGenerator<Observation> {
  // The claims of the endpoints in flight, by address and port (a pair listed twice is probed twice).
  const pending = new Map<string, { entry: ExportEntry; file: string }[]>();
  let excluded = 0;
  let malformed = 0;
  async function* items(): AsyncGenerator<TargetItem> {
    for (const f of files) {
      const r = await openExport(f, format);
      const file = basename(f);
      for await (const e of r.entries) {
        const ip = parseIp(e.ip);
        if (!ip || isExcluded(plan, ip.family, ip.value)) {
          excluded++;
          continue;
        }
        const key = keyOf(e.ip, e.port);
        const queue = pending.get(key);
        if (queue) queue.push({ entry: e, file });
        else pending.set(key, [{ entry: e, file }]);
        yield {
          endpoint: {
            host: e.ip,
            ip: e.ip,
            family: ip.family,
            port: e.port,
            tls: null,
            basePath: "",
            hostHeader: ip.family === 6 ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`,
            servername: null,
          },
        };
      }
      for (const m of r.tally.malformedLines)
        log(`${escapeOneLine(f)}:${m.line}: skipped: ${escapeOneLine(m.reason)}`);
      if (r.tally.malformed > r.tally.malformedLines.length)
        log(`${escapeOneLine(f)}: ${r.tally.malformed - r.tally.malformedLines.length} more malformed lines`);
      malformed += r.tally.malformed;
      log(escapeOneLine(tallyLine(f, r.tally)));
    }
  }
  const outcomes = { confirmed: 0, changed: 0, gone: 0 };
  const places = placeDb();
  // Every endpoint gives a record, closed ones too: a port that no longer answers is the answer "gone".
  for await (const o of runScan(items(), { ...options, includeClosed: true }, onProgress)) {
    const key = keyOf(o.ip, o.port);
    const queue = pending.get(key);
    const claim = queue?.shift();
    if (queue && queue.length === 0) pending.delete(key);
    if (!claim) {
      yield o;
      continue;
    }
    const r = places.enrich(withSource(o, claim.entry, claim.file));
    const outcome = r.sourceClaim?.outcome;
    if (outcome === "confirmed" || outcome === "changed" || outcome === "gone") outcomes[outcome]++;
    yield r;
  }
  log(
    `from: ${outcomes.confirmed} confirmed, ${outcomes.changed} changed, ${outcomes.gone} gone${excluded ? `, ${excluded} excluded` : ""}${malformed ? `, ${malformed} malformed lines` : ""}`,
  );
}
