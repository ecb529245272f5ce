// Property tests for CalVer parsing and ordering (src/advisories/calver.ts): parsing never
// throws, round-trips what it accepts, and the order is a total order that matches the
// documented key: year, month, day, pre-releases (alpha < beta < rc) before the release,
// rebuilds (-1, -2) after it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareVersions,
  inRange,
  isCalVer,
  parseCalVer,
  sortVersions,
} from "../../src/advisories/calver.ts";

interface Parts {
  year: number;
  month: number;
  day: number;
  rebuild: number | null;
  pre: { tag: "alpha" | "beta" | "rc"; n: number | null; dot: boolean } | null;
  v: boolean;
}

const parts: fc.Arbitrary<Parts> = fc.record({
  year: fc.integer({ min: 0, max: 9999 }),
  month: fc.integer({ min: 0, max: 99 }),
  day: fc.integer({ min: 0, max: 999 }),
  rebuild: fc.option(fc.integer({ min: 0, max: 9999 })),
  pre: fc.option(
    fc.record({
      tag: fc.constantFrom<"alpha" | "beta" | "rc">("alpha", "beta", "rc"),
      n: fc.option(fc.integer({ min: 0, max: 9999 })),
      dot: fc.boolean(),
    }),
  ),
  v: fc.boolean(),
});

/** Realistic versions, dense enough that equal prefixes are common. */
const near: fc.Arbitrary<Parts> = fc.record({
  year: fc.constantFrom(2025, 2026),
  month: fc.integer({ min: 1, max: 3 }),
  day: fc.integer({ min: 1, max: 3 }),
  rebuild: fc.option(fc.integer({ min: 1, max: 3 })),
  pre: fc.option(
    fc.record({
      tag: fc.constantFrom<"alpha" | "beta" | "rc">("alpha", "beta", "rc"),
      n: fc.option(fc.integer({ min: 1, max: 3 })),
      dot: fc.constant(true),
    }),
  ),
  v: fc.constant(false),
});

function text(p: Parts): string {
  const pre = p.pre ? `-${p.pre.tag}${p.pre.n === null ? "" : `${p.pre.dot ? "." : ""}${p.pre.n}`}` : "";
  return `${p.v ? "v" : ""}${p.year}.${p.month}.${p.day}${p.rebuild === null ? "" : `-${p.rebuild}`}${pre}`;
}

const RANK = { alpha: 0, beta: 1, rc: 2 } as const;

/** The documented order as a plain key. */
function key(p: Parts): number[] {
  return [p.year, p.month, p.day, p.pre ? 0 : 1, p.pre ? RANK[p.pre.tag] : 0, p.pre?.n ?? 0, p.rebuild ?? 0];
}

function cmpKey(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe("CalVer (properties)", () => {
  it("parsing any text never throws; what it accepts is bounded and trimmed", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.string({ unit: fc.constantFrom(..."0123456789.-vabetrcl "), maxLength: 30 }),
          fc.string({ maxLength: 10_000 }),
        ),
        (s) => {
          const v = parseCalVer(s);
          expect(isCalVer(s)).toBe(v !== null);
          if (v === null) {
            expect(() => compareVersions(s, "2026.1.1")).toThrow(/not a CalVer/);
            return;
          }
          expect(v.raw).toBe(s.trim());
          expect(v.raw.length).toBeLessThanOrEqual(30);
          for (const n of [v.year, v.month, v.day, v.rebuild, v.preNumber])
            expect(Number.isInteger(n) && n >= 0).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("every well-formed version parses to its parts", () => {
    fc.assert(
      fc.property(parts, fc.constantFrom("", " ", "\t", "\n"), (p, pad) => {
        const v = parseCalVer(`${pad}${text(p)}${pad}`);
        expect(v).not.toBeNull();
        expect([v!.year, v!.month, v!.day, v!.rebuild, v!.pre, v!.preNumber]).toEqual([
          p.year,
          p.month,
          p.day,
          p.rebuild ?? 0,
          p.pre?.tag ?? null,
          p.pre?.n ?? 0,
        ]);
      }),
      { numRuns: 2000 },
    );
  });

  it("the order matches the documented key, and is total, antisymmetric and transitive", () => {
    fc.assert(
      fc.property(fc.oneof(near, parts), fc.oneof(near, parts), fc.oneof(near, parts), (a, b, c) => {
        const [ta, tb, tc] = [text(a), text(b), text(c)];
        expect(sign(compareVersions(ta, tb))).toBe(cmpKey(key(a), key(b)));
        expect(compareVersions(ta, ta)).toBe(0);
        expect(sign(compareVersions(ta, tb)) + sign(compareVersions(tb, ta))).toBe(0);
        if (compareVersions(ta, tb) <= 0 && compareVersions(tb, tc) <= 0)
          expect(compareVersions(ta, tc)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 3000 },
    );
  });

  it("sorting is idempotent, order-independent and sorted", () => {
    fc.assert(
      fc.property(fc.array(near.map(text), { maxLength: 30 }), (list) => {
        const sorted = sortVersions(list);
        expect(sortVersions(sorted)).toEqual(sorted);
        expect(sortVersions([...list].reverse()).map((v) => key(parseCalVerParts(v)))).toEqual(
          sorted.map((v) => key(parseCalVerParts(v))),
        );
        for (let i = 1; i < sorted.length; i++)
          expect(compareVersions(sorted[i - 1]!, sorted[i]!)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it("ranges agree with the order, open ends included", () => {
    fc.assert(
      fc.property(near.map(text), fc.option(near.map(text)), fc.option(near.map(text)), (v, min, max) => {
        const expected =
          (min === null || compareVersions(v, min) >= 0) && (max === null || compareVersions(v, max) <= 0);
        expect(inRange(v, { min, max })).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

function parseCalVerParts(v: string): Parts {
  const p = parseCalVer(v)!;
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    rebuild: p.rebuild || null,
    pre: p.pre ? { tag: p.pre as "alpha" | "beta" | "rc", n: p.preNumber || null, dot: true } : null,
    v: false,
  };
}
