// Benchmark: serve's TAXII 2.1 collection on a store of N gateway assets (default 1,000), each a
// real record (a recorded zoo transcript through the real fingerprint and advisory matcher, so
// old releases carry hundreds of advisories) moved to a public address (1.0.0.0 upward, never
// contacted; placed by the offline ASN/country data when stored). Prints the store's object
// count and the time of: the first objects page (limit 1,000), a walk of every page, the
// manifest's first page, and the export bundle, measured through the real app on PGlite.
//   npm run bench:taxii            (CLAWPATROL_BENCH_GATEWAYS=1000)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exposureBundle, exposureEntries } from "../../src/findings/stix-picture.ts";
import { createApp } from "../../src/server/app.ts";
import { COLLECTION_ID } from "../../src/server/taxii/routes.ts";
import { openStore } from "../../src/store/db.ts";
import { listGateways } from "../../src/store/gateways.ts";
import { listFindings } from "../../src/store/query.ts";
import { beginRun, completeRun, RunWriter } from "../../src/store/write.ts";
import { templates } from "../store/population.ts";

const N = Number(process.env.CLAWPATROL_BENCH_GATEWAYS ?? "1000");
const dir = mkdtempSync(join(tmpdir(), "clawpatrol-bench-taxii-"));
const ms = (t0: number) => (performance.now() - t0).toFixed(0);
const TAXII = { Accept: "application/taxii+json;version=2.1" };

try {
  const store = await openStore({ dataDir: join(dir, "db") });
  const tpl = await templates();
  const at = new Date().toISOString();
  await beginRun(store.db, { id: "bench", kind: "scan", startedAt: at });
  const w = new RunWriter(store.db, "bench");
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const base = tpl[i % tpl.length]!;
    const ip = `1.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const asset = `${ip}:18789`;
    await w.add({
      ...base,
      host: ip,
      ip,
      port: 18789,
      url: `http://${asset}/`,
      exposure: "network",
      scannedAt: at,
      findings: base.findings.map((f) => ({ ...f, asset })),
    });
  }
  await w.flush();
  await completeRun(store.db, "bench", at);
  process.stdout.write(`bench:taxii: ${N} gateways stored in ${ms(t0)} ms\n`);

  const app = createApp(store);
  const base = `http://127.0.0.1/taxii2/clawpatrol/collections/${COLLECTION_ID}/`;
  t0 = performance.now();
  const first = await app.request(`${base}objects/?limit=1000`, { headers: TAXII });
  const firstBody = (await first.json()) as { objects?: unknown[]; more?: boolean };
  process.stdout.write(
    `bench:taxii: objects first page (${firstBody.objects?.length} objects) ${ms(t0)} ms\n`,
  );

  t0 = performance.now();
  let next: string | undefined;
  let pages = 0;
  let objects = 0;
  do {
    const res = await app.request(`${base}objects/?limit=1000${next ? `&next=${next}` : ""}`, {
      headers: TAXII,
    });
    const body = (await res.json()) as { objects?: unknown[]; more?: boolean; next?: string };
    pages++;
    objects += body.objects?.length ?? 0;
    next = body.more ? body.next : undefined;
  } while (next);
  const walk = performance.now() - t0;
  process.stdout.write(
    `bench:taxii: full walk ${objects} objects in ${pages} pages: ${walk.toFixed(0)} ms (${(walk / pages).toFixed(0)} ms a page)\n`,
  );

  t0 = performance.now();
  await (await app.request(`${base}manifest/?limit=1000`, { headers: TAXII })).json();
  process.stdout.write(`bench:taxii: manifest first page ${ms(t0)} ms\n`);

  t0 = performance.now();
  const bundle = exposureBundle(
    exposureEntries(
      { gateways: await listGateways(store.db), findings: await listFindings(store.db) },
      { name: "clawpatrol" },
    ),
  );
  const bytes = JSON.stringify(bundle).length;
  process.stdout.write(`bench:taxii: export bundle ${(bytes / 1e6).toFixed(1)} MB in ${ms(t0)} ms\n`);
  process.stdout.write(`bench:taxii: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
