// Replays a recorded corpus file against clawpatrol: per case the differential comparison
// (support/conformance.ts), and per build the tallies the conformance report prints.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deepOnlyIn, EXPLAINED_EXTRAS, loadReleaseCatalogues } from "../../../src/audit/check-catalogue.ts";
import { idCovers } from "../../../src/audit/rule-catalogue.ts";
import { type CaseComparison, compareCase } from "./conformance.ts";
import { auditCorpusCase, type CorpusFile } from "./corpus.ts";

export interface CorpusTally {
  build: string;
  cases: number;
  reported: Set<string>;
  matched: Set<string>;
  /** check id → the case ids where it was missed / lower / extra. */
  missed: Map<string, string[]>;
  lower: Map<string, string[]>;
  extra: Map<string, string[]>;
  ms: number;
}

export const explainedExtra = (f: { openclawCheckId: string | null }): boolean =>
  Object.keys(EXPLAINED_EXTRAS).some((p) => idCovers(p, f.openclawCheckId ?? ""));

const catalogues = loadReleaseCatalogues();

/** Extras allowed on a build: the explained ones, and checks its plain audit does not run (deep-only). */
export function extraAllowedFor(build: string): (f: { openclawCheckId: string | null }) => boolean {
  const cat = catalogues.find((c) => `${c.package}-${c.version}` === build);
  return (f) =>
    explainedExtra(f) ||
    (cat !== undefined && f.openclawCheckId !== null && deepOnlyIn(cat, f.openclawCheckId));
}

export async function replayCorpus(file: CorpusFile): Promise<CorpusTally> {
  const t0 = performance.now();
  const allowed = extraAllowedFor(file.build);
  const t: CorpusTally = {
    build: file.build,
    cases: 0,
    reported: new Set(),
    matched: new Set(),
    missed: new Map(),
    lower: new Map(),
    extra: new Map(),
    ms: 0,
  };
  const add = (m: Map<string, string[]>, ids: string[], id: string) => {
    for (const k of ids) m.set(k, [...(m.get(k) ?? []), id]);
  };
  const root = mkdtempSync(join(tmpdir(), "cp-corpus-"));
  try {
    for (const c of file.cases) {
      const report = await auditCorpusCase(file.build, c, join(root, c.id));
      const cmp: CaseComparison = compareCase(
        c.findings.map((f) => ({ ...f, title: "" })),
        report.findings,
        { extraAllowed: allowed },
      );
      t.cases++;
      for (const id of cmp.reported) t.reported.add(id);
      for (const id of cmp.matched) t.matched.add(id);
      add(t.missed, cmp.missed, c.id);
      add(t.lower, cmp.lower, c.id);
      add(t.extra, cmp.extra, c.id);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  t.ms = Math.round(performance.now() - t0);
  return t;
}
