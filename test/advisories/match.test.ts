// Matching semantics on small fixtures: exact / candidates / range, "affected" vs "possibly
// affected", the upgrade target, and the properties that must hold for any query (nothing
// listed whose ranges cannot intersect it; the upgrade target clears what is listed and is
// the smallest release that does).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareVersions, sortVersions } from "../../src/advisories/calver.ts";
import { createMatcher } from "../../src/advisories/match.ts";
import { contains, intersectsRange } from "../../src/advisories/ranges.ts";
import { lineReleases, loadAdvisoryDb } from "../../src/advisories/store.ts";
import { FIXTURE_RELEASES, fixtureDb, fixtureMatcher, ids, record } from "./helpers.ts";

const RECORDS = [
  record("GHSA-aaaa-aaaa-aaaa", [{ fixed: "2026.2.1" }], { severity: "CRITICAL", preAuth: true }),
  record("GHSA-bbbb-bbbb-bbbb", [{ introduced: "2026.2.2", fixed: "2026.2.22" }], { severity: "MODERATE" }),
  record("GHSA-cccc-cccc-cccc", [{ introduced: "2026.2.17", lastAffected: "2026.2.21" }], {
    severity: "LOW",
  }),
  record(
    "GHSA-dddd-dddd-dddd",
    [
      { fixed: "2026.1.29", pkg: "clawdbot" },
      { introduced: "2026.3.1", fixed: "2026.3.13" },
    ],
    { severity: "HIGH", preAuth: true, ui: true },
  ),
  record("GHSA-eeee-eeee-eeee", [{ introduced: "2026.3.13" }], { severity: "HIGH" }),
  record("GHSA-ffff-ffff-ffff", [{ introduced: "2026.4.1", fixed: "2026.5.1" }], { severity: "HIGH" }),
];

describe("matchAdvisories on fixtures", () => {
  const match = fixtureMatcher(RECORDS);

  it("exact version: only ranges that contain it, with the fix to upgrade to", () => {
    const r = match({ product: "openclaw", version: "2026.2.17" });
    expect(ids(r.affected)).toEqual(["GHSA-bbbb-bbbb-bbbb", "GHSA-cccc-cccc-cccc"]);
    expect(r.possiblyAffected).toEqual([]);
    const bbbb = r.affected.find((m) => m.id === "GHSA-bbbb-bbbb-bbbb")!;
    expect(bbbb.fixed).toBe("2026.2.22");
    expect(bbbb.certainty).toBe("affected");
    // last_affected 2026.2.21 -> first release after it
    expect(r.affected.find((m) => m.id === "GHSA-cccc-cccc-cccc")!.fixed).toBe("2026.2.22");
    expect(r.upgradeTo).toBe("2026.2.22");
  });

  it("sorts by severity, then pre-auth, then id", () => {
    const r = match({ product: "clawdbot", version: "2026.1.24-3" });
    expect(r.affected.map((m) => m.id)).toEqual(["GHSA-aaaa-aaaa-aaaa", "GHSA-dddd-dddd-dddd"]);
  });

  it("uses the first published release at or after an unpublished fixed version", () => {
    // GHSA-dddd's second range is fixed in 2026.3.13, GHSA-aaaa in 2026.2.1 (published).
    const r = match({ product: "openclaw", version: "2026.3.2" });
    expect(r.affected.find((m) => m.id === "GHSA-dddd-dddd-dddd")!.fixed).toBe("2026.3.13");
    const fx = fixtureMatcher([record("GHSA-gggg-gggg-gggg", [{ fixed: "2026.2.14" }])]);
    const m = fx({ product: "openclaw", version: "2026.2.12" }).affected[0]!;
    expect(m.fixed).toBe("2026.2.17");
    expect(m.fixedUpstream).toBe("2026.2.14");
  });

  it("candidates: affected when all are, possibly when some are", () => {
    const r = match({ product: "openclaw", candidates: ["2026.2.12", "2026.2.17"] });
    expect(ids(r.affected)).toEqual(["GHSA-bbbb-bbbb-bbbb"]);
    expect(ids(r.possiblyAffected)).toEqual(["GHSA-cccc-cccc-cccc"]);
    expect(r.possiblyAffected[0]!.certainty).toBe("possibly-affected");
  });

  it("range: affected when one range covers it, possibly when ranges intersect it", () => {
    const r = match({ product: "openclaw", range: { min: "2026.2.3", max: "2026.2.21" } });
    expect(ids(r.affected)).toEqual(["GHSA-bbbb-bbbb-bbbb"]);
    expect(ids(r.possiblyAffected)).toEqual(["GHSA-cccc-cccc-cccc"]);
    // The upgrade target must clear both, and be above the whole range.
    expect(r.upgradeTo).toBe("2026.2.22");
  });

  it("range with an open end", () => {
    const r = match({ product: "openclaw", range: { min: "2026.3.13", max: null } });
    expect(ids(r.affected)).toEqual(["GHSA-eeee-eeee-eeee"]);
    expect(ids(r.possiblyAffected)).toEqual(["GHSA-ffff-ffff-ffff"]);
    expect(r.unfixed).toEqual(["GHSA-eeee-eeee-eeee"]);
  });

  it("reports advisories without a fix and still finds an upgrade for the rest", () => {
    const r = match({ product: "openclaw", version: "2026.4.1" });
    expect(ids(r.affected)).toEqual(["GHSA-eeee-eeee-eeee", "GHSA-ffff-ffff-ffff"]);
    expect(r.unfixed).toEqual(["GHSA-eeee-eeee-eeee"]);
    expect(r.affected.find((m) => m.id === "GHSA-eeee-eeee-eeee")!.fixed).toBeNull();
    expect(r.upgradeTo).toBe("2026.5.1");
  });

  it("prefers an upgrade that does not land in a range introduced later", () => {
    const m = fixtureMatcher([
      record("GHSA-hhhh-hhhh-hhhh", [{ fixed: "2026.3.1" }]),
      record("GHSA-iiii-iiii-iiii", [{ introduced: "2026.3.1", fixed: "2026.3.13" }]),
    ]);
    const r = m({ product: "openclaw", version: "2026.2.22" });
    expect(ids(r.affected)).toEqual(["GHSA-hhhh-hhhh-hhhh"]);
    expect(r.upgradeTo).toBe("2026.3.13");
  });

  it("never suggests a beta, and notes the rename for clawdbot", () => {
    const m = fixtureMatcher([record("GHSA-jjjj-jjjj-jjjj", [{ fixed: "2026.3.23-beta.1" }])]);
    const r = m({ product: "clawdbot", version: "2026.1.24" });
    expect(r.upgradeTo).toBe("2026.3.23");
    expect(r.notes.join(" ")).toMatch(/renamed.*openclaw@2026\.3\.23/);
  });

  it("handles input that is not a version without throwing", () => {
    expect(match({ product: "openclaw", version: "dev" }).notes[0]).toMatch(/not an OpenClaw-family version/);
    expect(match({ product: "openclaw", version: "dev" }).affected).toEqual([]);
    const r = match({ product: "openclaw", range: { min: "nope", max: "2026.2.1" } });
    expect(r.notes.join(" ")).toMatch(/ignored/);
    expect(match({ product: "openclaw", range: { min: "2026.3.1", max: "2026.2.1" } }).affected).toEqual([]);
    const c = match({ product: "openclaw", candidates: ["x", "2026.2.17"] });
    expect(ids(c.affected)).toEqual(["GHSA-bbbb-bbbb-bbbb", "GHSA-cccc-cccc-cccc"]);
  });

  it("with no version information everything is only possibly relevant", () => {
    const r = match({ product: "openclaw", range: { min: null, max: null } });
    expect(r.affected.length + r.possiblyAffected.length).toBe(RECORDS.length);
    expect(r.notes.join(" ")).toMatch(/no version information/);
  });
});

// ------------------------------------------------------------------ properties (shipped data)

describe("matching properties over the shipped data", () => {
  const db = loadAdvisoryDb({ userDir: null });
  const match = createMatcher(db);
  const releases = lineReleases(db.releases).filter((r) => !/-(alpha|beta|rc)/.test(r));
  const versions = sortVersions(
    new Set(
      [
        ...lineReleases(db.releases),
        ...db.advisories.flatMap((a) =>
          a.intervals.flatMap((iv) => [iv.introduced, iv.fixed, iv.lastAffected]),
        ),
      ].filter((v): v is string => v !== null),
    ),
  );
  const version = fc.constantFrom(...versions);

  it("never lists an advisory whose ranges cannot intersect the queried range", () => {
    fc.assert(
      fc.property(version, version, fc.boolean(), fc.boolean(), (a, b, openLo, openHi) => {
        const [lo, hi] = compareVersions(a, b) <= 0 ? [a, b] : [b, a];
        const min = openLo ? null : lo;
        const max = openHi ? null : hi;
        const r = match({ product: "openclaw", range: { min, max } });
        const listed = new Set([...r.affected, ...r.possiblyAffected].map((m) => m.id));
        for (const adv of db.advisories) {
          const meets = adv.intervals.some((iv) => intersectsRange(iv, min, max));
          expect(listed.has(adv.id)).toBe(meets);
        }
        for (const m of r.affected) expect(r.possiblyAffected.some((p) => p.id === m.id)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it("exact version: affected is exactly the advisories containing it; upgradeTo clears them and is the smallest", () => {
    fc.assert(
      fc.property(version, (v) => {
        const r = match({ product: "openclaw", version: v });
        const expected = db.advisories
          .filter((a) => a.intervals.some((iv) => contains(iv, v)))
          .map((a) => a.id);
        expect(ids(r.affected)).toEqual([...expected].sort());
        expect(r.possiblyAffected).toEqual([]);
        const fixable = db.advisories.filter((a) => expected.includes(a.id) && !r.unfixed.includes(a.id));
        const clears = (rel: string) => fixable.every((a) => !a.intervals.some((iv) => contains(iv, rel)));
        if (r.upgradeTo !== null) {
          expect(compareVersions(r.upgradeTo, v)).toBeGreaterThan(0);
          expect(clears(r.upgradeTo)).toBe(true);
          expect(releases).toContain(r.upgradeTo);
        } else if (expected.length > 0 && fixable.length > 0) {
          expect(releases.filter((rel) => compareVersions(rel, v) > 0).some(clears)).toBe(false);
        }
        // Smallest clearing release, unless a later regression-free one was preferred.
        const smallest = releases.find((rel) => compareVersions(rel, v) > 0 && clears(rel)) ?? null;
        if (expected.length > 0 && r.upgradeTo !== null && smallest !== null)
          expect(compareVersions(r.upgradeTo, smallest)).toBeGreaterThanOrEqual(0);
        for (const m of r.affected) if (m.fixed) expect(compareVersions(m.fixed, v)).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe("release list", () => {
  it("drops placeholders and sorts CalVer", () => {
    const db = fixtureDb([record("GHSA-kkkk-kkkk-kkkk", [{ fixed: "2026.2.1" }])], FIXTURE_RELEASES);
    const line = lineReleases(db.releases);
    expect(line).not.toContain("0.0.1");
    expect(line[0]).toBe("2026.1.24");
    expect(line.indexOf("2026.3.23-beta.1")).toBeLessThan(line.indexOf("2026.3.23"));
  });
});
