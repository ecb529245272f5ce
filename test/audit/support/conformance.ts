// The differential comparison of one case: what the real `openclaw security audit --json`
// reported against what clawpatrol found on the same config and state. A warn/critical check
// the real audit reports must be named by a clawpatrol finding at a severity no lower; a
// clawpatrol finding naming a check the real audit did not report is an extra, unless
// OpenClaw's audit cannot see that exposure (it reads the configured bind mode, not the
// effective listen address) or the check does not exist in that release.
import type { Severity } from "../../../src/findings/model.ts";
import { severityRank } from "../../../src/findings/model.ts";
import { covers, type RealFinding } from "./cases.ts";

/** The lowest clawpatrol severity that is "no lower" than an OpenClaw severity. */
export const SEVERITY_FLOOR: Record<string, Severity> = { critical: "high", warn: "low", info: "info" };

export interface OurFinding {
  ruleId: string;
  openclawCheckId: string | null;
  severity: Severity;
}

export interface CaseComparison {
  /** warn/critical check ids the real audit reported. */
  reported: string[];
  matched: string[];
  missed: string[];
  /** Matched, but every clawpatrol finding naming it is below the floor. */
  lower: string[];
  /** clawpatrol findings naming a check the real audit did not report (non-info). */
  extra: string[];
}

export function compareCase(
  real: RealFinding[],
  ours: OurFinding[],
  options: { extraAllowed?: (f: OurFinding) => boolean } = {},
): CaseComparison {
  const reported = [
    ...new Set(real.filter((f) => f.severity === "warn" || f.severity === "critical").map((f) => f.checkId)),
  ].sort();
  const matched: string[] = [];
  const missed: string[] = [];
  const lower: string[] = [];
  for (const id of reported) {
    const named = ours.filter((f) => f.openclawCheckId !== null && covers(f.openclawCheckId, id));
    if (named.length === 0) {
      missed.push(id);
      continue;
    }
    matched.push(id);
    const worst = real
      .filter((f) => f.checkId === id)
      .reduce((a, f) => (f.severity === "critical" ? "critical" : a), "warn");
    const floor = SEVERITY_FLOOR[worst]!;
    if (!named.some((f) => severityRank(f.severity) >= severityRank(floor))) lower.push(id);
  }
  const realIds = real.map((f) => f.checkId);
  const extra = [
    ...new Set(
      ours
        .filter((f) => f.openclawCheckId !== null && f.severity !== "info")
        .filter((f) => !realIds.some((id) => covers(f.openclawCheckId!, id)))
        .filter((f) => !(options.extraAllowed?.(f) ?? false))
        .map((f) => `${f.ruleId}:${f.openclawCheckId}`),
    ),
  ].sort();
  return { reported, matched, missed, lower, extra };
}
