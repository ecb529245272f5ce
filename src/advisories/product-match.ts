// Which product advisories apply to one exact version of one product. The product names its
// ecosystem and packages (its fingerprinter meta); a record applies when one of its ranges
// for one of those packages contains the version, compared by that ecosystem's rules.
// Products other than OpenClaw publish no release list clawpatrol ships, so the upgrade
// target is the smallest fixed version the advisories themselves name that clears them all.
import { ecosystemOrder } from "./ecosystem-order.ts";
import type { AdvisoryMatch } from "./match.ts";
import {
  type ProductAdvisory,
  type ProductAdvisoryDb,
  type ProductInterval,
  packageKey,
} from "./product-store.ts";
import { SEVERITY_RANK } from "./severity.ts";
import { compareIds } from "./store.ts";

export interface ProductQuery {
  ecosystem: string;
  packages: readonly string[];
  version: string;
}

export interface ProductMatchResult {
  affected: AdvisoryMatch[];
  upgradeTo: string | null;
  /** Affected advisories no version fixes yet. */
  unfixed: string[];
  notes: string[];
}

function contains(cmp: (a: string, b: string) => number, iv: ProductInterval, v: string): boolean {
  if (iv.introduced !== null && cmp(v, iv.introduced) < 0) return false;
  if (iv.fixed !== null) return cmp(v, iv.fixed) < 0;
  if (iv.lastAffected !== null) return cmp(v, iv.lastAffected) <= 0;
  return true;
}

export function matchProductAdvisories(db: ProductAdvisoryDb, q: ProductQuery): ProductMatchResult {
  const order = ecosystemOrder(q.ecosystem);
  if (!order)
    return { affected: [], upgradeTo: null, unfixed: [], notes: [`no version order for ${q.ecosystem}`] };
  const version = q.version.trim();
  if (!order.valid(version))
    return {
      affected: [],
      upgradeTo: null,
      unfixed: [],
      notes: [`"${version}" is not a ${q.ecosystem} version; no advisories matched`],
    };
  const cmp = order.compare;
  const wanted = new Set(q.packages.map((p) => packageKey(q.ecosystem, p)));
  const ours = (a: ProductAdvisory) =>
    a.intervals.filter((iv) => iv.ecosystem === q.ecosystem && wanted.has(packageKey(iv.ecosystem, iv.pkg)));
  const applies = (a: ProductAdvisory, v: string) => ours(a).some((iv) => contains(cmp, iv, v));

  const hits: { a: ProductAdvisory; iv: ProductInterval }[] = [];
  for (const a of db.advisories) {
    const iv = ours(a).find((x) => contains(cmp, x, version));
    if (iv) hits.push({ a, iv });
  }
  const affected: AdvisoryMatch[] = hits.map(({ a, iv }) => ({
    id: a.id,
    aliases: a.aliases,
    summary: a.summary,
    severity: a.severity,
    cvss: a.cvss,
    preAuth: a.preAuth,
    exposure: [...a.exposure],
    knownExploited: a.knownExploited,
    fixed: iv.fixed,
    certainty: "affected",
    fixedUpstream: iv.fixed === null && iv.lastAffected !== null ? `>${iv.lastAffected}` : null,
    userInteraction: a.userInteraction,
  }));
  affected.sort(
    (x, y) =>
      SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] ||
      Number(y.preAuth) - Number(x.preAuth) ||
      compareIds(x.id, y.id),
  );
  const unfixed = affected.filter((m) => m.fixed === null).map((m) => m.id);
  // The smallest fixed version above this one that clears every affected advisory with a fix.
  const fixable = hits.filter((h) => h.iv.fixed !== null).map((h) => h.a);
  const candidates = [
    ...new Set(db.advisories.flatMap((a) => ours(a).flatMap((iv) => (iv.fixed !== null ? [iv.fixed] : [])))),
  ]
    .filter((v) => order.valid(v) && cmp(v, version) > 0)
    .sort(cmp);
  const upgradeTo =
    fixable.length === 0 ? null : (candidates.find((v) => fixable.every((a) => !applies(a, v))) ?? null);
  const notes: string[] = [];
  if (unfixed.length > 0) notes.push(`${unfixed.length} affecting advisories name no fixed version`);
  return { affected, upgradeTo, unfixed, notes };
}
