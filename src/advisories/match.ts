// Which advisories apply to a gateway, given what the fingerprint could tell about its
// version: an exact version, a range, or a small set of candidate versions.
//
// - exact version: `affected` = advisories with a range containing it.
// - candidates: `affected` = ranges contain every candidate; `possiblyAffected` = some.
// - range only: `affected` = one advisory range covers the whole query range;
//   `possiblyAffected` = the ranges intersect. An advisory whose ranges cannot intersect the
//   query is never listed.
// clawdbot, moltbot and openclaw are one version line, so every family package's ranges
// count whatever name the gateway answered with.

import type { FamilyProduct } from "../fingerprints/openclaw/meta.ts";
import { compareVersions, isCalVer } from "./calver.ts";
import { contains, coversRange, type Interval, intersectsRange } from "./ranges.ts";
import type { Exposure, Severity } from "./schema.ts";
import { SEVERITY_RANK } from "./severity.ts";
import { type Advisory, type AdvisoryDb, compareIds, lineReleases, loadAdvisoryDb } from "./store.ts";

/** The advisory data covers the OpenClaw family (declared once in fingerprints/openclaw/meta.ts). */
export type Product = FamilyProduct;

export interface AdvisoryMatch {
  id: string;
  aliases: string[];
  summary: string;
  severity: Severity;
  cvss: string | null;
  preAuth: boolean;
  exposure: string[];
  knownExploited: boolean;
  /** Smallest published release that is not affected (what to upgrade to), or null when none is. */
  fixed: string | null;
  certainty: "affected" | "possibly-affected";
  /** The bound the advisory itself names (`<X` or `<=X`) when it differs from `fixed`. */
  fixedUpstream: string | null;
  userInteraction: boolean;
}

export interface MatchResult {
  affected: AdvisoryMatch[];
  possiblyAffected: AdvisoryMatch[];
  /**
   * Smallest published stable release above the queried version(s) that clears every listed
   * advisory that has a fix (and, when possible, does not fall into a range introduced later).
   * null when no known release does.
   */
  upgradeTo: string | null;
  /** Listed advisories that no published release fixes yet. */
  unfixed: string[];
  /** Why the result is empty or partial (placeholder package, unparseable version, ...). */
  notes: string[];
}

export interface MatchQuery {
  product: Product;
  version?: string;
  range?: { min: string | null; max: string | null };
  candidates?: string[];
}

interface Scope {
  /** Versions to test individually (exact or candidates); empty for a pure range query. */
  points: string[];
  lo: string | null;
  hi: string | null;
}

function isStable(v: string): boolean {
  return !/-(alpha|beta|rc)/.test(v);
}

function emptyResult(notes: string[]): MatchResult {
  return { affected: [], possiblyAffected: [], upgradeTo: null, unfixed: [], notes };
}

function upperOf(iv: Interval): string | null {
  return iv.fixed ?? iv.lastAffected;
}

/** Intervals of an advisory that matter for the scope (contain a point / meet the range). */
function relevantIntervals(a: Advisory, scope: Scope): Interval[] {
  if (scope.points.length > 0) return a.intervals.filter((iv) => scope.points.some((p) => contains(iv, p)));
  return a.intervals.filter((iv) => intersectsRange(iv, scope.lo, scope.hi));
}

function appliesTo(a: Advisory, v: string): boolean {
  return a.intervals.some((iv) => contains(iv, v));
}

export function createMatcher(db: AdvisoryDb): (q: MatchQuery) => MatchResult {
  const releases = lineReleases(db.releases).filter(isStable);
  const placeholders = db.releases.placeholders;

  function firstClearRelease(a: Advisory, after: string): string | null {
    for (const r of releases) if (compareVersions(r, after) >= 0 && !appliesTo(a, r)) return r;
    return null;
  }

  function toMatch(a: Advisory, scope: Scope, certainty: AdvisoryMatch["certainty"]): AdvisoryMatch {
    const relevant = relevantIntervals(a, scope);
    let fixed: string | null = null;
    let fixedUpstream: string | null = null;
    const open = relevant.some((iv) => upperOf(iv) === null);
    if (!open && relevant.length > 0) {
      // The latest-ending relevant interval decides; then skip any later range of the same advisory.
      const last = relevant.reduce((x, y) => (compareVersions(upperOf(x)!, upperOf(y)!) >= 0 ? x : y));
      fixedUpstream = last.fixed !== null ? last.fixed : `>${last.lastAffected}`;
      fixed = firstClearRelease(a, upperOf(last)!);
      if (fixed === null && last.fixed !== null && !appliesTo(a, last.fixed)) fixed = last.fixed;
    }
    return {
      id: a.id,
      aliases: a.aliases,
      summary: a.summary,
      severity: a.severity,
      cvss: a.cvss,
      preAuth: a.preAuth,
      exposure: [...a.exposure],
      knownExploited: a.knownExploited,
      fixed,
      certainty,
      fixedUpstream: fixedUpstream === fixed ? null : fixedUpstream,
      userInteraction: a.userInteraction,
    };
  }

  return (q: MatchQuery): MatchResult => {
    const notes: string[] = [];
    if (q.version !== undefined && (placeholders[q.product] ?? []).includes(q.version.trim()))
      return emptyResult([`${q.product}@${q.version} is a placeholder package with no gateway code`]);

    let scope: Scope;
    if (q.version !== undefined) {
      const v = q.version.trim();
      if (!isCalVer(v))
        return emptyResult([`"${v}" is not an OpenClaw-family version; no advisories matched`]);
      scope = { points: [v], lo: v, hi: v };
    } else {
      let lo = q.range?.min ?? null;
      let hi = q.range?.max ?? null;
      for (const [name, v] of [
        ["min", lo],
        ["max", hi],
      ] as const)
        if (v !== null && !isCalVer(v)) {
          notes.push(`range ${name} "${v}" is not a version and was ignored`);
          if (name === "min") lo = null;
          else hi = null;
        }
      if (lo !== null && hi !== null && compareVersions(lo, hi) > 0)
        return emptyResult([`range min ${lo} is above max ${hi}; nothing can match`]);
      const cands = (q.candidates ?? []).map((c) => c.trim()).filter((c) => c.length > 0);
      const valid = cands.filter(isCalVer);
      if (valid.length < cands.length)
        notes.push(`${cands.length - valid.length} candidate version(s) ignored`);
      const inRange = valid.filter(
        (c) => (lo === null || compareVersions(c, lo) >= 0) && (hi === null || compareVersions(c, hi) <= 0),
      );
      if (valid.length > 0 && inRange.length === 0)
        notes.push("no candidate lies inside the range; matched on the range alone");
      const points = [...new Set(inRange)].sort(compareVersions);
      if (points.length > 0) scope = { points, lo: points[0]!, hi: points[points.length - 1]! };
      else {
        if (lo === null && hi === null)
          notes.push("no version information: every advisory is only possibly relevant");
        scope = { points: [], lo, hi };
      }
    }

    const affected: Advisory[] = [];
    const possibly: Advisory[] = [];
    for (const a of db.advisories) {
      if (scope.points.length > 0) {
        const hits = scope.points.filter((p) => appliesTo(a, p)).length;
        if (hits === scope.points.length) affected.push(a);
        else if (hits > 0) possibly.push(a);
      } else {
        if (a.intervals.some((iv) => coversRange(iv, scope.lo, scope.hi))) affected.push(a);
        else if (a.intervals.some((iv) => intersectsRange(iv, scope.lo, scope.hi))) possibly.push(a);
      }
    }

    const rank = (x: AdvisoryMatch, y: AdvisoryMatch) =>
      SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] ||
      Number(y.preAuth) - Number(x.preAuth) ||
      compareIds(x.id, y.id);
    const affectedM = affected.map((a) => toMatch(a, scope, "affected")).sort(rank);
    const possiblyM = possibly.map((a) => toMatch(a, scope, "possibly-affected")).sort(rank);

    // Upgrade target: above every queried version, clearing every listed advisory that has a fix.
    const listed = [...affected, ...possibly];
    const unfixed = [...affectedM, ...possiblyM].filter((m) => m.fixed === null).map((m) => m.id);
    const fixable = listed.filter((a) => !unfixed.includes(a.id));
    const floor = scope.hi ?? scope.lo;
    const above = releases.filter((r) => floor === null || compareVersions(r, floor) > 0);
    const clears = (r: string) => fixable.every((a) => !appliesTo(a, r));
    // Prefer a release that also does not fall into an advisory range introduced after the
    // queried versions (a regression the current build does not have).
    const newlyIntroduced = db.advisories.filter(
      (a) =>
        !listed.includes(a) &&
        a.intervals.some(
          (iv) => iv.introduced !== null && (floor === null || compareVersions(iv.introduced, floor) > 0),
        ),
    );
    let upgradeTo: string | null = null;
    if (listed.length > 0) {
      upgradeTo =
        above.find((r) => clears(r) && newlyIntroduced.every((a) => !appliesTo(a, r))) ??
        above.find(clears) ??
        null;
    }
    if (listed.length > 0 && upgradeTo === null && fixable.length > 0)
      notes.push("no published release in the bundled release list clears every listed advisory");
    if (q.product !== "openclaw" && upgradeTo !== null)
      notes.push(`${q.product} was renamed: the upgrade is the npm package openclaw@${upgradeTo}`);
    return { affected: affectedM, possiblyAffected: possiblyM, upgradeTo, unfixed, notes };
  };
}

let defaultDb: AdvisoryDb | null = null;
let defaultMatcher: ((q: MatchQuery) => MatchResult) | null = null;

/** The database matchAdvisories uses: shipped data plus the user's imports, loaded once. */
export function defaultAdvisoryDb(): AdvisoryDb {
  defaultDb ??= loadAdvisoryDb();
  return defaultDb;
}

/** Forget the cached database (after an import, or in tests). */
export function resetAdvisoryCache(db: AdvisoryDb | null = null): void {
  defaultDb = db;
  defaultMatcher = null;
}

export function matchAdvisories(q: MatchQuery): MatchResult {
  defaultMatcher ??= createMatcher(defaultAdvisoryDb());
  return defaultMatcher(q);
}

export type GatewaySeverity = "info" | "low" | "medium" | "high" | "critical";

const ORDER: GatewaySeverity[] = ["info", "low", "medium", "high", "critical"];
const maxSev = (a: GatewaySeverity, b: GatewaySeverity): GatewaySeverity =>
  ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
const stepDown = (s: GatewaySeverity): GatewaySeverity => ORDER[Math.max(0, ORDER.indexOf(s) - 1)]!;

/** Exposures an attacker on the network reaches through the gateway's own listeners. */
const NETWORK_EXPOSURES = new Set<Exposure | string>(["gateway", "webhook", "browser-relay"]);

/**
 * One severity for a gateway found by a scan, from where it answered, its auth state and the
 * advisories that match its version. The reasoning, in order:
 *
 * 1. Exposed and no auth required: anyone who can connect operates the agent (tools, exec,
 *    config). Critical, whatever the version.
 * 2. Exposed and the gateway treats remote clients as local (proxy/loopback trust): the
 *    local exemptions (no pairing, no rate limit, sometimes no auth) apply to the attacker.
 *    Critical.
 * 3. Exposed with auth required: an internet-facing control plane is medium on its own
 *    (password guessing, token leaks, the next advisory). Auth unknown: high, because we
 *    could not confirm it is closed.
 * 4. A pre-auth advisory reachable through a network listener (gateway, webhook, browser
 *    relay) raises an exposed gateway to that advisory's severity; a merely possible one
 *    raises it to one step below. Advisories that need credentials raise an exposed
 *    gateway to at most medium: they matter once a token leaks, not before.
 * 5. Not exposed (answered only on loopback): info, or one step below the worst matching
 *    advisory, except advisories that a victim's browser turns into a remote attack on a
 *    loopback gateway (pre-auth with user interaction on the gateway/UI, e.g.
 *    CVE-2026-25253), which keep their severity.
 */
export function gatewaySeverity(input: {
  exposed: boolean;
  auth: "required" | "not-required" | "unknown";
  remoteLooksLocal: boolean;
  matches: MatchResult;
}): GatewaySeverity {
  const { exposed, auth, remoteLooksLocal, matches } = input;
  const sev = (m: AdvisoryMatch): GatewaySeverity => m.severity;
  const networkPreAuth = (m: AdvisoryMatch) => m.preAuth && m.exposure.some((e) => NETWORK_EXPOSURES.has(e));

  if (!exposed) {
    let out: GatewaySeverity = "info";
    for (const m of matches.affected) {
      const browserBridged = m.preAuth && m.userInteraction && m.exposure.includes("gateway");
      out = maxSev(out, browserBridged ? sev(m) : stepDown(sev(m)));
    }
    for (const m of matches.possiblyAffected) out = maxSev(out, stepDown(stepDown(sev(m))));
    return out;
  }

  if (auth === "not-required" || remoteLooksLocal) return "critical";
  let out: GatewaySeverity = auth === "unknown" ? "high" : "medium";
  for (const m of matches.affected) {
    if (networkPreAuth(m)) out = maxSev(out, sev(m));
    else if (SEVERITY_RANK[m.severity] >= SEVERITY_RANK.high) out = maxSev(out, "medium");
  }
  for (const m of matches.possiblyAffected) if (networkPreAuth(m)) out = maxSev(out, stepDown(sev(m)));
  return out;
}
