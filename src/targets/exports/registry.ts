// One registry of scan-export formats: the reader of each, how a file's format is told from
// its first bytes, and one entry point that streams a file (gzip or plain) through its reader
// while counting what was read, used and skipped, and why.
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { UsageError } from "../../core/errors.ts";
import { censysJson } from "./censys.ts";
import { clawpatrolNdjson } from "./clawpatrol.ts";
import { splitLines } from "./lines.ts";
import { masscanGrepable, masscanJson, masscanList } from "./masscan.ts";
import { nmapGrepable, xmlReader } from "./nmap.ts";
import { shodanJson } from "./shodan.ts";
import {
  EXPORT_FORMATS,
  type ExportEntry,
  type ExportFormat,
  type ExportReader,
  type NumberedLine,
} from "./types.ts";
import { zmapCsv, zmapJson } from "./zmap.ts";

export const READERS: Record<ExportFormat, ExportReader> = {
  "masscan-json": masscanJson,
  "masscan-list": masscanList,
  "masscan-xml": xmlReader("masscan-xml"),
  "masscan-grep": masscanGrepable,
  "zmap-csv": zmapCsv,
  "zmap-json": zmapJson,
  "nmap-xml": xmlReader("nmap-xml"),
  "nmap-grep": nmapGrepable,
  shodan: shodanJson,
  censys: censysJson,
  clawpatrol: clawpatrolNdjson,
};

export function isExportFormat(v: string): v is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(v);
}

/** Which format a file's first bytes (decompressed) are, or null when nothing fits. */
export function detectFormat(head: string): ExportFormat | null {
  const lines = head.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== "")?.trim() ?? "";
  if (first.startsWith("<")) {
    if (/<nmaprun\b[^>]*scanner="masscan"/.test(head)) return "masscan-xml";
    if (/<nmaprun\b/.test(head) || /<!DOCTYPE nmaprun/.test(head)) return "nmap-xml";
    return null;
  }
  if (first.startsWith("#masscan")) return "masscan-list";
  if (/^# Masscan\b/.test(first)) return "masscan-grep";
  if (/^(open|closed|banner) (tcp|udp|sctp|icmp) \d+ \S+/.test(first)) return "masscan-list";
  const hostLine = lines.find((l) => l.startsWith("Host: ") || l.startsWith("Timestamp: "));
  if (hostLine?.startsWith("Timestamp: ")) return "masscan-grep";
  if (/^# Nmap\b/.test(first) || first.startsWith("Host: ")) return hostLine ? "nmap-grep" : null;
  if (first.startsWith("{") || first.startsWith("[")) {
    // The first value's keys decide; later values are not looked at.
    if (/"schema"\s*:\s*"clawpatrol\.scan\//.test(head)) return "clawpatrol";
    if (/"ip_str"\s*:/.test(head) || /"_shodan"\s*:/.test(head)) return "shodan";
    if (/"services"\s*:/.test(head)) return "censys";
    if (/"saddr"\s*:/.test(head)) return "zmap-json";
    if (/"ports"\s*:/.test(head) && /"ip"\s*:/.test(head)) return "masscan-json";
    return null;
  }
  if (/^("?[\w-]+"?,)*"?saddr"?(,"?[\w-]+"?)*$/.test(first)) return "zmap-csv";
  return null;
}

const HEAD_BYTES = 64 * 1024;

function isGzip(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function chunks(path: string, gzip: boolean): AsyncIterable<Buffer> {
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  return gzip ? raw.pipe(createGunzip()) : raw;
}

function readable<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new UsageError(
      `cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** The first 64 KiB of a file, decompressed when it is gzip; a file that cannot be read is a UsageError. */
export async function readHead(path: string): Promise<string> {
  const gzip = readable(path, () => isGzip(path));
  try {
    return await headOf(path, gzip);
  } catch (err) {
    throw new UsageError(`cannot read "${path}": ${(err as Error).message}`);
  }
}

async function headOf(path: string, gzip: boolean): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  const stream = chunks(path, gzip);
  for await (const c of stream) {
    parts.push(c);
    size += c.length;
    if (size >= HEAD_BYTES) break;
  }
  return Buffer.concat(parts).subarray(0, HEAD_BYTES).toString("utf8");
}

/** Counts of one file's reading: every line is read, used (gave an entry), skipped or malformed. */
export interface ReadTally {
  format: ExportFormat;
  lines: number;
  entries: number;
  skipped: number;
  /** Why entries were skipped, most common first when printed (at most 20 distinct reasons kept). */
  skippedWhy: Map<string, number>;
  malformed: number;
  /** The first malformed lines with their reasons (all are counted). */
  malformedLines: { line: number; reason: string }[];
}

export interface ExportRead {
  format: ExportFormat;
  entries: AsyncGenerator<ExportEntry>;
  tally: ReadTally;
}

const KEEP_MALFORMED = 100;
const KEEP_REASONS = 20;

/**
 * Open an export: its format (given, or told from its first bytes; a file that fits none is
 * a UsageError naming it), and its entries as a stream. The tally fills in as entries are read.
 */
export async function openExport(path: string, format?: ExportFormat): Promise<ExportRead> {
  const gzip = readable(path, () => isGzip(path));
  let chosen = format;
  if (!chosen) {
    const found = detectFormat(await readHead(path));
    if (!found)
      throw new UsageError(
        `cannot tell the format of "${path}": give --input-format (${EXPORT_FORMATS.join(", ")})`,
      );
    chosen = found;
  }
  const tally: ReadTally = {
    format: chosen,
    lines: 0,
    entries: 0,
    skipped: 0,
    skippedWhy: new Map(),
    malformed: 0,
    malformedLines: [],
  };
  async function* counted(): AsyncGenerator<NumberedLine> {
    for await (const l of splitLines(chunks(path, gzip))) {
      tally.lines = l.n;
      yield l;
    }
  }
  const reader = READERS[chosen];
  async function* entries(): AsyncGenerator<ExportEntry> {
    for await (const item of reader(counted())) {
      if ("entry" in item) {
        tally.entries++;
        yield item.entry;
      } else if ("skipped" in item) {
        tally.skipped++;
        const why =
          tally.skippedWhy.has(item.skipped.reason) || tally.skippedWhy.size < KEEP_REASONS
            ? item.skipped.reason
            : "other";
        tally.skippedWhy.set(why, (tally.skippedWhy.get(why) ?? 0) + 1);
      } else {
        tally.malformed++;
        if (tally.malformedLines.length < KEEP_MALFORMED) tally.malformedLines.push(item.malformed);
      }
    }
  }
  return { format: chosen, entries: entries(), tally };
}

/** One line for stderr: "FILE (masscan-json): 12 lines, 2 endpoints, 0 skipped, 1 malformed". */
export function tallyLine(path: string, t: ReadTally): string {
  const why = [...t.skippedWhy.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([r, n]) => `${n} ${r}`)
    .join(", ");
  return `${path} (${t.format}): ${t.lines} lines read, ${t.entries} endpoints used, ${t.skipped} skipped${why ? ` (${why})` : ""}, ${t.malformed} malformed`;
}
