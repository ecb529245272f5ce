// Bridges the advisory database (src/advisories) to the scan's assess stage.
import { matchAdvisories } from "../advisories/match.ts";
import type { AdviseFn, MatchedAdvisory } from "./assess.ts";

export function scanAdvisor(): AdviseFn {
  return (q) => {
    const result = matchAdvisories(q);
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
  };
}
