// What `clawpatrol audit rules` prints: clawpatrol's rule catalogue joined with the
// per-release catalogues of OpenClaw's own checks, and per release how many it covers.
import {
  coverageOf,
  loadReleaseCatalogues,
  NOT_JUDGED,
  type ReleaseCatalogue,
  type ReleaseCoverage,
  type RuleListing,
  ruleListing,
} from "./check-catalogue.ts";

export const RULES_SCHEMA = "clawpatrol.audit-rules/1" as const;

export interface RulesDocument {
  schema: typeof RULES_SCHEMA;
  rules: RuleListing[];
  releases: (Omit<ReleaseCoverage, "covered" | "notJudged"> & { covered: number; notJudged: string[] })[];
  notJudged: Record<string, string>;
}

export function rulesDocument(cats: ReleaseCatalogue[] = loadReleaseCatalogues()): RulesDocument {
  return {
    schema: RULES_SCHEMA,
    rules: ruleListing(cats),
    releases: cats.map((c) => {
      const cov = coverageOf(c);
      return {
        release: cov.release,
        checkIds: cov.checkIds,
        covered: cov.covered.length,
        notJudged: cov.notJudged,
        uncovered: cov.uncovered,
      };
    }),
    notJudged: NOT_JUDGED,
  };
}

/** Releases in a short form: every catalogued one is "all N releases". */
function releasesText(r: RuleListing, total: number): string {
  if (r.releases === "all") return "all (clawpatrol only)";
  if (r.releases.length === 0) return "none catalogued";
  if (r.releases.length === total) return `all ${total} catalogued`;
  return r.releases.join(", ");
}

export function renderRulesText(doc: RulesDocument): string {
  const total = doc.releases.length;
  const lines: string[] = [];
  for (const r of doc.rules) {
    lines.push(`${r.id}  ${r.title}`);
    lines.push(`    severity: ${r.severity}`);
    lines.push(`    openclaw: ${r.covers.length ? r.covers.join(", ") : "— (OpenClaw has no such check)"}`);
    lines.push(`    releases: ${releasesText(r, total)}`);
    lines.push(`    fix:      ${r.fixes.length ? r.fixes.join(", ") : "—"}`);
    if (r.note) lines.push(`    note:     ${r.note}`);
  }
  lines.push("");
  lines.push("OpenClaw's own checks per release (read from each release's code, data/audit-checks/):");
  for (const c of doc.releases) {
    lines.push(
      `  ${c.release.padEnd(22)} ${String(c.checkIds).padStart(4)} check ids, ${String(c.covered).padStart(4)} covered, ${c.notJudged.length} not judged from disk, ${c.uncovered.length} not covered`,
    );
  }
  return `${lines.join("\n")}\n`;
}
