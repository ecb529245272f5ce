// A finding names the `openclaw security audit` check id of the same problem only when the
// audited release's own audit has that check: a check that exists from some release on
// applies only there, and a check only `openclaw doctor` reports is not an audit check. The
// per-release catalogues (data/audit-checks/) say which ids each release's audit can emit;
// for a release not catalogued, the newest catalogued release of the product before it.
import { compareVersions, isCalVer } from "../advisories/calver.ts";
import { loadReleaseCatalogues, type ReleaseCatalogue } from "./check-catalogue.ts";
import { idCovers } from "./rule-catalogue.ts";
import type { AuditFinding, Product } from "./types.ts";

let cached: ReleaseCatalogue[] | null = null;
function catalogues(): ReleaseCatalogue[] {
  if (cached === null) {
    try {
      cached = loadReleaseCatalogues();
    } catch {
      cached = [];
    }
  }
  return cached;
}

/** The catalogue that judges this release, or null when none can (unknown version, none older). */
export function catalogueFor(
  product: Product,
  version: string | null,
  cats: ReleaseCatalogue[] = catalogues(),
): ReleaseCatalogue | null {
  if (!version || !isCalVer(version)) return null;
  const mine = cats.filter((c) => c.package === product);
  const exact = mine.find((c) => c.version === version);
  if (exact) return exact;
  const older = mine.filter((c) => compareVersions(c.version, version) <= 0);
  return older.length ? older[older.length - 1]! : null;
}

/** Ids this release's `security audit` can emit (doctor-only checks excluded). */
export function auditCheckIds(cat: ReleaseCatalogue): string[] {
  return cat.checks.filter((c) => c.files.some((f) => !/(^|\/)doctor-/.test(f))).map((c) => c.id);
}

/** Null the OpenClaw check id of findings whose check this release's audit does not have. */
export function alignToRelease(
  findings: AuditFinding[],
  product: Product,
  version: string | null,
  cats?: ReleaseCatalogue[],
): AuditFinding[] {
  const cat = catalogueFor(product, version, cats);
  if (!cat) return findings;
  const ids = auditCheckIds(cat);
  return findings.map((f) =>
    f.openclawCheckId !== null &&
    !ids.some((id) => idCovers(id, f.openclawCheckId!) || idCovers(f.openclawCheckId!, id))
      ? { ...f, openclawCheckId: null }
      : f,
  );
}
