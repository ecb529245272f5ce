import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareVersions, inRange, parseCalVer, sortVersions } from "../../src/advisories/calver.ts";

describe("calver", () => {
  it("orders betas before the release and rebuilds after it", () => {
    const shuffled = [
      "2026.5.17",
      "2026.5.16-2",
      "2026.5.16",
      "2026.5.16-beta.2",
      "2026.5.16-1",
      "2026.5.16-beta.1",
      "2026.1.24-3",
      "2026.1.24",
      "2026.10.1",
      "2026.9.30",
    ];
    expect(sortVersions(shuffled)).toEqual([
      "2026.1.24",
      "2026.1.24-3",
      "2026.5.16-beta.1",
      "2026.5.16-beta.2",
      "2026.5.16",
      "2026.5.16-1",
      "2026.5.16-2",
      "2026.5.17",
      "2026.9.30",
      "2026.10.1",
    ]);
  });

  it("rejects what is not a version", () => {
    for (const bad of [
      "",
      "dev",
      "2026",
      "2026.1",
      "2026.1.x",
      "1.2.3.4",
      "2026.1.2-beta.1.2",
      "a2026.1.1",
    ]) {
      expect(parseCalVer(bad), bad).toBeNull();
    }
    expect(() => compareVersions("dev", "2026.1.1")).toThrow(/not a CalVer/);
  });

  it("checks closed ranges with open ends", () => {
    expect(inRange("2026.3.13", { min: "2026.3.2", max: null })).toBe(true);
    expect(inRange("2026.3.1", { min: "2026.3.2", max: null })).toBe(false);
    expect(inRange("2026.3.2-beta.1", { min: "2026.3.2", max: null })).toBe(false);
    expect(inRange("2026.3.2-1", { min: null, max: "2026.3.2" })).toBe(false);
  });

  it("is a total order consistent with itself (property)", () => {
    const version = fc
      .tuple(
        fc.integer({ min: 2025, max: 2027 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 1, max: 5 })),
        fc.option(fc.integer({ min: 1, max: 9 })),
      )
      .map(
        ([y, m, d, rebuild, beta]) =>
          `${y}.${m}.${d}${rebuild ? `-${rebuild}` : ""}${beta ? `-beta.${beta}` : ""}`,
      );
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a));
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0)
          expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});
