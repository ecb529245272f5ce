// Property tests for OSV import (src/advisories, public parseAdvisory and importAdvisories
// only): any JSON value, any mutation of a real shipped record, any file tree or zip of
// them is accepted or rejected with bounded reasons, never thrown; nothing is written
// outside the user's advisory directory, and a dry run writes nothing at all.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { importAdvisories } from "../../src/advisories/import.ts";
import { parseAdvisory, SHIPPED_DIR } from "../../src/advisories/store.ts";

const root = mkdtempSync(join(tmpdir(), "clawpatrol-osv-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SHIPPED = readdirSync(SHIPPED_DIR)
  .filter((f) => f.endsWith(".json") && !f.startsWith("_"))
  .slice(0, 25)
  .map((f) => JSON.parse(readFileSync(join(SHIPPED_DIR, f), "utf8")) as Record<string, unknown>);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function paths(
  value: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function setAt(value: Json, path: (string | number)[], next: Json | undefined): Json {
  if (path.length === 0) return next === undefined ? null : next;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const i = head as number;
    if (rest.length === 0 && next === undefined) copy.splice(i, 1);
    else copy[i] = setAt(copy[i] as Json, rest, next);
    return copy;
  }
  if (value && typeof value === "object") {
    const copy = { ...value };
    const k = head as string;
    if (rest.length === 0 && next === undefined) delete copy[k];
    else copy[k] = setAt(copy[k] as Json, rest, next);
    return copy;
  }
  return value;
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    "\u001b]0;owned\u0007\u001b[2J",
    "../../../../tmp/evil",
    "GHSA-../../x",
    "2026.1.1",
    "0",
    "9999.99.999-9999-beta.9999",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:9.9/AV:Q",
    "__proto__",
    "",
  ),
  fc.nat({ max: 200_000 }).map((n) => "x".repeat(n)),
);

const replacement: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined),
  hostileString,
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(null, true, 0, -1, 1e308, [], {}),
);

/** A real shipped record with a few fields deleted or replaced at random depths. */
const mutatedRecord: fc.Arbitrary<Json> = fc
  .tuple(
    fc.constantFrom(...SHIPPED),
    fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 }),
  )
  .map(([record, ops]) => {
    let v = record as Json;
    for (const [pick, next] of ops) {
      const all = paths(v);
      v = setAt(v, all[pick % all.length]!, next);
    }
    return v;
  });

const anyRecord: fc.Arbitrary<unknown> = fc.oneof(
  mutatedRecord,
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(...SHIPPED),
);

function expectBoundedReasons(reasons: string[]): void {
  expect(reasons.length).toBeGreaterThan(0);
  expect(reasons.length).toBeLessThanOrEqual(40);
  for (const r of reasons) {
    expect(typeof r).toBe("string");
    expect(r.length).toBeLessThanOrEqual(2000);
  }
}

/** Every file under `dir`, with its content, for before/after comparisons. */
function snapshot(dir: string, skip: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (p === skip) continue;
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(p, "latin1"));
    }
  };
  walk(dir);
  return out;
}

describe("OSV records (properties)", () => {
  it("any JSON value is accepted or rejected with bounded reasons, never thrown", () => {
    fc.assert(
      fc.property(anyRecord, fc.boolean(), (value, strict) => {
        const r = parseAdvisory(value, { strict, origin: "imported", file: "fuzz.json" });
        if (!r.ok) {
          expectBoundedReasons(r.errors);
          return;
        }
        const rec = value as { id: string };
        expect(r.advisory.id).toBe(rec.id);
        expect(r.advisory.packages.length).toBeGreaterThan(0);
        expect(r.advisory.intervals.length).toBeGreaterThan(0);
        expect(["low", "medium", "high", "critical"]).toContain(r.advisory.severity);
      }),
      { numRuns: 600 },
    );
  });

  it("shipped records themselves are accepted, strictly", () => {
    for (const rec of SHIPPED) {
      const r = parseAdvisory(rec, { strict: true, origin: "shipped", file: "x.json" });
      expect(r.ok, JSON.stringify(!r.ok && r.errors)).toBe(true);
    }
  });
});

describe("OSV import of files, trees and zips (properties)", () => {
  const content = fc.oneof(
    mutatedRecord.map((r) => JSON.stringify(r)),
    fc.array(mutatedRecord, { maxLength: 3 }).map((rs) => JSON.stringify(rs)),
    fc.constantFrom(...SHIPPED).map((r) => JSON.stringify(r)),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u).toString("latin1")),
    fc.constantFrom("", "\uFEFF{}", "[]", "{", "\u0000"),
  );
  const name = fc.oneof(
    fc.constantFrom(
      "a.json",
      "b.JSON",
      "_releases.json",
      "notes.txt",
      ".hidden.json",
      "sub/c.json",
      "sub/deeper/d.json",
    ),
    fc
      .string({ unit: fc.constantFrom(..."abcxyz0129-_"), minLength: 1, maxLength: 8 })
      .map((s) => `${s}.json`),
  );
  const tree = fc.array(fc.tuple(name, content), { minLength: 1, maxLength: 6 });

  it("a directory tree or a zip imports or rejects every document, writes only into the user dir", () => {
    fc.assert(
      fc.property(
        tree,
        fc.constantFrom<"dir" | "zip" | "file">("dir", "zip", "file"),
        fc.boolean(),
        (files, shape, dryRun) => {
          const base = mkdtempSync(join(root, "case-"));
          const input = join(base, "input");
          mkdirSync(input);
          for (const [n, text] of files) {
            mkdirSync(join(input, n, ".."), { recursive: true });
            writeFileSync(join(input, n), text, "latin1");
          }
          let path = input;
          if (shape === "zip") {
            const entries: Record<string, Uint8Array> = {};
            for (const [n, text] of files) entries[n] = Buffer.from(text, "latin1");
            // Entries that try to climb out of any extraction directory.
            entries["../../escape.json"] = Buffer.from(JSON.stringify(SHIPPED[0]));
            path = join(base, "input.zip");
            writeFileSync(path, zipSync(entries));
          } else if (shape === "file") {
            path = join(input, files[0]![0]);
          }
          const userDir = join(base, "user", "advisories");
          const before = snapshot(base, join(base, "user"));
          const report = importAdvisories(path, { userDir, dryRun });
          expect(snapshot(base, join(base, "user"))).toEqual(before);
          expect(report.added + report.replaced + report.rejected).toBeLessThanOrEqual(report.items.length);
          for (const item of report.items) {
            expect(["added", "replaced", "rejected", "releases"]).toContain(item.status);
            if (item.status === "rejected") expectBoundedReasons(item.reasons);
          }
          if (dryRun) expect(existsSync(join(base, "user"))).toBe(false);
          if (existsSync(userDir)) {
            for (const f of readdirSync(userDir)) {
              expect(f.endsWith(".json")).toBe(true);
              expect(() => JSON.parse(readFileSync(join(userDir, f), "utf8"))).not.toThrow();
            }
          }
          rmSync(base, { recursive: true, force: true });
        },
      ),
      { numRuns: 120 },
    );
  });
});
