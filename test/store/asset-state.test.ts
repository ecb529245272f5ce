// Asset state over time on both back ends: new, changed, closed (in scope, not seen), re-opened,
// the events each run records, and the per-day overview counts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { listAssets } from "../../src/store/query.ts";
import { scopeOf } from "../../src/store/scan-sink.ts";
import { beginRun, RunWriter, writeBatch } from "../../src/store/write.ts";
import { cidrInterval, parseIp } from "../../src/targets/ip.ts";
import { describeLive } from "../support/live.ts";
import { zooObservations } from "./records.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-state-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const gateway = () => zooObservations().find((o) => o.product === "openclaw" && o.version !== null)!;

function sighting(ip: string, day: number, patch: Partial<Observation> = {}): Observation {
  const base = gateway();
  return {
    ...base,
    host: ip,
    ip,
    port: 18789,
    url: `http://${ip}:18789/`,
    exposure: "network",
    advisories: [],
    findings: [],
    scannedAt: new Date(Date.UTC(2026, 9, 1 + day, 12)).toISOString(),
    ...patch,
  };
}

const net = (cidr: string) => {
  const [a, p] = cidr.split("/");
  const ip = parseIp(a!)!;
  return cidrInterval(ip.family, ip.value, Number(p));
};

const PREAUTH = {
  id: "GHSA-test-0002-0002",
  aliases: [],
  severity: "critical",
  preAuth: true,
  exposure: ["gateway"],
  fixed: "2026.9.9",
  certainty: "affected" as const,
};

async function run(store: Store, id: string, day: number, seen: Observation[], scope = "10.0.0.0/24") {
  await beginRun(store.db, {
    id,
    kind: "scan",
    startedAt: new Date(Date.UTC(2026, 9, 1 + day, 11)).toISOString(),
    scope: scopeOf([net(scope)], [18789]),
  });
  const w = new RunWriter(store.db, id, 2);
  for (const o of seen) await w.add(o);
  await w.finish(new Date(Date.UTC(2026, 9, 1 + day, 13)).toISOString());
}

async function events(store: Store, runId: string) {
  return rowsOf<{ ip: string; kind: string; changes: Record<string, unknown> }>(
    await store.db.execute(
      sql`SELECT host(ip) AS ip, kind, changes FROM asset_events WHERE run_id = ${runId} ORDER BY ip, kind`,
    ),
  ).map((e) => ({
    ip: e.ip,
    kind: e.kind,
    changes: typeof e.changes === "string" ? JSON.parse(e.changes) : e.changes,
  }));
}

async function day(store: Store, d: string) {
  const [r] = rowsOf<Record<string, number>>(
    await store.db.execute(
      sql`SELECT live, unauthenticated, vulnerable, ever_seen, new, closed, reopened, changed FROM daily_stats WHERE day = ${d}::date`,
    ),
  );
  return r;
}

function suite(open: () => Promise<Store>, reset: (s: Store) => Promise<void>) {
  let store: Store;
  beforeAll(async () => {
    store = await open();
    await reset(store);
  });
  afterAll(async () => store?.close());

  it("day 0: every gateway is new; a plain open port is an asset but no event", async () => {
    await run(
      store,
      "r0",
      0,
      [
        sighting("10.0.0.1", 0),
        sighting("10.0.0.2", 0, { auth: "not-required" }),
        sighting("10.0.0.3", 0, { advisories: [PREAUTH] }),
        sighting("10.0.1.9", 0),
        sighting("10.0.0.4", 0, { product: null, version: null, versionRange: null }),
      ],
      "10.0.0.0/23",
    );
    expect(await events(store, "r0")).toEqual(
      ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.9"].map((ip) => ({ ip, kind: "new", changes: {} })),
    );
    expect(await day(store, "2026-10-01")).toEqual({
      live: 4,
      unauthenticated: 1,
      vulnerable: 1,
      ever_seen: 4,
      new: 4,
      closed: 0,
      reopened: 0,
      changed: 0,
    });
  });

  it("day 1: a changed version, a closed gateway, and nothing closed outside the run's scope", async () => {
    await run(store, "r1", 1, [
      sighting("10.0.0.1", 1, { version: "2026.3.13" }),
      sighting("10.0.0.3", 1, { advisories: [PREAUTH] }),
    ]);
    const ev = await events(store, "r1");
    expect(ev).toEqual([
      { ip: "10.0.0.1", kind: "changed", changes: { version: [gateway().version, "2026.3.13"] } },
      { ip: "10.0.0.2", kind: "closed", changes: {} },
    ]);
    const assets = await listAssets(store.db);
    const state = Object.fromEntries(assets.map((a) => [a.ip, a.state]));
    // 10.0.0.4 (not a gateway) is closed too, silently; 10.0.1.9 lies outside 10.0.0.0/24.
    expect(state).toEqual({
      "10.0.0.1": "open",
      "10.0.0.2": "closed",
      "10.0.0.3": "open",
      "10.0.0.4": "closed",
      "10.0.1.9": "open",
    });
    expect(await day(store, "2026-10-02")).toMatchObject({
      live: 3,
      unauthenticated: 0,
      vulnerable: 1,
      ever_seen: 4,
      closed: 1,
      changed: 1,
      new: 0,
    });
  });

  it("day 2: seen again after it was closed is re-opened; a new pre-auth advisory is a change", async () => {
    await run(store, "r2", 2, [
      sighting("10.0.0.1", 2, { version: "2026.3.13", advisories: [PREAUTH] }),
      sighting("10.0.0.2", 2, { auth: "not-required" }),
      sighting("10.0.0.3", 2, { advisories: [PREAUTH] }),
    ]);
    const ev = await events(store, "r2");
    expect(ev.map((e) => `${e.ip} ${e.kind}`)).toEqual(["10.0.0.1 changed", "10.0.0.2 reopened"]);
    expect(ev[0]!.changes).toMatchObject({ preauthAdvisories: { added: [PREAUTH.id], removed: [] } });
    const b = (await listAssets(store.db, { network: "10.0.0.2" }))[0]!;
    expect(b).toMatchObject({ state: "open", closedAt: null, reopenCount: 1 });
    expect(await day(store, "2026-10-03")).toMatchObject({
      live: 4,
      unauthenticated: 1,
      vulnerable: 2,
      reopened: 1,
    });
  });

  it("writing a run again, or an older sighting arriving late, adds no event", async () => {
    const before = rowsOf<{ n: number }>(
      await store.db.execute(sql`SELECT count(*)::int AS n FROM asset_events`),
    )[0]!.n;
    await writeBatch(store.db, "r1", [
      { seq: 0, observation: sighting("10.0.0.1", 1, { version: "2026.3.13" }) },
    ]);
    await run(store, "late", -5, [sighting("10.0.0.2", -5, { version: "2026.1.29" })], "10.0.0.2/32");
    const after = rowsOf<{ n: number }>(
      await store.db.execute(sql`SELECT count(*)::int AS n FROM asset_events`),
    )[0]!.n;
    expect(after).toBe(before);
    const b = (await listAssets(store.db, { network: "10.0.0.2" }))[0]!;
    expect(b).toMatchObject({ state: "open", version: gateway().version });
  });
}

describe("asset state on PGlite", () => {
  suite(
    () => openStore({ dataDir: join(work, "pglite") }),
    async () => {},
  );
});

const pgUrl = process.env.DATABASE_URL ?? null;
describeLive("asset state on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  suite(
    () => openStore({ url: pgUrl! }),
    async (s) => {
      await s.db.execute(sql`TRUNCATE runs, observations, assets, findings, asset_events, daily_stats`);
    },
  );
});
