// The generated differential corpus (test/fixtures/audit-corpus/, recorded from each zoo build's
// own security audit by bench/audit/record-corpus.ts) replayed against clawpatrol: every
// warn/critical check the release reported is named by a clawpatrol finding at a severity no
// lower, and clawpatrol names no check the release did not report (unless explained). A check
// the catalogue lists as not covered yet may be missed; any other miss fails.
import { describe, expect, it } from "vitest";
import { coverageOf, loadReleaseCatalogues } from "../../src/audit/check-catalogue.ts";
import { listCorpusFiles, readCorpusFile } from "./support/corpus.ts";
import { replayCorpus } from "./support/corpus-compare.ts";

const files = listCorpusFiles().map(readCorpusFile);
const catalogues = loadReleaseCatalogues();

describe("generated corpus against the real audits (recorded)", () => {
  it("spans at least 5 releases and 500 configs", () => {
    expect(new Set(files.map((f) => f.build)).size).toBeGreaterThanOrEqual(5);
    expect(files.reduce((n, f) => n + f.cases.length, 0)).toBeGreaterThanOrEqual(500);
  });
  for (const file of files) {
    it(`${file.build}: ${file.cases.length} cases agree with the release's own audit`, async () => {
      const cat = catalogues.find((c) => `${c.package}-${c.version}` === file.build);
      expect(cat, `no check catalogue for ${file.build}`).toBeDefined();
      const notCovered = new Set(coverageOf(cat!).uncovered);
      const t = await replayCorpus(file);
      const fmt = (m: Map<string, string[]>) =>
        [...m].map(([id, cs]) => `${id} (${cs.slice(0, 3).join(", ")})`);
      const wrongMiss = new Map([...t.missed].filter(([id]) => !notCovered.has(id)));
      expect(fmt(wrongMiss), "covered checks missed").toEqual([]);
      expect(fmt(t.lower), "matched at a lower severity").toEqual([]);
      expect(fmt(t.extra), "clawpatrol named checks the real audit did not report").toEqual([]);
      expect(t.matched.size).toBeGreaterThan(0);
    }, 300_000);
  }
});
