// `clawpatrol import`: load NDJSON scan records (clawpatrol.scan/v1) produced elsewhere.
// Pass 1 validates every line and hashes the good records in order: that hash is the run id,
// so the same file imported twice is one run, and an import killed half-way is resumed (its
// run is still `incomplete`) by importing the file again. Pass 2 writes the good records.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { isIP } from "node:net";
import { createInterface } from "node:readline";
import type { Observation } from "../fingerprints/observation.ts";
import { observationSchema } from "../fingerprints/observation-schema.ts";
import type { StoreDb } from "./db.ts";
import type { RunSummary } from "./runs.ts";
import { dbSession, SessionRunWriter, type StoreSession } from "./session.ts";

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
}

async function* lines(path: string): AsyncGenerator<[number, string]> {
  const rl = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() !== "") yield [n, line];
  }
}

function parseLine(line: string): { ok: true; value: Observation } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})` };
  }
  return checkRecord(json);
}

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

export interface ImportOptions {
  batchSize?: number;
  /** At most this many rejected lines are kept in the result (all are counted). */
  keepRejected?: number;
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
  const rejected: Rejected[] = [];
  let rejectedCount = 0;
  const hash = createHash("sha256");
  let accepted = 0;
  let earliest: string | null = null;
  let latest: string | null = null;
  for await (const [n, line] of lines(path)) {
    const r = parseLine(line);
    if (!r.ok) {
      rejectedCount++;
      if (rejected.length < keep) rejected.push({ line: n, reason: r.reason });
      continue;
    }
    accepted++;
    hash.update(JSON.stringify(r.value)).update("\n");
    const at = r.value.scannedAt;
    if (earliest === null || Date.parse(at) < Date.parse(earliest)) earliest = at;
    if (latest === null || Date.parse(at) > Date.parse(latest)) latest = at;
  }
  const runId = `import-${hash.digest("hex")}`;
  const prior = await store.beginRun({
    id: runId,
    kind: "scan",
    source: `import:${path}`,
    startedAt: earliest ?? new Date().toISOString(),
    options: { import: true, records: accepted },
  });
  if (prior === "complete") return { runId, state: "already", accepted, rejected, rejectedCount };
  const writer = new SessionRunWriter(store, runId, options.batchSize ?? 500);
  let seq = 0;
  for await (const [, line] of lines(path)) {
    const r = parseLine(line);
    if (r.ok) await writer.add(r.value, seq++);
  }
  // The run ends when its last record was made, so an import of old records counts on their day.
  const summary = await writer.finish(latest ?? new Date().toISOString());
  return { runId, state: prior === "new" ? "new" : "resumed", accepted, rejected, rejectedCount, summary };
}
