// OSV affected ranges -> closed/half-open intervals on the OpenClaw version line, plus the
// checks a schema cannot express: every range starts with `introduced`, events come in
// increasing order, nothing is inverted, and one package's intervals never overlap.
//
// Versions compare with calver.ts (a rebuild `-N` sorts after its base, a beta before it),
// and clawdbot / moltbot / openclaw (and their plugin packages) share one version line, so
// intervals from every family package are matched against the same version.
import { compareVersions, parseCalVer } from "./calver.ts";
import { isFamilyPackage } from "./family.ts";
import type { OsvRecord } from "./schema.ts";

export interface Interval {
  /** Package the interval came from (for messages and `show`). */
  pkg: string;
  /** Inclusive lower bound; null = from the beginning (`introduced: "0"`). */
  introduced: string | null;
  /** Exclusive upper bound (`fixed`). */
  fixed: string | null;
  /** Inclusive upper bound (`last_affected`). Never set together with `fixed`. */
  lastAffected: string | null;
}

export interface RangeProblem {
  where: string;
  message: string;
}

function versionProblem(v: string): string | null {
  if (v === "0") return null;
  return parseCalVer(v) ? null : `"${v}" is not an OpenClaw-family version (expected YYYY.M.D[-N][-beta.N])`;
}

/** Lower bound as a comparable value: null is -infinity. */
function cmpLower(a: string | null, b: string | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareVersions(a, b);
}

/** Does the interval contain version v? */
export function contains(iv: Interval, v: string): boolean {
  if (iv.introduced !== null && compareVersions(v, iv.introduced) < 0) return false;
  if (iv.fixed !== null) return compareVersions(v, iv.fixed) < 0;
  if (iv.lastAffected !== null) return compareVersions(v, iv.lastAffected) <= 0;
  return true;
}

/** Is every version in [lo, hi] (null = unbounded) inside the interval? */
export function coversRange(iv: Interval, lo: string | null, hi: string | null): boolean {
  if (iv.introduced !== null && (lo === null || compareVersions(lo, iv.introduced) < 0)) return false;
  if (iv.fixed !== null) return hi !== null && compareVersions(hi, iv.fixed) < 0;
  if (iv.lastAffected !== null) return hi !== null && compareVersions(hi, iv.lastAffected) <= 0;
  return true;
}

/** Does the interval share at least one version with [lo, hi]? */
export function intersectsRange(iv: Interval, lo: string | null, hi: string | null): boolean {
  // Below the interval entirely?
  if (iv.introduced !== null && hi !== null && compareVersions(hi, iv.introduced) < 0) return false;
  // Above it?
  if (lo !== null) {
    if (iv.fixed !== null && compareVersions(lo, iv.fixed) >= 0) return false;
    if (iv.lastAffected !== null && compareVersions(lo, iv.lastAffected) > 0) return false;
  }
  return true;
}

/** Do two intervals overlap? (Both are on the same ordered line.) */
function overlaps(a: Interval, b: Interval): boolean {
  const [first, second] = cmpLower(a.introduced, b.introduced) <= 0 ? [a, b] : [b, a];
  // first starts no later than second: they overlap if first's end is beyond second's start.
  if (first.fixed === null && first.lastAffected === null) return true;
  if (second.introduced === null) return true;
  if (first.fixed !== null) return compareVersions(second.introduced, first.fixed) < 0;
  return compareVersions(second.introduced, first.lastAffected!) <= 0;
}

/**
 * Build intervals from one record's `affected` entries. Non-family packages and GIT ranges
 * are skipped (they cannot be matched against a gateway's version); everything else must be
 * well formed or a problem is reported.
 */
export function intervalsFromRecord(record: OsvRecord): { intervals: Interval[]; problems: RangeProblem[] } {
  const intervals: Interval[] = [];
  const problems: RangeProblem[] = [];
  const perPackage = new Map<string, Interval[]>();

  record.affected.forEach((aff, ai) => {
    const pkg = aff.package.name.trim().toLowerCase();
    if (aff.package.ecosystem !== "npm" || !isFamilyPackage(pkg)) return;
    const list = perPackage.get(pkg) ?? [];
    perPackage.set(pkg, list);

    (aff.ranges ?? []).forEach((range, ri) => {
      const where = `affected[${ai}].ranges[${ri}]`;
      if (range.type === "GIT") return;
      let open: Interval | null = null;
      let previous: string | null = null;
      let previousWasIntroducedZero = false;
      for (const [ei, ev] of range.events.entries()) {
        const at = `${where}.events[${ei}]`;
        const [kind, value] = Object.entries(ev)[0] as [string, string];
        const bad = versionProblem(value);
        if (bad) {
          problems.push({ where: at, message: bad });
          return;
        }
        if (kind === "introduced" && value === "0" && ei !== 0) {
          problems.push({ where: at, message: 'introduced "0" may only be the first event' });
          return;
        }
        if (kind !== "introduced" && value === "0") {
          problems.push({ where: at, message: `${kind} "0" is not a version` });
          return;
        }
        // Events must be in increasing version order.
        if (previous !== null && !(previousWasIntroducedZero && ei === 1)) {
          const c = compareVersions(value, previous);
          const needStrict = kind !== "last_affected";
          if (c < 0 || (needStrict && c === 0)) {
            problems.push({
              where: at,
              message: `${kind} ${value} is not after ${previous} (events out of order or range inverted)`,
            });
            return;
          }
        }
        if (kind === "introduced") {
          if (open) {
            problems.push({ where: at, message: "introduced again before the previous range was closed" });
            return;
          }
          open = { pkg, introduced: value === "0" ? null : value, fixed: null, lastAffected: null };
        } else if (kind === "fixed" || kind === "last_affected") {
          if (!open) {
            problems.push({ where: at, message: `${kind} without a preceding introduced` });
            return;
          }
          if (kind === "fixed") open.fixed = value;
          else open.lastAffected = value;
          list.push(open);
          open = null;
        } else if (kind === "limit") {
          // A limit caps the search space; treat it as the end of an open interval.
          if (open) {
            open.fixed = value;
            list.push(open);
            open = null;
          }
        }
        previousWasIntroducedZero = kind === "introduced" && value === "0";
        previous = value === "0" ? previous : value;
      }
      if (open) list.push(open);
    });

    (aff.versions ?? []).forEach((v, vi) => {
      const bad = versionProblem(v);
      if (bad || v === "0") {
        problems.push({ where: `affected[${ai}].versions[${vi}]`, message: bad ?? '"0" is not a version' });
        return;
      }
      list.push({ pkg, introduced: v, fixed: null, lastAffected: v });
    });
  });

  for (const [pkg, list] of perPackage) {
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++)
        if (overlaps(list[i]!, list[j]!))
          problems.push({
            where: `affected (${pkg})`,
            message: `ranges overlap: ${describeInterval(list[i]!)} and ${describeInterval(list[j]!)}`,
          });
    intervals.push(...list);
  }
  return { intervals, problems };
}

export function describeInterval(iv: Interval): string {
  const lo = iv.introduced === null ? "" : `>=${iv.introduced}`;
  const hi = iv.fixed !== null ? `<${iv.fixed}` : iv.lastAffected !== null ? `<=${iv.lastAffected}` : "";
  if (!lo && !hi) return "all versions";
  return [lo, hi].filter(Boolean).join(" ");
}
