// The exposure picture's queries on PGlite and (when DATABASE_URL is set) PostgreSQL, against a
// store written the way real runs write it: two scans eight days apart over one /24 (some
// gateways gone by the second, some new), then an unverified import. Every number is recomputed
// here from the plan alone (no SQL) and compared with what the queries return.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import { type Exposure, type ExposureCount, exposure } from "../../src/server/exposure.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import type { RunScope } from "../../src/store/schema.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { zooObservations } from "../store/records.ts";
import { describeLive } from "../support/live.ts";
import { DAY_MS, fixtureNow, PREAUTH } from "./fixture.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-exposure-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const N = 30;
const PLACES = [
  { country: "DE", asn: 24940, asOrg: "Hetzner Online GmbH" },
  { country: "US", asn: 16509, asOrg: "AMAZON-02" },
  { country: "FR", asn: 16276, asOrg: "OVH SAS" },
  { country: null, asn: null, asOrg: null },
];
const VERSIONS = ["2026.1.29", "2026.3.13", "2026.3.2", null];
const SEVERITIES = ["critical", "high", "medium", "low", null] as const;
const SCOPE: RunScope = { ranges: [["10.9.0.0", "10.9.0.255"]], ports: [18789, 18790] };

interface Planned {
  i: number;
  ip: string;
  port: number;
  unauth: boolean;
  vulnerable: boolean;
  version: string | null;
  severity: string | null;
  place: (typeof PLACES)[number];
}

const plan: Planned[] = Array.from({ length: N }, (_, i) => ({
  i,
  ip: `10.9.0.${Math.floor(i / 2)}`,
  port: 18789 + (i % 2),
  unauth: i % 3 === 0,
  vulnerable: i % 5 === 0 || i === 27,
  version: VERSIONS[i % 4]!,
  severity: SEVERITIES[i % 5]!,
  place: PLACES[i % 4]!,
}));
/** Eight days ago: the first 24; today: those not gone (i % 6 === 1) and the 6 new ones. */
const seenThen = (p: Planned) => p.i < 24;
const seenNow = (p: Planned) => p.i % 6 !== 1;

/** Unverified claims: an export named these four as OpenClaw gateways. */
const CLAIMS = [1, 2, 3, 4].map((n) => ({ ip: `10.9.1.${n}`, place: PLACES[n % 2]! }));

const base = zooObservations().find((o) => o.product === "openclaw")!;

function record(p: Planned, scannedAt: string): Observation {
  return {
    ...base,
    host: p.ip,
    ip: p.ip,
    port: p.port,
    url: `http://${p.ip}:${p.port}/`,
    reachable: true,
    product: "openclaw",
    version: p.version,
    auth: p.unauth ? "not-required" : "required",
    advisories: p.vulnerable ? [PREAUTH] : [],
    severity: p.severity as Observation["severity"],
    findings: [],
    scannedAt,
    ...p.place,
  };
}

function claim(c: (typeof CLAIMS)[number], scannedAt: string, line: number): Observation {
  return {
    ...base,
    host: c.ip,
    ip: c.ip,
    port: 18789,
    url: `http://${c.ip}:18789/`,
    product: "openclaw",
    version: "2026.2.1",
    auth: "unknown",
    advisories: [],
    severity: null,
    findings: [],
    scannedAt,
    source: { format: "shodan", file: "shodan.json", line, verified: false },
    ...c.place,
  };
}

async function write(
  store: Store,
  id: string,
  at: number,
  records: Observation[],
  scope: RunScope | null,
  options: Record<string, unknown> = {},
) {
  await beginRun(store.db, { id, kind: "scan", startedAt: new Date(at).toISOString(), scope, options });
  const w = new RunWriter(store.db, id, 7);
  for (const r of records) await w.add(r);
  await w.finish(new Date(at + 60_000).toISOString());
}

const NOW = fixtureNow();
const THEN = NOW - 8 * DAY_MS;

async function build(store: Store): Promise<void> {
  const thenAt = new Date(THEN + 1000).toISOString();
  const nowAt = new Date(NOW + 1000).toISOString();
  await write(
    store,
    "then",
    THEN,
    plan.filter(seenThen).map((p) => record(p, thenAt)),
    SCOPE,
  );
  await write(
    store,
    "now",
    NOW,
    plan.filter(seenNow).map((p) => record(p, nowAt)),
    SCOPE,
  );
  // The import lands after today's scan (later in the day), so it is today's last run.
  const claims = CLAIMS.map((c, k) => claim(c, new Date(NOW + 3_600_000).toISOString(), k + 1));
  await write(store, "import-shodan", NOW + 3_600_000, claims, null, {
    import: true,
    format: "shodan",
    verified: false,
  });
}

// --- the plan's own numbers -----------------------------------------------------------------

const live = plan.filter(seenNow);
const rank = (s: string | null) =>
  s === null ? -1 : ["info", "low", "medium", "high", "critical"].indexOf(s);
const ipNum = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);

function tally(key: (p: Planned) => string, name: (p: Planned) => string | null = () => null) {
  const m = new Map<string, ExposureCount>();
  for (const p of live) {
    const k = key(p);
    const c = m.get(k) ?? {
      key: k,
      name: name(p),
      live: 0,
      unauthenticated: 0,
      vulnerable: 0,
      unverified: 0,
    };
    c.live++;
    if (p.unauth) c.unauthenticated++;
    if (p.vulnerable) c.vulnerable++;
    m.set(k, c);
  }
  return m;
}

/** A breakdown as a map (order is checked apart). */
const asMap = (rows: ExposureCount[]) => new Map(rows.map((r) => [r.key, r]));

function suite(open: () => Promise<Store>, reset: (s: Store) => Promise<void>) {
  let store: Store;
  let e: Exposure;
  beforeAll(async () => {
    store = await open();
    await reset(store);
    await build(store);
    e = await exposure(store.db, { limit: 50, periodDays: 7 });
  }, 120_000);
  afterAll(async () => store?.close());

  it("keeps live, unverified and ever-seen apart, as endpoints and as unique addresses", () => {
    // Gateway 25 would be new today but is gone already: never seen, never stored.
    const seen = plan.filter((p) => seenThen(p) || seenNow(p));
    expect(e.totals).toEqual({
      live: { endpoints: live.length, ips: new Set(live.map((p) => p.ip)).size },
      unverified: { endpoints: CLAIMS.length, ips: CLAIMS.length },
      everSeen: {
        endpoints: seen.length + CLAIMS.length,
        ips: new Set([...seen.map((p) => p.ip), ...CLAIMS.map((c) => c.ip)]).size,
      },
      closed: plan.filter((p) => seenThen(p) && !seenNow(p)).length,
    });
    // Two endpoints share most addresses: unique IPs are fewer than endpoints.
    expect(e.totals.live.ips).toBeLessThan(e.totals.live.endpoints);
    expect(e.records).toEqual({
      verified: plan.filter(seenThen).length + live.length,
      unverified: CLAIMS.length,
    });
  });

  it("breaks the live gateways down by auth, pre-auth vulnerable, release family, country and AS", () => {
    const auth = tally((p) => (p.unauth ? "not-required" : "required"));
    // The claims' auth is unknown: a group of their own, none of it live.
    auth.set("unknown", {
      key: "unknown",
      name: null,
      live: 0,
      unauthenticated: 0,
      vulnerable: 0,
      unverified: CLAIMS.length,
    });
    expect(asMap(e.byAuth)).toEqual(auth);
    const vuln = tally((p) => (p.vulnerable ? "yes" : "no"));
    vuln.get("no")!.unverified = CLAIMS.length;
    expect(asMap(e.byVulnerable)).toEqual(vuln);
    const era = tally(
      (p) => `openclaw ${p.version ? p.version.split(".").slice(0, 2).join(".") : "(version unknown)"}`,
    );
    era.set("openclaw 2026.2", {
      key: "openclaw 2026.2",
      name: null,
      live: 0,
      unauthenticated: 0,
      vulnerable: 0,
      unverified: CLAIMS.length,
    });
    expect(asMap(e.byEra)).toEqual(era);
    // 2026.3.13 and 2026.3.2 are one family.
    expect(e.byEra.find((r) => r.key === "openclaw 2026.3")!.live).toBe(
      live.filter((p) => p.version?.startsWith("2026.3.")).length,
    );
    const country = tally((p) => p.place.country ?? "");
    for (const c of CLAIMS) country.get(c.place.country!)!.unverified++;
    expect(asMap(e.byCountry)).toEqual(country);
    const asn = tally(
      (p) => (p.place.asn === null ? "" : String(p.place.asn)),
      (p) => p.place.asOrg,
    );
    for (const c of CLAIMS) asn.get(String(c.place.asn))!.unverified++;
    expect(asMap(e.byOrganisation)).toEqual(asn);
    // Largest groups first; the top organisations are the ASes with the most live gateways.
    for (const rows of [e.byAuth, e.byVulnerable, e.byEra, e.byCountry, e.byOrganisation]) {
      const lives = rows.map((r) => r.live);
      expect(lives).toEqual([...lives].sort((x, y) => y - x));
    }
    expect(e.topOrganisations).toEqual(e.byOrganisation.slice(0, 10));
  });

  it("lists unauthenticated and vulnerable gateways first, newest first, then the rest by severity", () => {
    const firstSeen = (p: Planned) => (seenThen(p) ? THEN : NOW);
    const urgent = (p: Planned) => p.unauth && p.vulnerable;
    const want = [...live].sort(
      (a, b) =>
        Number(urgent(b)) - Number(urgent(a)) ||
        (urgent(a) ? firstSeen(b) - firstSeen(a) : 0) ||
        rank(b.severity) - rank(a.severity) ||
        ipNum(a.ip) - ipNum(b.ip) ||
        a.port - b.port,
    );
    expect(e.fixFirst.map((w) => `${w.ip}:${w.port}`)).toEqual(want.map((p) => `${p.ip}:${p.port}`));
    // Gateway 27 is new today, open without auth and vulnerable: the first to fix.
    expect(e.fixFirst[0]).toMatchObject({ ip: "10.9.0.13", port: 18790, urgent: true, auth: "not-required" });
    expect(e.fixFirst.filter((w) => w.urgent).length).toBe(live.filter(urgent).length);
    // Claims are never in the list: nobody has seen them exposed.
    expect(e.fixFirst.some((w) => w.ip.startsWith("10.9.1."))).toBe(false);
    const de = e.fixFirst.find((w) => w.country === "DE")!;
    expect(de).toMatchObject({ asn: 24940, asOrg: "Hetzner Online GmbH" });
  });

  it("compares each country's live gateways with the day a period before", () => {
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    expect(e.countries).toMatchObject({ day: day(NOW), previousDay: day(THEN), periodDays: 7 });
    const count = (list: Planned[], c: string) => list.filter((p) => (p.place.country ?? "") === c).length;
    const want = ["DE", "US", "FR", ""]
      .map((c) => ({ country: c, live: count(live, c), previous: count(plan.filter(seenThen), c) }))
      .filter((r) => r.live > 0 || r.previous > 0);
    expect(new Map(e.countries.rows.map((r) => [r.country, [r.live, r.previous, r.change]]))).toEqual(
      new Map(want.map((r) => [r.country, [r.live, r.previous, r.live - r.previous]])),
    );
    const de = e.countries.rows.find((r) => r.country === "DE")!;
    expect(de.unauthenticated).toBe(live.filter((p) => p.place.country === "DE" && p.unauth).length);
    expect(de.vulnerable).toBe(live.filter((p) => p.place.country === "DE" && p.vulnerable).length);
  });

  it("has no previous day when the history is shorter than the period", async () => {
    const short = await exposure(store.db, { limit: 50, periodDays: 30 });
    expect(short.countries.previousDay).toBeNull();
    expect(short.countries.rows.every((r) => r.previous === null && r.change === null)).toBe(true);
  });

  it("cuts every breakdown and the list to the limit", async () => {
    const small = await exposure(store.db, { limit: 2, periodDays: 7, top: 1 });
    for (const rows of [small.byAuth, small.byEra, small.byCountry, small.byOrganisation, small.fixFirst])
      expect(rows.length).toBe(2);
    expect(small.topOrganisations).toEqual([e.byOrganisation[0]]);
    expect(small.fixFirst).toEqual(e.fixFirst.slice(0, 2));
  });
}

describe("exposure on PGlite", () => {
  suite(
    () => openStore({ dataDir: join(work, "db") }),
    async () => {},
  );
});

const pgUrl = process.env.DATABASE_URL ?? null;
describeLive("exposure on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  suite(
    () => openStore({ url: pgUrl! }),
    async (s) => {
      await s.db.execute(
        sql`TRUNCATE runs, observations, assets, findings, asset_events, daily_stats, daily_countries, advisory_sets`,
      );
    },
  );
});
