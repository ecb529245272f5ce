// Targets the user named that cannot be scanned: text that is not a target, and names that
// do not resolve. Each is said once, in one line; when nothing at all is left to scan, the
// scan is a usage error (exit 2) instead of a silent empty run.
import { UsageError } from "../core/errors.ts";
import { escapeOneLine } from "../util/text.ts";
import { parseIp } from "./ip.ts";
import type { NameFailure } from "./resolve.ts";
import type { RejectedTarget, TargetPlan } from "./spec.ts";

export interface TargetProblems {
  rejected: RejectedTarget[];
  unresolved: NameFailure[];
}

/** One line per problem, without the "clawpatrol: " prefix, escaped for a terminal. */
export function problemLines(p: TargetProblems): string[] {
  return [
    ...p.rejected.map((r) => escapeOneLine(r.reason)),
    ...p.unresolved.map((u) => escapeOneLine(`target "${u.name}": ${u.error}`)),
  ];
}

/** Whether a name resolved (resolveNames ran) or will be resolved during the scan. */
function nameUsable(plan: TargetPlan, name: string): boolean {
  const r = plan.resolved?.get(name);
  return r === undefined || !("error" in r);
}

/** True when the plan still has something to connect to once unresolved names are left out. */
export function hasScannableTarget(plan: TargetPlan): boolean {
  return (
    plan.addressCount > 0n ||
    plan.hostnames.some((n) => nameUsable(plan, n)) ||
    plan.endpoints.some((e) => e.family !== null || nameUsable(plan, e.host)) ||
    plan.urls.some((u) => parseIp(u.hostname) !== null || nameUsable(plan, u.hostname))
  );
}

/**
 * Says every problem on `warn` (one line each) and returns how many targets were skipped, or
 * throws a UsageError when no target is left: with one problem, that problem is the error;
 * with several, each is said and the error sums them up.
 */
export function reportProblems(
  plan: TargetPlan,
  p: TargetProblems,
  warn: (line: string) => void,
): { unreadable: number; unresolved: number } {
  const lines = problemLines(p);
  const counts = { unreadable: p.rejected.length, unresolved: p.unresolved.length };
  if (lines.length === 0) return counts;
  if (hasScannableTarget(plan)) {
    for (const l of lines) warn(`${l} (skipped)`);
    return counts;
  }
  if (lines.length === 1) throw new UsageError(lines[0]!);
  for (const l of lines) warn(l);
  throw new UsageError(`no target could be scanned (${skippedReasons(counts)})`);
}

/** "2 not a valid target, 1 did not resolve". */
export function skippedReasons(counts: { unreadable: number; unresolved: number }): string {
  return [
    counts.unreadable > 0 ? `${counts.unreadable} not a valid target` : "",
    counts.unresolved > 0 ? `${counts.unresolved} did not resolve` : "",
  ]
    .filter(Boolean)
    .join(", ");
}
