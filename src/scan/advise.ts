// Bridges the advisory database (src/advisories) to the scan's assess stage.
import { matchAdvisories } from "../advisories/match.ts";
import { matchProductAdvisories } from "../advisories/product-match.ts";
import { defaultProductAdvisories } from "../advisories/product-store.ts";
import { isFamilyProduct } from "../fingerprints/products.ts";
import { fingerprinterOf } from "../fingerprints/registry.ts";
import type { AdviseFn, MatchedAdvisory } from "./assess.ts";

export function scanAdvisor(): AdviseFn {
  // A network holds many gateways on few versions: answer each distinct question once.
  const cache = new Map<string, ReturnType<AdviseFn>>();
  return (q) => {
    const key = JSON.stringify(q);
    const hit = cache.get(key);
    if (hit) return hit;
    const answer = advise(q);
    if (cache.size > 1000) cache.clear();
    cache.set(key, answer);
    return answer;
  };
}

function advise(q: Parameters<AdviseFn>[0]): ReturnType<AdviseFn> {
  const { product } = q;
  if (!isFamilyProduct(product)) return adviseProduct(q);
  const result = matchAdvisories({ ...q, product });
  const summarise = (list: typeof result.affected): MatchedAdvisory[] =>
    list.map((m) => ({
      id: m.id,
      aliases: m.aliases,
      severity: m.severity,
      preAuth: m.preAuth,
      exposure: m.exposure,
      fixed: m.fixed,
      certainty: m.certainty,
      summary: m.summary,
    }));
  return {
    advisories: [...summarise(result.affected), ...summarise(result.possiblyAffected)],
    upgradeTo: result.upgradeTo,
  };
}

/**
 * Another product: its fingerprinter names the ecosystem and packages its advisories are
 * written for; only an exact version is matched (these products' fingerprints give one or none).
 */
function adviseProduct(q: Parameters<AdviseFn>[0]): ReturnType<AdviseFn> {
  const where = fingerprinterOf(q.product).meta.advisories;
  if (!where || q.version === undefined) return { advisories: [], upgradeTo: null };
  const result = matchProductAdvisories(defaultProductAdvisories(), { ...where, version: q.version });
  return {
    advisories: result.affected.map((m) => ({
      id: m.id,
      aliases: m.aliases,
      severity: m.severity,
      preAuth: m.preAuth,
      exposure: m.exposure,
      fixed: m.fixed,
      certainty: m.certainty,
      summary: m.summary,
    })),
    upgradeTo: result.upgradeTo,
  };
}
