// Skills' side of the one suppression model (src/findings/suppress.ts): the same
// `.clawpatrol-ignore.yml` entries, applied to skill findings before the verdict, so a
// suppressed finding never makes a skill suspicious. The pin is the sha256 of the exact
// matched content the finding carries.
import {
  matchSuppression,
  type Suppression,
  suggestSuppressions as suggestFor,
} from "../findings/suppress.ts";
import type { SkillFinding } from "./types.ts";

export {
  IGNORE_FILE,
  loadSuppressions,
  parseSuppressions,
  type Suppression,
  SuppressionError,
} from "../findings/suppress.ts";

export interface SuppressionOutcome {
  expired: Suppression[];
}

/** Mark matching findings as suppressed. Returns expired entries that matched (for warnings). */
export function applySuppressions(
  findings: SkillFinding[],
  suppressions: Suppression[],
  today: Date = new Date(),
): SuppressionOutcome {
  for (const f of findings) {
    const s = matchSuppression(f, suppressions, today);
    if (s) f.suppressed = { reason: s.reason, expires: s.expires, file: s.file, owner: s.owner };
  }
  return { expired: suppressions.filter((s) => s.matchedExpired) };
}

/** YAML entries a user can paste into .clawpatrol-ignore.yml to accept these findings. */
export function suggestSuppressions(findings: readonly SkillFinding[], days = 90): string {
  return suggestFor(
    findings.filter((f) => !f.suppressed),
    days,
  );
}
