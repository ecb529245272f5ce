// Enrichment at store time: a plain scan's records (not only imported ones) are stored with their
// address's AS number, organisation and country; special-purpose addresses are labelled; a record
// placed already keeps its place; without the data packages public addresses stay unknown and
// one line says why.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlaceDb } from "../../src/enrich/place.ts";
import { missingDataNotice, placeRecord, resetNotice } from "../../src/enrich/place-records.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { openStore } from "../../src/store/db.ts";
import { streamRecords } from "../../src/store/query.ts";
import { beginRun, completeRun, RunWriter } from "../../src/store/write.ts";
import { runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";

const home = mkdtempSync(join(tmpdir(), "clawpatrol-enrich-store-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const transcript = () =>
  transcriptFromJson(
    readFileSync(new URL("../fixtures/zoo/local/oc415-loopback-noauth.json", import.meta.url), "utf8"),
  );

/** The real record of a recorded gateway, as a plain scan makes it (no place), moved to ip. */
function plain(ip: string): Observation {
  const o = observe(transcript(), NO_ADVISORIES);
  expect(o.asn).toBeUndefined();
  return { ...o, host: ip, ip, url: `http://${ip}:${o.port}/`, findings: [] };
}

describe("records are placed when stored", { timeout: 120_000 }, () => {
  it("a plain scan record gets asn, asOrg and country; a private one its range; a placed one keeps its place", async () => {
    const store = await openStore({ dataDir: join(home, "db") });
    try {
      await beginRun(store.db, { id: "r1", kind: "scan", startedAt: "2026-10-01T00:00:00.000Z" });
      const w = new RunWriter(store.db, "r1");
      const already: Observation = {
        ...plain("9.9.9.9"),
        asn: null,
        asOrg: null,
        country: null,
        specialUse: null,
      };
      for (const o of [plain("1.1.1.1"), plain("2001:4860:4860::8888"), plain("192.168.1.5"), already])
        await w.add(o);
      await w.flush();
      await completeRun(store.db, "r1", "2026-10-01T00:00:01.000Z");
      const stored = new Map<string, Observation>();
      for await (const r of streamRecords(store.db, { runId: "r1" })) stored.set(r.ip, r);
      const places = new PlaceDb();
      for (const ip of ["1.1.1.1", "2001:4860:4860::8888"]) {
        const want = places.lookup(ip);
        expect(want.asn, ip).not.toBeNull();
        expect(want.country, ip).toMatch(/^[A-Z]{2}$/);
        expect(stored.get(ip), ip).toMatchObject({
          asn: want.asn,
          asOrg: want.asOrg,
          country: want.country,
          specialUse: null,
        });
      }
      expect(stored.get("192.168.1.5")).toMatchObject({ asn: null, asOrg: null, country: null });
      expect(stored.get("192.168.1.5")!.specialUse).toMatch(/private/i);
      // Placed before it was stored (an import whose source gave no place): left as it was.
      expect(stored.get("9.9.9.9")).toMatchObject({
        asn: null,
        asOrg: null,
        country: null,
        specialUse: null,
      });
      // The dashboard's filters see the place (`export --country` reads the stored record).
      const de: string[] = [];
      const cc = places.lookup("1.1.1.1").country!;
      for await (const r of streamRecords(store.db, { country: cc })) de.push(r.ip);
      expect(de).toContain("1.1.1.1");
    } finally {
      await store.close();
    }
  });

  it("without the data packages: public addresses unknown, special ranges still labelled, one notice", () => {
    const absent = new PlaceDb(() => {
      throw new Error("Cannot find module");
    });
    const lines: string[] = [];
    resetNotice();
    const priv = placeRecord(plain("10.1.2.3"), absent, (l) => lines.push(l));
    expect(priv.specialUse).toMatch(/private/i);
    expect(lines).toEqual([]);
    const pub = placeRecord(plain("1.1.1.1"), absent, (l) => lines.push(l));
    expect(pub).toMatchObject({ asn: null, asOrg: null, country: null, specialUse: null });
    placeRecord(plain("8.8.8.8"), absent, (l) => lines.push(l));
    expect(lines).toEqual([missingDataNotice()]);
    expect(lines[0]).toMatch(/@ip-location-db\/asn/);
    resetNotice();
  });
});

describe("scan --store", { timeout: 180_000 }, () => {
  let gw: ReplayServer;
  beforeAll(async () => {
    gw = await startReplayServer(transcript());
  });
  afterAll(() => gw?.close());

  it("stores a plain scan's loopback gateway labelled loopback, with no AS or country", async () => {
    const env = { CLAWPATROL_HOME: join(home, "cli"), DATABASE_URL: "" };
    const r = await runClawpatrol(
      ["scan", "127.0.0.1", "-p", String(gw.port), "--store", "--fail-on", "none", "--no-progress"],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    const nd = await runClawpatrol(["export", "--format", "ndjson"], { env });
    expect(nd.code, nd.stderr).toBe(0);
    const [rec] = nd.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Observation);
    expect(rec).toMatchObject({ ip: "127.0.0.1", port: gw.port, asn: null, asOrg: null, country: null });
    expect(rec!.specialUse).toMatch(/loopback/i);
  });
});
