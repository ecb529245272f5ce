// `clawpatrol import`: load scan records produced elsewhere: clawpatrol's own NDJSON
// (clawpatrol.scan/v1), or a third-party scan export (masscan, ZMap, nmap, Shodan, Censys; read
// by src/targets/exports/), each of whose endpoints becomes a record marked unverified with its
// source. Nothing is contacted. Pass 1 reads the file and hashes the records in order: that
// hash is the run id, so the same file imported twice is one run, and an import killed
// half-way is resumed (its run is still `incomplete`) by importing the file again. Pass 2
// writes the records.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { basename } from "node:path";
import { placeDb } from "../enrich/place.ts";
import type { Observation } from "../scan/record.ts";
import { unverifiedRecord } from "../targets/exports/claim-record.ts";
import { checkRecord } from "../targets/exports/clawpatrol.ts";
import { detectFormat, openExport, type ReadTally, readHead } from "../targets/exports/registry.ts";
import type { ExportFormat } from "../targets/exports/types.ts";
import type { StoreDb } from "./db.ts";
import type { RunSummary } from "./runs.ts";
import { dbSession, SessionRunWriter, type StoreSession } from "./session.ts";

export { checkRecord };

export interface Rejected {
  line: number;
  reason: string;
}

export interface ImportResult {
  runId: string;
  /** new: written now; resumed: an earlier, interrupted import completed now; already: nothing to do. */
  state: "new" | "resumed" | "already";
  accepted: number;
  rejected: Rejected[];
  rejectedCount: number;
  /** What the import stored (none when it was already imported). */
  summary?: RunSummary;
  /** What was read: the format, lines read, used, skipped and why, malformed. */
  read: ReadTally;
}

export interface ImportOptions {
  batchSize?: number;
  /** At most this many rejected lines are kept in the result (all are counted). */
  keepRejected?: number;
  /** The file's format; by default told from its first bytes (clawpatrol NDJSON when nothing fits). */
  format?: ExportFormat;
}

/**
 * The records of a file, one at a time: clawpatrol records as they are, an export's endpoints
 * as unverified records. The tally fills in as they are read.
 */
async function openRecords(
  path: string,
  format: ExportFormat,
): Promise<{ records: AsyncGenerator<Observation>; tally: ReadTally }> {
  const read = await openExport(path, format);
  const file = basename(path);
  // A source that gives no time: the file's own time, so a re-import makes the same records.
  const fileTime = statSync(path).mtime.toISOString();
  async function* records(): AsyncGenerator<Observation> {
    const places = placeDb();
    for await (const e of read.entries) yield e.record ?? places.enrich(unverifiedRecord(e, file, fileTime));
  }
  return { records: records(), tally: read.tally };
}

export async function importNdjson(
  db: StoreDb,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  return importInto(dbSession(db, "the store"), path, options);
}

/** Import a file through a session: a store opened here, or the one a running `serve` holds. */
export async function importInto(
  store: StoreSession,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const keep = options.keepRejected ?? 100;
  // Files in no known format are read as clawpatrol NDJSON, whose reader names each bad line.
  const format = options.format ?? detectFormat(await readHead(path)) ?? "clawpatrol";
  const hash = createHash("sha256");
  let accepted = 0;
  let earliest: string | null = null;
  let latest: string | null = null;
  const first = await openRecords(path, format);
  for await (const r of first.records) {
    accepted++;
    hash.update(JSON.stringify(r)).update("\n");
    const at = r.scannedAt;
    if (earliest === null || Date.parse(at) < Date.parse(earliest)) earliest = at;
    if (latest === null || Date.parse(at) > Date.parse(latest)) latest = at;
  }
  const read = first.tally;
  const rejected = read.malformedLines.slice(0, keep);
  const rejectedCount = read.malformed;
  // Records from an export are a different run from clawpatrol's own, whatever their content.
  const runId = `import-${format === "clawpatrol" ? "" : `${format}-`}${hash.digest("hex")}`;
  const prior = await store.beginRun({
    id: runId,
    kind: "scan",
    source: `import:${path}`,
    startedAt: earliest ?? new Date().toISOString(),
    options: {
      import: true,
      records: accepted,
      ...(format === "clawpatrol" ? {} : { format, verified: false }),
    },
  });
  if (prior === "complete") return { runId, state: "already", accepted, rejected, rejectedCount, read };
  const writer = new SessionRunWriter(store, runId, options.batchSize ?? 500);
  let seq = 0;
  for await (const r of (await openRecords(path, format)).records) await writer.add(r, seq++);
  // The run ends when its last record was made, so an import of old records counts on their day.
  const summary = await writer.finish(latest ?? new Date().toISOString());
  return {
    runId,
    state: prior === "new" ? "new" : "resumed",
    accepted,
    rejected,
    rejectedCount,
    summary,
    read,
  };
}
