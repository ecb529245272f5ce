// One measured run in a process of its own (so its peak RSS is its own): read an export as
// `import` does in its first pass (every endpoint to an unverified record, serialised and
// hashed), or import it into a PGlite store. Prints one JSON line.
//   node bench/ingest/child.ts read FILE
//   node bench/ingest/child.ts import FILE STORE_DIR     (STORE_DIR "-": PostgreSQL at $DATABASE_URL)
import { createHash } from "node:crypto";
import { unverifiedRecord } from "../../src/targets/exports/claim-record.ts";
import { openExport } from "../../src/targets/exports/registry.ts";

const [mode, file, dir] = process.argv.slice(2);
const t0 = performance.now();
let records = 0;
if (mode === "read") {
  const r = await openExport(file!);
  const hash = createHash("sha256");
  const now = new Date().toISOString();
  for await (const e of r.entries) {
    hash.update(JSON.stringify(unverifiedRecord(e, "bench.list", now)));
    records++;
  }
} else {
  // Loaded only here, so the read measurement carries no database code.
  const { openStore } = await import("../../src/store/db.ts");
  const { importNdjson } = await import("../../src/store/import.ts");
  // "-": the PostgreSQL of DATABASE_URL (the caller checked it is a bench database), emptied first.
  const store =
    dir === "-" ? await openStore({ url: process.env.DATABASE_URL! }) : await openStore({ dataDir: dir! });
  if (dir === "-" && process.env.CLAWPATROL_BENCH_EMPTY === "1") {
    const { sql } = await import("drizzle-orm");
    await store.db.execute(
      sql`TRUNCATE runs, observations, assets, findings, asset_events, daily_stats, daily_countries, advisory_sets CASCADE`,
    );
  }
  const r = await importNdjson(store.db, file!, { batchSize: 1000 });
  records = r.accepted;
  await store.close();
}
const seconds = (performance.now() - t0) / 1000;
// maxRSS is in kilobytes.
process.stdout.write(
  `${JSON.stringify({ mode, records, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
