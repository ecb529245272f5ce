// The store on both back ends: PGlite always, PostgreSQL when DATABASE_URL is set.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeRecord } from "../../src/enrich/place-records.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { importNdjson } from "../../src/store/import.ts";
import { listAssets, listFindings, listRuns, streamRecords } from "../../src/store/query.ts";
import { describeLive } from "../support/live.ts";
import { ndjson, synthetic, zooObservations } from "./records.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-store-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** JSON with object keys sorted (jsonb does not keep key order). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

const advised = (o: { port: number }) => o.port === 18790;

async function count(store: Store, table: string): Promise<number> {
  const [r] = rowsOf<{ n: number }>(
    await store.db.execute(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)),
  );
  return Number(r?.n);
}

function suite(open: () => Promise<Store>, reset: (s: Store) => Promise<void>) {
  let store: Store;
  const day0 = join(work, `day0-${Math.random()}.ndjson`);
  const day1 = join(work, `day1-${Math.random()}.ndjson`);
  const N = 320;
  beforeAll(async () => {
    store = await open();
    await reset(store);
    writeFileSync(day0, ndjson(Array.from({ length: N }, (_, i) => synthetic(i, 0, advised))));
    // Day 1: the first half again, plus a bad line and a non-JSON line in the middle.
    const lines = Array.from({ length: N / 2 }, (_, i) => JSON.stringify(synthetic(i, 1, advised)));
    const badIp = JSON.stringify({ ...synthetic(0), ip: "10.0.0.300" });
    lines.splice(3, 0, '{"schema":"clawpatrol.scan/v1","host":"x"}', "not json", badIp);
    writeFileSync(day1, `${lines.join("\n")}\n`);
  });
  afterAll(async () => store?.close());

  it("imports a file once, however often it is imported", async () => {
    const first = await importNdjson(store.db, day0, { batchSize: 64 });
    expect(first).toMatchObject({ state: "new", accepted: N, rejectedCount: 0 });
    const again = await importNdjson(store.db, day0, { batchSize: 64 });
    expect(again).toMatchObject({ state: "already", runId: first.runId });
    expect(await count(store, "observations")).toBe(N);
    expect(await count(store, "runs")).toBe(1);
    const runs = await listRuns(store.db);
    expect(runs[0]).toMatchObject({ status: "complete", observationCount: N });
  });

  it("rejects bad lines with their line number and keeps the good ones", async () => {
    const r = await importNdjson(store.db, day1);
    expect(r.accepted).toBe(N / 2);
    expect(r.rejected.map((x) => x.line)).toEqual([4, 5, 6]);
    expect(r.rejected[2]!.reason).toMatch(/ip: not an IP address/);
    expect(r.rejected[0]!.reason).toMatch(/clawpatrol\.scan\/v1/);
    expect(r.rejected[1]!.reason).toMatch(/not JSON/);
    expect(await count(store, "observations")).toBe(N + N / 2);
  });

  it("tracks assets and findings across runs with first and last seen", async () => {
    const all = await listAssets(store.db);
    expect(all.length).toBe(N);
    const again = all.filter((a) => a.lastSeen.startsWith("2026-10-02"));
    expect(again.length).toBe(N / 2);
    for (const a of again) expect(a.firstSeen.startsWith("2026-10-01")).toBe(true);
    const fs = await listFindings(store.db);
    const expected = new Set(
      Array.from({ length: N }, (_, i) => synthetic(i)).flatMap((o) =>
        o.findings.map((f) => `${f.ruleId} ${f.asset}`),
      ),
    );
    expect(fs.length).toBe(expected.size);
    expect(fs.filter((f) => f.firstRunId !== f.lastRunId).length).toBeGreaterThan(0);
  });

  it("filters the inventory", async () => {
    const zoo = zooObservations().length;
    const inNet = Array.from({ length: N }, (_, i) => synthetic(i)).filter(
      (o) => Number(o.ip.split(".")[3]) < 8,
    );
    expect(inNet.length).toBeLessThan(N);
    expect((await listAssets(store.db, { network: "10.0.0.0/29" })).length).toBe(inNet.length);
    expect((await listAssets(store.db, { network: "10.0.0.5" })).length).toBe(zoo);
    const products = await listAssets(store.db, { product: "clawdbot" });
    expect(products.length).toBeGreaterThan(0);
    expect(products.every((a) => a.product === "clawdbot")).toBe(true);
    const v = products[0]!.version!;
    expect((await listAssets(store.db, { version: v })).every((a) => a.version === v)).toBe(true);
    const noAuth = await listAssets(store.db, { auth: "not-required" });
    expect(noAuth.every((a) => a.auth === "not-required")).toBe(true);
    const adv = await listAssets(store.db, { advisory: "CVE-2026-00001" });
    expect(adv.length).toBeGreaterThan(0);
    expect(adv.every((a) => a.port === 18790)).toBe(true);
    expect((await listAssets(store.db, { advisory: "GHSA-test-0001-0001" })).length).toBe(adv.length);
    expect((await listAssets(store.db, { since: "2026-10-02T00:00:00Z" })).length).toBe(N / 2);
    expect((await listAssets(store.db, { until: "2026-09-30T00:00:00Z" })).length).toBe(0);
  });

  it("streams stored records back unchanged", async () => {
    const got = [];
    for await (const r of streamRecords(store.db, {}, 100)) got.push(r);
    expect(got.length).toBe(N + N / 2);
    // Records are placed when stored (10.x addresses: a private-use range, no AS or country).
    const want = new Set(
      Array.from({ length: N }, (_, i) => canonical(placeRecord(synthetic(i, 0, advised)))),
    );
    expect(got.filter((r) => want.has(canonical(r))).length).toBe(N);
  });

  it("keeps each advisory list once, not once per record", async () => {
    // Every advised record (port 18790) carries the same list: one row, referenced by all of them.
    expect(await count(store, "advisory_sets")).toBe(1);
    const [r] = rowsOf<{ n: number }>(
      await store.db.execute(
        sql`SELECT count(*)::int AS n FROM observations WHERE advisory_set IS NOT NULL AND NOT (record ? 'advisories')`,
      ),
    );
    const advisedIn = (n: number) => Array.from({ length: n }, (_, i) => synthetic(i)).filter(advised).length;
    expect(Number(r?.n)).toBe(advisedIn(N) + advisedIn(N / 2));
  });
}

describe("store on PGlite", () => {
  suite(
    () => openStore({ dataDir: join(work, "pglite") }),
    async () => {},
  );
});

const pgUrl = process.env.DATABASE_URL ?? null;
describeLive("store on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  suite(
    () => openStore({ url: pgUrl! }),
    async (s) => {
      await s.db.execute(
        sql`TRUNCATE runs, observations, assets, findings, asset_events, daily_stats, advisory_sets`,
      );
    },
  );
});

describe("kill safety (PGlite)", () => {
  it("a SIGKILLed import never leaves a complete run with missing rows; re-running completes it", async () => {
    const dir = join(work, "killed");
    const file = join(work, "kill.ndjson");
    const N = 1500;
    writeFileSync(file, ndjson(Array.from({ length: N }, (_, i) => synthetic(i, 3))));
    const child = new URL("./import-child.ts", import.meta.url).pathname;
    let sawIncomplete = false;
    for (let round = 0; round < 8; round++) {
      const p = spawn(process.execPath, [child, dir, file], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      p.stdout.on("data", (d) => {
        out += d;
      });
      const exited = new Promise<number | null>((res) => p.on("exit", (code) => res(code)));
      // Wait until the store is open, then kill at a varying point of the import.
      await new Promise<void>((res) => {
        const t = setInterval(() => {
          if (out.includes("open") || p.exitCode !== null) {
            clearInterval(t);
            res();
          }
        }, 5);
      });
      await new Promise((r) => setTimeout(r, 30 + round * 60));
      p.kill("SIGKILL");
      await exited;
      const s = await openStore({ dataDir: dir });
      try {
        for (const run of await listRuns(s.db)) {
          const [r] = rowsOf<{ n: number }>(
            await s.db.execute(sql`SELECT count(*)::int AS n FROM observations WHERE run_id = ${run.id}`),
          );
          if (run.status === "complete") expect(Number(r?.n)).toBe(N);
          else sawIncomplete = true;
        }
      } finally {
        await s.close();
      }
    }
    const s = await openStore({ dataDir: dir });
    try {
      const r = await importNdjson(s.db, file);
      expect(["resumed", "already", "new"]).toContain(r.state);
      const runs = await listRuns(s.db);
      expect(runs).toEqual([expect.objectContaining({ status: "complete", observationCount: N })]);
      expect(await count(s, "observations")).toBe(N);
    } finally {
      await s.close();
    }
    expect(sawIncomplete).toBe(true);
  }, 120_000);
});
