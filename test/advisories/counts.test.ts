// The one definition of the advisory numbers (src/advisories/counts.ts): aliases merged, the
// pre-auth and usable-here rules, possibly-affecting kept apart, and on the shipped data the
// numbers a real version gets.
import { describe, expect, it } from "vitest";
import {
  type AdvisoryFacts,
  countAdvisories,
  describeCounts,
  distinctAdvisories,
  isUsableHere,
  preAuthIds,
  usableHereByAuth,
} from "../../src/advisories/counts.ts";
import { createMatcher, matchAdvisories } from "../../src/advisories/match.ts";
import { loadAdvisoryDb } from "../../src/advisories/store.ts";
import { record, writeFixtureDir } from "./helpers.ts";

const entry = (id: string, over: Partial<AdvisoryFacts> = {}): AdvisoryFacts => ({
  id,
  aliases: [],
  preAuth: false,
  exposure: ["gateway"],
  ...over,
});

describe("distinct advisories", () => {
  it("a GHSA and a record under its CVE alias are one advisory, named by the GHSA id", () => {
    const list = [
      entry("CVE-2026-1111", { aliases: ["GHSA-aaaa-bbbb-cccc"], preAuth: true }),
      entry("GHSA-aaaa-bbbb-cccc", { aliases: ["CVE-2026-1111"] }),
      entry("GHSA-dddd-eeee-ffff", { aliases: ["CVE-2026-2222"] }),
    ];
    const d = distinctAdvisories(list);
    expect(d.map((a) => [a.id, a.aliases])).toEqual([
      ["GHSA-aaaa-bbbb-cccc", ["CVE-2026-1111"]],
      ["GHSA-dddd-eeee-ffff", ["CVE-2026-2222"]],
    ]);
    // Pre-auth when any of its records says so.
    expect(d[0]!.preAuth).toBe(true);
    expect(d[0]!.entries).toHaveLength(2);
    expect(countAdvisories(list, "required")).toEqual({
      affecting: 2,
      possiblyAffecting: 0,
      preAuth: 1,
      usableHere: 1,
    });
  });

  it("entries joined only through a third one are merged, ids compared case-insensitively", () => {
    const list = [
      entry("GHSA-1111-1111-1111", { aliases: ["CVE-2026-0001"] }),
      entry("CVE-2026-0002"),
      entry("cve-2026-0002", { aliases: ["cve-2026-0001"], exposure: ["webhook"] }),
    ];
    const d = distinctAdvisories(list);
    expect(d).toHaveLength(1);
    expect(d[0]!.id).toBe("GHSA-1111-1111-1111");
    expect(d[0]!.exposure.sort()).toEqual(["gateway", "webhook"]);
    expect(new Set(d[0]!.aliases.map((a) => a.toUpperCase()))).toEqual(
      new Set(["CVE-2026-0001", "CVE-2026-0002"]),
    );
  });

  it("possibly affected advisories are counted apart, and affected wins when a merged record is certain", () => {
    const list = [
      entry("GHSA-p1", { certainty: "possibly-affected", preAuth: true }),
      entry("GHSA-p2", { certainty: "possibly-affected", aliases: ["CVE-X"] }),
      entry("CVE-X", { certainty: "affected" }),
    ];
    expect(countAdvisories(list, "not-required")).toEqual({
      affecting: 1,
      possiblyAffecting: 1,
      preAuth: 0,
      usableHere: 1,
    });
    expect(preAuthIds(list)).toEqual([]);
  });
});

describe("usable here", () => {
  const list = [
    entry("GHSA-gw-pre", { preAuth: true }),
    entry("GHSA-gw-cred"),
    entry("GHSA-hook-pre", { preAuth: true, exposure: ["webhook"] }),
    entry("GHSA-relay-pre", { preAuth: true, exposure: ["browser-relay"] }),
    entry("GHSA-chan-pre", { preAuth: true, exposure: ["channel"] }),
    entry("GHSA-local", { exposure: ["local"] }),
  ];

  it("auth enforced (or unknown): pre-auth flaws of the gateway port only", () => {
    for (const auth of ["required", "unknown"] as const) {
      expect(list.filter((a) => isUsableHere(a, auth)).map((a) => a.id)).toEqual(["GHSA-gw-pre"]);
      expect(countAdvisories(list, auth)).toEqual({
        affecting: 6,
        possiblyAffecting: 0,
        preAuth: 4,
        usableHere: 1,
      });
    }
  });

  it("no auth: every flaw of the gateway port, never another listener's", () => {
    expect(list.filter((a) => isUsableHere(a, "not-required")).map((a) => a.id)).toEqual([
      "GHSA-gw-pre",
      "GHSA-gw-cred",
    ]);
    expect(usableHereByAuth(list)).toEqual({ required: 1, notRequired: 2 });
  });

  it("is written with the same labels everywhere", () => {
    expect(describeCounts(countAdvisories(list, "required"))).toBe("6 affecting, 4 pre-auth, 1 usable here");
    expect(
      describeCounts(
        { affecting: 0, possiblyAffecting: 3, preAuth: 0, usableHere: 0 },
        { usableHere: false },
      ),
    ).toBe("0 affecting, 0 pre-auth, 3 possibly affecting");
  });
});

describe("on the shipped advisories", () => {
  it("an old clawdbot build: one count per advisory however many ids it has", () => {
    const m = matchAdvisories({ product: "clawdbot", version: "2026.1.24-3" });
    const c = countAdvisories(m.affected, "required");
    const ids = new Set(m.affected.flatMap((a) => [a.id, ...a.aliases]));
    // The shipped records have no alias claimed twice (npm run check:data), so each is one advisory...
    expect(c.affecting).toBe(m.affected.length);
    // ...and counting ids and aliases, as the dashboard did, would have counted many twice.
    expect(ids.size).toBeGreaterThan(c.affecting + 100);
    expect(c.preAuth).toBe(m.affected.filter((a) => a.preAuth).length);
    expect(c.usableHere).toBe(m.affected.filter((a) => a.preAuth && a.exposure.includes("gateway")).length);
    expect(c.usableHere).toBeGreaterThan(0);
    expect(c.usableHere).toBeLessThan(c.preAuth);
    expect(countAdvisories(m.affected, "not-required").usableHere).toBe(
      m.affected.filter((a) => a.exposure.includes("gateway")).length,
    );
  });
});

describe("one advisory, one record", () => {
  it("an imported record under a CVE alias replaces the shipped GHSA record, so it is matched once", () => {
    const shippedDir = writeFixtureDir([
      record("GHSA-aaaa-aaaa-aaaa", [{ fixed: "2026.2.1" }], { aliases: ["CVE-2026-11111"] }),
      record("GHSA-bbbb-bbbb-bbbb", [{ fixed: "2026.2.1" }]),
    ]);
    const userDir = writeFixtureDir(
      [
        record("CVE-2026-11111", [{ fixed: "2026.3.1" }], {
          aliases: ["GHSA-aaaa-aaaa-aaaa"],
          preAuth: true,
        }),
      ],
      null,
    );
    const db = loadAdvisoryDb({ shippedDir, userDir });
    expect(db.advisories.map((a) => a.id).sort()).toEqual(["CVE-2026-11111", "GHSA-bbbb-bbbb-bbbb"]);
    const m = createMatcher(db)({ product: "openclaw", version: "2026.1.30" });
    expect(m.affected).toHaveLength(2);
    // The imported record's facts win (its wider range, its pre-auth flag); named by the GHSA id.
    expect(m.affected.find((a) => a.id === "CVE-2026-11111")?.fixed).toBe("2026.3.1");
    expect(countAdvisories(m.affected, "required")).toEqual({
      affecting: 2,
      possiblyAffecting: 0,
      preAuth: 1,
      usableHere: 1,
    });
    expect(preAuthIds(m.affected)).toEqual(["GHSA-aaaa-aaaa-aaaa"]);
  });
});
