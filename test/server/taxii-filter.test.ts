// The TAXII query over a collection's entries: pages that split a run of equal date_added
// values, added_after on such a value, the match filters, and content negotiation.
import { describe, expect, it } from "vitest";
import type { StixEntry } from "../../src/findings/stix-picture.ts";
import { MAX_PAGE, parseObjectQuery, selectPage, TaxiiBadRequest } from "../../src/server/taxii/filter.ts";
import { acceptsTaxii } from "../../src/server/taxii/media.ts";

const DATES = ["2026-10-01T00:00:00.000Z", "2026-10-02T00:00:00.000Z", "2026-10-03T00:00:00.000Z"];
// 30 entries, ten per date, in the collection's order (date added, then id).
const entries: StixEntry[] = DATES.flatMap((d, di) =>
  Array.from({ length: 10 }, (_, i) => ({
    dateAdded: d,
    object: {
      type: i % 2 ? "vulnerability" : "infrastructure",
      id: `${i % 2 ? "vulnerability" : "infrastructure"}--0000000${di}-0000-4000-8000-00000000000${i}`,
      spec_version: "2.1",
      modified: d,
    },
  })),
).sort(
  (a, b) =>
    a.dateAdded.localeCompare(b.dateAdded) || (a.object.id as string).localeCompare(b.object.id as string),
);

function walk(query: Record<string, string>): string[] {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const page = selectPage(entries, parseObjectQuery({ ...query, ...(next ? { next } : {}) }));
    ids.push(...page.entries.map((e) => e.object.id as string));
    next = page.next ?? undefined;
    expect(page.more).toBe(page.next !== null);
  } while (next);
  return ids;
}

describe("TAXII object query", () => {
  it("pages through runs of equal dates without losing or repeating an entry", () => {
    for (const limit of ["1", "3", "7", "10", "29", "30", "1000"])
      expect(walk({ limit }), limit).toEqual(entries.map((e) => e.object.id));
  });

  it("added_after is strict, also on a date many entries share", () => {
    const after = walk({ added_after: DATES[1]!, limit: "4" });
    expect(after).toEqual(entries.filter((e) => e.dateAdded === DATES[2]).map((e) => e.object.id));
    expect(walk({ added_after: "2026-10-01T12:00:00Z" })).toHaveLength(20);
  });

  it("match[type], match[id], match[version] and match[spec_version] select", () => {
    expect(walk({ "match[type]": "vulnerability", limit: "4" })).toHaveLength(15);
    const one = entries[17]!.object.id as string;
    expect(walk({ "match[id]": `${one},nothing--x` })).toEqual([one]);
    expect(walk({ "match[version]": DATES[0]! })).toHaveLength(10);
    expect(walk({ "match[version]": "last" })).toHaveLength(30);
    expect(walk({ "match[spec_version]": "2.0" })).toEqual([]);
  });

  it("refuses what it cannot read, and caps the page at the server's size", () => {
    for (const q of [
      { added_after: "2026-10-01" },
      { limit: "-1" },
      { next: "!!" },
      { "match[version]": "newest" },
    ])
      expect(() => parseObjectQuery(q), JSON.stringify(q)).toThrow(TaxiiBadRequest);
    expect(parseObjectQuery({ limit: "100000" }).limit).toBe(MAX_PAGE);
  });
});

describe("content negotiation", () => {
  it("takes TAXII 2.1, an unversioned TAXII type, wildcards or nothing; refuses the rest", () => {
    for (const ok of [
      undefined,
      "",
      "*/*",
      "application/*",
      "application/taxii+json",
      "application/taxii+json;version=2.1",
      'text/html, application/taxii+json; version="2.1"',
    ])
      expect(acceptsTaxii(ok), String(ok)).toBe(true);
    for (const no of [
      "text/html",
      "application/json",
      "application/taxii+json;version=2.0",
      "application/taxii+json;version=2.1;q=0",
    ])
      expect(acceptsTaxii(no), no).toBe(false);
  });
});
