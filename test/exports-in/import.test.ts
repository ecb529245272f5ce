// `clawpatrol import` of third-party scan exports, as a user runs it, into a PGlite store in a
// temp CLAWPATROL_HOME: endpoints stored as unverified records with their source and claim,
// the read summary on stderr, a re-import counted once, bad lines named with their numbers.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PlaceDb } from "../../src/enrich/place.ts";
import type { Observation } from "../../src/scan/record.ts";
import { observationSchema } from "../../src/scan/record-schema.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const FIX = new URL("./fixtures/", import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), "clawpatrol-import-exports-"));
const env = { CLAWPATROL_HOME: home, DATABASE_URL: "" };
const run = (args: string[]) => runClawpatrol(args, { env });
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function exported(): Promise<Observation[]> {
  const r = await run(["export", "--format", "ndjson"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => observationSchema.parse(JSON.parse(l)) as Observation);
}

// Each step is a CLI run that opens the PGlite store: seconds each on a busy machine.
describe("import of scan exports", { timeout: 120_000 }, () => {
  it("stores a masscan -oJ file's endpoints unverified, with their source, and counts a re-import once", async () => {
    const file = join(home, "sweep.json");
    copyFileSync(`${FIX}masscan.json`, file);
    const r = await run(["import", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sweep\.json: imported: 2 records, 0 rejected/);
    expect(r.stderr).toMatch(
      /sweep\.json \(masscan-json\): 5 lines read, 2 endpoints used, 0 skipped, 0 malformed/,
    );
    const again = await run(["import", file]);
    expect(again.stdout).toMatch(/already imported/);
    const records = (await exported()).filter((o) => o.source?.format === "masscan-json");
    expect(records.map((o) => `${o.ip}:${o.port}`).sort()).toEqual(["10.77.0.2:18789", "10.77.0.2:18790"]);
    for (const o of records) {
      expect(o.source).toEqual({
        format: "masscan-json",
        file: "sweep.json",
        line: expect.any(Number),
        verified: false,
      });
      expect(o.sourceClaim?.outcome).toBe("unverified");
      expect(o.product).toBeNull();
      expect(o.findings).toEqual([]);
      expect(o.scannedAt).toBe("2026-12-07T18:52:21.000Z");
      // A private address: labelled, no AS or country.
      expect(o).toMatchObject({
        asn: null,
        asOrg: null,
        country: null,
        specialUse: "private use (RFC 1918)",
      });
    }
  });

  it("a Shodan export: the named product and version kept, the source's place beside them, bad lines named", async () => {
    const file = join(home, "shodan.json");
    copyFileSync(`${FIX}shodan.json`, file);
    const r = await run(["import", file]);
    // Two lines could not be read: exit 2, as for clawpatrol's own NDJSON.
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/shodan\.json:4: rejected: not a Shodan banner/);
    expect(r.stderr).toMatch(/shodan\.json:5: rejected: not JSON/);
    expect(r.stderr).toMatch(/2 endpoints used, 1 skipped \(1 udp banner\), 2 malformed/);
    const gw = (await exported()).find((o) => o.ip === "192.0.2.45")!;
    expect(gw).toMatchObject({
      host: "gw.example.net",
      port: 18789,
      product: "openclaw",
      version: "2026.1.29",
      auth: "unknown",
      reachable: true,
      exposure: "network",
      source: { format: "shodan", file: "shodan.json", line: 1, verified: false },
      sourceClaim: {
        product: "OpenClaw",
        asn: 64500,
        org: "Example Hosting",
        country: "DE",
        outcome: "unverified",
      },
    });
    expect(gw.confidence).toEqual({ product: 0, version: 0, auth: 0, remoteLooksLocal: 0 });
    // The source's own AS and country stay in the claim; the record's come from the offline database.
    expect(gw).toMatchObject({ asn: null, country: null, specialUse: "documentation TEST-NET-1 (RFC 5737)" });
    const inv = await run(["inventory", "--json", "--product", "openclaw"]);
    expect(inv.stdout).toMatch(/192\.0\.2\.45/);
  });

  it("inventory and export filter imported records by country and AS number", async () => {
    const db = new PlaceDb();
    const ips = ["1.0.0.1", "8.8.8.8", "9.9.9.9"];
    const places = ips.map((ip) => db.lookup(ip));
    const file = join(home, "placed.json");
    writeFileSync(
      file,
      ips
        .map((ip) =>
          JSON.stringify({ ip_str: ip, port: 18789, transport: "tcp", product: "OpenClaw", data: "" }),
        )
        .join("\n"),
    );
    expect((await run(["import", file])).code).toBe(0);
    const listed = async (args: string[]) => {
      const r = await run(["inventory", "--json", ...args]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { ip: string }).ip)
        .sort();
    };
    const country = places[1]!.country!;
    expect(country).toMatch(/^[A-Z]{2}$/);
    const inCountry = ips.filter((_, i) => places[i]!.country === country).sort();
    expect(await listed(["--country", country.toLowerCase()])).toEqual(inCountry);
    const asn = places[0]!.asn!;
    const inAs = ips.filter((_, i) => places[i]!.asn === asn).sort();
    expect(await listed(["--asn", `AS${asn}`])).toEqual(inAs);
    expect(await listed(["--asn", "4294967295"])).toEqual([]);
    // export takes the same filters, on each stored record.
    const ex = await run(["export", "--format", "ndjson", "--country", country]);
    expect(ex.code, ex.stderr).toBe(0);
    const exported = ex.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Observation);
    expect(exported.map((o) => o.ip).sort()).toEqual(inCountry);
    expect(exported.every((o) => o.country === country)).toBe(true);
    const byAs = await run(["export", "--format", "ndjson", "--asn", String(asn)]);
    expect(byAs.stdout.trim().split("\n").length).toBe(inAs.length);
    const bad = await run(["inventory", "--country", "Germany"]);
    expect(bad.code).toBe(2);
    expect(isOneLineError(bad.stderr)).toBe(true);
  });

  it("--input-format forces a reader; an unknown one is a one-line usage error", async () => {
    const file = join(home, "list.txt");
    // 1.0.0.1: a public address, looked up offline (import contacts no one).
    writeFileSync(file, "open tcp 18789 1.0.0.1 1796669546\n");
    const forced = await run(["import", "--input-format", "masscan-list", file]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/\(masscan-list\): 1 lines read, 1 endpoints used/);
    const want = new PlaceDb().lookup("1.0.0.1");
    expect(want.asn).toEqual(expect.any(Number));
    const stored = (await exported()).find((o) => o.ip === "1.0.0.1")!;
    expect(stored).toMatchObject({
      asn: want.asn,
      asOrg: want.asOrg,
      country: want.country,
      specialUse: null,
    });
    const bad = await run(["import", "--input-format", "pcap", file]);
    expect(bad.code).toBe(2);
    expect(isOneLineError(bad.stderr)).toBe(true);
    expect(bad.stderr).toMatch(/--input-format: "pcap" is not one of masscan-json/);
  });
});
