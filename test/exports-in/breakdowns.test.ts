// Dashboard breakdowns by country and AS of imported gateways: counted from each asset's
// latest record as enrichment placed it, with the organisation named, on the page and in the API data.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PlaceDb } from "../../src/enrich/place.ts";
import { breakdownsPage } from "../../src/server/pages/breakdowns.ts";
import { breakdowns } from "../../src/server/queries.ts";
import { openStore } from "../../src/store/db.ts";
import { importNdjson } from "../../src/store/import.ts";

const dir = mkdtempSync(join(tmpdir(), "clawpatrol-breakdowns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("breakdowns by country and AS", { timeout: 120_000 }, () => {
  it("counts live gateways by the place of their latest record; unplaced ones are left out", async () => {
    const ips = ["1.0.0.1", "1.1.1.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "10.0.0.7"];
    const file = join(dir, "shodan.json");
    writeFileSync(
      file,
      ips
        .map((ip, i) =>
          JSON.stringify({ ip_str: ip, port: 18789 + i, transport: "tcp", product: "OpenClaw", data: "" }),
        )
        .join("\n"),
    );
    const store = await openStore({ dataDir: join(dir, "db") });
    try {
      const r = await importNdjson(store.db, file);
      expect(r.accepted).toBe(ips.length);
      const b = await breakdowns(store.db, 50);
      const db = new PlaceDb();
      const want = new Map<string, number>();
      const wantAs = new Map<string, { name: string | null; live: number }>();
      for (const ip of ips) {
        const p = db.lookup(ip);
        if (p.country) want.set(p.country, (want.get(p.country) ?? 0) + 1);
        if (p.asn) {
          const e = wantAs.get(String(p.asn)) ?? { name: p.asOrg, live: 0 };
          e.live++;
          wantAs.set(String(p.asn), e);
        }
      }
      // 10.0.0.7 is private: no country, no AS, not counted.
      expect([...want.values()].reduce((a, n) => a + n, 0)).toBe(5);
      expect(new Map(b.countries.map((c) => [c.key, c.live]))).toEqual(want);
      expect(new Map(b.organisations.map((o) => [o.key, { name: o.name, live: o.live }]))).toEqual(wantAs);
      // Sorted by live gateways, most first; nothing is unauthenticated in an unverified import.
      const lives = b.countries.map((c) => c.live);
      expect(lives).toEqual([...lives].sort((x, y) => y - x));
      expect(b.countries.every((c) => c.unauthenticated === 0)).toBe(true);
      const page = String(await breakdownsPage({ csrf: null, canLogout: false }, b));
      expect(page).toContain('id="by-country"');
      const top = b.organisations[0]!;
      expect(page).toContain(`AS${top.key} ${top.name!.replace(/&/g, "&amp;")}`);
    } finally {
      await store.close();
    }
  });
});
