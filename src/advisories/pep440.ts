// PEP 440 version ordering (PyPI): what OSV's PyPI ecosystem ranges are written in.
//   [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
// Ordering, from the specification's "Summary of permitted suffixes and relative ordering":
//   1.0.dev1 < 1.0a1.dev1 < 1.0a1 < 1.0a1.post1 < 1.0b1 < 1.0rc1 < 1.0 < 1.0.post1.dev1 < 1.0.post1
// Release segments compare numerically with trailing zeros ignored (1.0 == 1.0.0); a local
// label sorts after the same public version. Spellings the specification normalises
// (`1.0-alpha.1`, `1.0.RC1`, `1.0-1` for a post release, a leading `v`) are accepted.

export interface Pep440 {
  epoch: number;
  release: number[];
  /** Pre-release: [phase 0=a 1=b 2=rc, number], or null. */
  pre: [number, number] | null;
  post: number | null;
  dev: number | null;
  local: (number | string)[] | null;
}

const PATTERN =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/;

const PHASE: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parsePep440(text: string): Pep440 | null {
  const m = PATTERN.exec(text.trim().toLowerCase());
  if (!m) return null;
  const release = m[2]!.split(".").map(Number);
  if (release.some((n) => !Number.isSafeInteger(n))) return null;
  return {
    epoch: m[1] ? Number(m[1]) : 0,
    release,
    pre: m[3] ? [PHASE[m[3]]!, m[4] ? Number(m[4]) : 0] : null,
    post: m[5] ? Number(m[5]) : m[6] ? (m[7] ? Number(m[7]) : 0) : null,
    dev: m[8] ? (m[9] ? Number(m[9]) : 0) : null,
    local: m[10] ? m[10].split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : null,
  };
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a[i] ?? 0, b[i] ?? 0);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * The pre-release key: a dev release with no pre or post part sorts before every pre-release
 * of the same version; a final release (no pre) after all of them.
 */
function preKey(v: Pep440): [number, number] {
  if (v.pre) return [v.pre[0], v.pre[1]];
  if (v.dev !== null && v.post === null) return [-1, 0];
  return [3, 0];
}

function compareLocal(a: Pep440["local"], b: Pep440["local"]): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    // Numeric segments sort after alphanumeric ones, and compare as numbers.
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return cmp(x, y);
    } else if (typeof x === "number") return 1;
    else if (typeof y === "number") return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function comparePep440(a: Pep440, b: Pep440): number {
  return (
    cmp(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    cmp(preKey(a)[0], preKey(b)[0]) ||
    cmp(preKey(a)[1], preKey(b)[1]) ||
    // No post release sorts before any post release.
    cmp(a.post ?? -1, b.post ?? -1) ||
    // A dev release sorts before the same version without one.
    cmp(a.dev ?? Number.POSITIVE_INFINITY, b.dev ?? Number.POSITIVE_INFINITY) ||
    compareLocal(a.local, b.local)
  );
}
