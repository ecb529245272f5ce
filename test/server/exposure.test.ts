// The exposure picture's queries on PGlite and (when DATABASE_URL is set) PostgreSQL, against a
// store written the way real runs write it: two scans eight days apart over one /24 (some
// gateways gone by the second, some new), then an unverified import. Every number is recomputed
// here from the plan alone (no SQL) and compared with what the queries return.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Exposure, exposure } from "../../src/server/exposure.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { refreshExposureCounts } from "../../src/store/exposure-counts.ts";
import { describeLive } from "../support/live.ts";
import {
  asMap,
  build,
  CLAIMS,
  ipNum,
  live,
  NOW,
  type Planned,
  plan,
  rank,
  seenNow,
  seenThen,
  THEN,
  tally,
} from "./exposure-fixture.ts";
import { dropSchema, freshSchemaUrl } from "./support.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-exposure-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

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
        (urgent(a) ? firstSeen(b) - firstSeen(a) : rank(b.severity) - rank(a.severity)) ||
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

  it("counts the same from the assets when no run has completed since the counts table came", async () => {
    await store.db.execute(sql`DELETE FROM exposure_counts`);
    try {
      expect(await exposure(store.db, { limit: 50, periodDays: 7 })).toEqual(e);
    } finally {
      await refreshExposureCounts(store.db);
    }
    const [n] = rowsOf(await store.db.execute(sql`SELECT count(*)::int AS n FROM exposure_counts`));
    expect(Number(n?.n)).toBeGreaterThan(10);
    expect(await exposure(store.db, { limit: 50, periodDays: 7 })).toEqual(e);
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
  // A schema of its own: other suites truncate the shared test database's tables.
  const SCHEMA = "exposure_test";
  afterAll(() => dropSchema(pgUrl!, SCHEMA));
  suite(
    async () => openStore({ url: await freshSchemaUrl(pgUrl!, SCHEMA) }),
    async () => {},
  );
});
