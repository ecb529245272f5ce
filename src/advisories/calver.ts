// OpenClaw-family versions are CalVer: YYYY.M.D, optionally with a rebuild suffix (`-3`)
// or a pre-release tag (`-beta.2`). npm's semver would sort `2026.1.24-3` *before*
// `2026.1.24` (as a pre-release); here a rebuild sorts after its base and a beta before it:
//   2026.5.16-beta.1 < 2026.5.16-beta.2 < 2026.5.16 < 2026.5.16-1 < 2026.5.16-2 < 2026.5.17
// clawdbot, moltbot and openclaw share one version line, so versions compare across names.

export interface CalVer {
  year: number;
  month: number;
  day: number;
  /** Pre-release channel (`alpha`, `beta`, `rc`), or null for a release. */
  pre: string | null;
  preNumber: number;
  /** Rebuild suffix (`2026.1.24-3` → 3), 0 when absent. */
  rebuild: number;
  raw: string;
  /**
   * The sort order packed into two integers (each below 2^31, so exact): the date, then
   * release-or-pre-release, channel, pre-release number and rebuild. Matching compares the
   * same versions thousands of times; two number comparisons allocate nothing.
   */
  orderDate: number;
  orderRest: number;
}

const PATTERN = /^v?(\d{1,4})\.(\d{1,2})\.(\d{1,3})(?:-(\d{1,4}))?(?:-(alpha|beta|rc)(?:\.?(\d{1,4}))?)?$/;
const PRE_ORDER: Record<string, number> = { alpha: 0, beta: 1, rc: 2 };

// Matching compares the same few hundred release strings over and over: parse each once.
const PARSED = new Map<string, CalVer | null>();
const PARSED_MAX = 20_000;

export function parseCalVer(text: string): CalVer | null {
  const cached = PARSED.get(text);
  if (cached !== undefined) return cached;
  const parsed = parseUncached(text);
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(text, parsed);
  return parsed;
}

function parseUncached(text: string): CalVer | null {
  const m = PATTERN.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const rebuild = m[4] ? Number(m[4]) : 0;
  const pre = m[5] ?? null;
  const preNumber = m[6] ? Number(m[6]) : 0;
  // Field widths follow PATTERN: year < 2^14, month < 2^7, day < 2^10; pre-release numbers
  // and rebuilds < 2^14. A release sorts after its pre-releases (isRelease 1 > 0).
  const isRelease = pre === null ? 1 : 0;
  const preRank = pre === null ? 0 : (PRE_ORDER[pre] ?? 0);
  return {
    year,
    month,
    day,
    rebuild,
    pre,
    preNumber,
    raw: text.trim(),
    orderDate: year * 2 ** 17 + month * 2 ** 10 + day,
    orderRest: isRelease * 2 ** 30 + preRank * 2 ** 28 + preNumber * 2 ** 14 + rebuild,
  };
}

export function isCalVer(text: string): boolean {
  return parseCalVer(text) !== null;
}

export function compareParsed(a: CalVer, b: CalVer): number {
  if (a.orderDate !== b.orderDate) return a.orderDate < b.orderDate ? -1 : 1;
  if (a.orderRest !== b.orderRest) return a.orderRest < b.orderRest ? -1 : 1;
  return 0;
}

/** Compare two version strings; throws on a string that is not CalVer (a programming error). */
export function compareVersions(a: string, b: string): number {
  const pa = parseCalVer(a);
  const pb = parseCalVer(b);
  if (!pa) throw new Error(`not a CalVer version: ${a}`);
  if (!pb) throw new Error(`not a CalVer version: ${b}`);
  return compareParsed(pa, pb);
}

export function sortVersions(list: Iterable<string>): string[] {
  return [...list].sort(compareVersions);
}

/** A closed interval of versions, either end open when null. */
export interface VersionRange {
  min: string | null;
  max: string | null;
}

export function inRange(version: string, range: VersionRange): boolean {
  if (range.min !== null && compareVersions(version, range.min) < 0) return false;
  if (range.max !== null && compareVersions(version, range.max) > 0) return false;
  return true;
}
