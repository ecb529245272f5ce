// Offline ASN / organisation / country lookups against the installed ip-location-db packages,
// checked against an independent linear read of the same CSV files; special-purpose ranges
// labelled; CSV quoting of organisation names.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { csvFields } from "../../src/enrich/csv-ranges.ts";
import { PlaceDb, specialRange } from "../../src/enrich/place.ts";
import { formatIp } from "../../src/targets/ip.ts";

const resolve = createRequire(import.meta.url).resolve;
const rows = (file: string) =>
  readFileSync(resolve(file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => csvFields(l));

describe("offline place lookups", () => {
  const db = new PlaceDb();

  it("agrees with a plain read of the ASN and country tables on sampled ranges (IPv4 and IPv6)", () => {
    expect(db.available).toBe(true);
    for (const family of [4, 6] as const) {
      const asn = rows(`@ip-location-db/asn/asn-ipv${family}-num.csv`);
      const country = rows(
        `@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv${family}-num.csv`,
      );
      // Spread over the whole table: first, last and evenly spaced rows.
      const picks = [
        0,
        asn.length - 1,
        ...Array.from({ length: 40 }, (_, i) => Math.floor(((i + 1) * asn.length) / 42)),
      ];
      for (const i of picks) {
        const [start, end, number, org] = asn[i]!;
        const mid = (BigInt(start!) + BigInt(end!)) / 2n;
        const ip = formatIp(family, mid);
        if (specialRange(ip)) continue;
        const want = country.find((c) => BigInt(c[0]!) <= mid && mid <= BigInt(c[1]!));
        const got = db.lookup(ip);
        expect(got.asn, ip).toBe(Number(number));
        expect(got.asOrg, ip).toBe(org || null);
        expect(got.country, ip).toBe(want ? want[2]!.toUpperCase() : null);
      }
    }
  });

  it("labels private, loopback and documentation addresses and gives them no AS or country", () => {
    expect(db.lookup("10.1.2.3")).toEqual({
      asn: null,
      asOrg: null,
      country: null,
      special: "private use (RFC 1918)",
    });
    expect(db.lookup("127.0.0.1").special).toBe("loopback (RFC 1122)");
    expect(db.lookup("::1").special).toBe("loopback (RFC 4291)");
    expect(db.lookup("192.0.2.45").special).toBe("documentation TEST-NET-1 (RFC 5737)");
    expect(db.lookup("not an ip")).toEqual({ asn: null, asOrg: null, country: null, special: null });
  });

  it("without the data packages every public address is unknown; special ranges are still labelled", () => {
    const absent = new PlaceDb(() => {
      throw new Error("Cannot find module");
    });
    expect(absent.available).toBe(false);
    expect(absent.lookup("8.8.8.8")).toEqual({ asn: null, asOrg: null, country: null, special: null });
    expect(absent.lookup("2001:4860:4860::8888").asn).toBeNull();
    expect(absent.lookup("192.168.1.1").special).toBe("private use (RFC 1918)");
  });

  it("reads quoted CSV fields with commas and doubled quotes", () => {
    expect(csvFields('1,2,13335,"Cloudflare, Inc."')).toEqual(["1", "2", "13335", "Cloudflare, Inc."]);
    expect(csvFields('1,2,3,"A ""quoted"" name",x')).toEqual(["1", "2", "3", 'A "quoted" name', "x"]);
    expect(csvFields("1,2,,")).toEqual(["1", "2", "", ""]);
  });
});
