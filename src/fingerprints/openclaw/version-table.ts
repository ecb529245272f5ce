// Exact OpenClaw-family release from what the Control UI serves before auth.
//
// Every published npm release of openclaw / clawdbot / moltbot ships its Control UI under
// `dist/control-ui/`. The bundler gives every asset a content-hashed name, and a few static
// files (favicons, sw.js, the web manifest, fonts, the canvas A2UI bundle) change from release
// to release. `scripts/build-version-table.ts` reads every published tarball and records, per
// release, the asset names that `index.html` references and the sha256 of every file a gateway
// serves byte-for-byte. This module loads that table (data/fingerprints/openclaw-ui-versions.json)
// and answers: which releases fit what a gateway served?
//
// Not in the table on purpose: the root `index.html` itself. Gateways rewrite it at serve time
// (inline globals, base path, `/assets/` vs `./assets/`), so its hash is not a release signal;
// the asset names it references are. The A2UI `index.html` is rewritten too (live-reload script).

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { compareVersions } from "../../advisories/calver.ts";
import { dataPath } from "../../core/data-dir.ts";
import { type FamilyProduct, OPENCLAW_FAMILY } from "./meta.ts";

export type PackageName = FamilyProduct;
export const PACKAGE_NAMES: readonly PackageName[] = OPENCLAW_FAMILY;

export interface ReleaseRef {
  package: PackageName;
  version: string;
}

export interface UiEvidence {
  /** Basenames as referenced by the served HTML (`index-Cl-Y9zqE.js`); `./assets/`, `/assets/`, `?query` are stripped here too. */
  assetNames: string[];
  /** Served files and the sha256 of the body as received (`/favicon.svg`, `/sw.js`, `/assets/x.js`). */
  files: { path: string; sha256: string }[];
  /**
   * Paths that were requested and are not a file on this gateway: a 404, or the SPA fallback
   * (the root HTML served for an unknown path). Not a 401: an auth wall says nothing about the file.
   */
  absentPaths?: string[];
  /** Version strings read pre-auth: the `data-openclaw-control-ui-build-id` attribute, sw.js `EMBEDDED_CACHE_VERSION`. */
  buildIds?: string[];
  /** `gateway.controlUi.basePath` when the UI is not at `/` (e.g. `/openclaw`); stripped from file paths. */
  basePath?: string;
}

export interface VersionNarrowing {
  /** Releases consistent with every known signal, oldest first. Empty when no signal was known. */
  candidates: ReleaseRef[];
  /** The signals that narrowed the set, smallest first; plus notes on conflicts and dropped broken publishes. */
  decidedBy: string[];
  /** Asset names the table does not know (a release newer than the table, a patched or foreign UI). */
  unknownAssets: string[];
  /** File hashes, absent paths and build ids the table does not know. Ignored for narrowing. */
  unknownSignals: string[];
  /** True when two known signals point at disjoint release sets; `candidates` is then their union. */
  conflict: boolean;
  conflicts: string[];
  /** Candidates removed because the release cannot start (`brokenPublish`); a running gateway is not one of them. */
  droppedBroken: ReleaseRef[];
}

export interface ReleaseInfo extends ReleaseRef {
  publishedAt: string | null;
  brokenPublish?: string;
}

export interface ReleaseDetails extends ReleaseInfo {
  /** Ships `dist/control-ui/index.html`. */
  ui: boolean;
  /** Asset basenames referenced by the shipped `index.html` (entry script, modulepreload, stylesheet). */
  entry: string[];
  /** `dist/build-info.json` buildId, when the release has one. */
  buildId?: string;
  /** `data-openclaw-control-ui-build-id` in the shipped `index.html`. */
  htmlBuildId?: string;
  /** `EMBEDDED_CACHE_VERSION` in the shipped `sw.js`. */
  swCacheVersion?: string;
  builtAt?: string;
  commit?: string;
  /** Where the canvas host serves A2UI on this release (`/__openclaw__/a2ui`). */
  a2uiPath?: string;
}

// ---- the data file --------------------------------------------------------------------------

export interface VersionTableRelease {
  package: PackageName;
  version: string;
  publishedAt: string | null;
  ui: boolean;
  entry?: string[];
  buildId?: string;
  htmlBuildId?: string;
  swCacheVersion?: string;
  builtAt?: string;
  commit?: string;
  a2uiPath?: string;
  brokenPublish?: string;
}

export interface VersionTableFile {
  schema: 1;
  generatedAt: string;
  generator: string;
  registry: string;
  packages: PackageName[];
  notes: string[];
  /** Sorted oldest first (CalVer, then package name); a release's id is its index here. */
  releases: VersionTableRelease[];
  /** Release-id sets, shared by the indexes below. */
  sets: number[][];
  /** Asset basename referenced by a release's index.html → set index. */
  assets: Record<string, number>;
  /** Served path → sha256 → [set index, size in bytes]. */
  files: Record<string, Record<string, [number, number]>>;
  /** Version strings (build ids, sw.js cache versions) → set index. */
  buildIds: Record<string, number>;
}

/** The table this run reads: shipped with the package or installed by `clawpatrol update`. */
export const DEFAULT_TABLE_URL = pathToFileURL(dataPath("fingerprints", "openclaw-ui-versions.json"));

/** Read and sanity-check a table file. Throws with a clear message on a malformed file. */
export function loadVersionTableFile(location: URL | string = DEFAULT_TABLE_URL): VersionTableFile {
  const text = readFileSync(location, "utf8");
  return checkVersionTable(JSON.parse(text) as unknown);
}

export function checkVersionTable(value: unknown): VersionTableFile {
  const bad = (why: string): never => {
    throw new Error(`openclaw UI version table: ${why}`);
  };
  if (typeof value !== "object" || value === null) bad("not an object");
  const t = value as Partial<VersionTableFile>;
  if (t.schema !== 1) bad(`unsupported schema ${String(t.schema)}`);
  if (!Array.isArray(t.releases) || !Array.isArray(t.sets)) bad("releases/sets missing");
  if (typeof t.assets !== "object" || typeof t.files !== "object" || typeof t.buildIds !== "object") {
    bad("assets/files/buildIds missing");
  }
  const table = t as VersionTableFile;
  const n = table.releases.length;
  for (const r of table.releases) {
    if (!PACKAGE_NAMES.includes(r.package) || typeof r.version !== "string") bad("bad release entry");
  }
  for (const s of table.sets) {
    if (!Array.isArray(s) || s.some((id) => !Number.isInteger(id) || id < 0 || id >= n)) bad("bad set");
  }
  const setCount = table.sets.length;
  const okSet = (i: unknown) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < setCount;
  for (const i of Object.values(table.assets)) if (!okSet(i)) bad("asset points at a missing set");
  for (const i of Object.values(table.buildIds)) if (!okSet(i)) bad("build id points at a missing set");
  for (const byHash of Object.values(table.files)) {
    for (const v of Object.values(byHash))
      if (!Array.isArray(v) || !okSet(v[0])) bad("file points at a missing set");
  }
  return table;
}

// ---- normalisation of what a gateway served ----------------------------------------------------

/** `./assets/index-Cl-Y9zqE.js?v=1` → `index-Cl-Y9zqE.js`; null when nothing is left. */
export function assetBasename(ref: string): string | null {
  let s = ref.trim();
  const cut = s.search(/[?#]/);
  if (cut >= 0) s = s.slice(0, cut);
  const slash = s.lastIndexOf("/");
  if (slash >= 0) s = s.slice(slash + 1);
  return s.length > 0 ? s : null;
}

/** A request path as the table keys it: leading `/`, no query or fragment, no `./`. */
export function normalizeServedPath(path: string): string {
  let s = path.trim();
  const cut = s.search(/[?#]/);
  if (cut >= 0) s = s.slice(0, cut);
  if (/^https?:\/\//i.test(s)) {
    try {
      s = new URL(s).pathname;
    } catch {
      // keep as is
    }
  }
  s = s.replace(/^\.\//, "");
  return s.startsWith("/") ? s : `/${s}`;
}

export interface ControlUiHtml {
  scripts: string[];
  modulepreload: string[];
  stylesheets: string[];
  /** Basenames of same-origin script / modulepreload / stylesheet references under an `assets/` directory. */
  assetNames: string[];
  /** `data-openclaw-control-ui-build-id`, when present. */
  buildId: string | null;
}

const MAX_HTML = 1 << 20;
const TAG = /<(script|link)\b([^>]*)>/gi;
const ATTR = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;

function attributes(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of raw.matchAll(ATTR)) {
    const name = m[1]!.toLowerCase();
    if (!out.has(name)) out.set(name, m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

function isSameOrigin(url: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith("//");
}

/** Pull the asset references and build id out of a Control UI page (served or shipped). */
export function parseControlUiHtml(html: string): ControlUiHtml {
  const text = html.length > MAX_HTML ? html.slice(0, MAX_HTML) : html;
  const scripts: string[] = [];
  const modulepreload: string[] = [];
  const stylesheets: string[] = [];
  for (const m of text.matchAll(TAG)) {
    const attrs = attributes(m[2]!);
    if (m[1]!.toLowerCase() === "script") {
      const src = attrs.get("src");
      if (src) scripts.push(src);
      continue;
    }
    const rel = (attrs.get("rel") ?? "").toLowerCase().split(/\s+/);
    const href = attrs.get("href");
    if (!href) continue;
    if (rel.includes("modulepreload")) modulepreload.push(href);
    else if (rel.includes("stylesheet")) stylesheets.push(href);
  }
  const assetNames: string[] = [];
  for (const ref of [...scripts, ...modulepreload, ...stylesheets]) {
    if (!isSameOrigin(ref)) continue;
    const path = ref.split(/[?#]/)[0]!;
    if (!/(^|\/)assets\/[^/]+$/.test(path)) continue;
    const name = assetBasename(ref);
    if (name && !assetNames.includes(name)) assetNames.push(name);
  }
  const build = /\bdata-openclaw-control-ui-build-id\s*=\s*"([^"]*)"/i.exec(text);
  return { scripts, modulepreload, stylesheets, assetNames, buildId: build ? build[1]! : null };
}

/** `EMBEDDED_CACHE_VERSION = "…"` from a served or shipped sw.js. */
export function swCacheVersion(js: string): string | null {
  const m = /\bEMBEDDED_CACHE_VERSION\s*=\s*["'`]([^"'`\n]{1,200})["'`]/.exec(js);
  return m ? m[1]! : null;
}

// ---- the index ----------------------------------------------------------------------------------

export function compareReleaseRefs(a: ReleaseRef, b: ReleaseRef): number {
  return (
    compareVersions(a.version, b.version) ||
    PACKAGE_NAMES.indexOf(a.package) - PACKAGE_NAMES.indexOf(b.package)
  );
}

interface Signal {
  label: string;
  ids: number[];
}

const MAX_CONFLICTS = 20;

export interface NarrowOptions {
  /** Keep releases marked `brokenPublish` among the candidates (default: drop them when others remain). */
  keepBroken?: boolean;
}

export class VersionIndex {
  readonly table: VersionTableFile;
  readonly #byRef = new Map<string, number>();
  readonly #uiIds: number[];

  constructor(table: VersionTableFile) {
    this.table = table;
    table.releases.forEach((r, id) => {
      this.#byRef.set(`${r.package}@${r.version}`, id);
    });
    this.#uiIds = table.releases.flatMap((r, id) => (r.ui ? [id] : []));
  }

  #ref(id: number): ReleaseRef {
    const r = this.table.releases[id]!;
    return { package: r.package, version: r.version };
  }

  #refs(ids: Iterable<number>): ReleaseRef[] {
    return [...ids].map((id) => this.#ref(id)).sort(compareReleaseRefs);
  }

  #set(index: number): number[] {
    return this.table.sets[index]!;
  }

  idOf(ref: ReleaseRef): number | undefined {
    return this.#byRef.get(`${ref.package}@${ref.version}`);
  }

  allReleases(): ReleaseInfo[] {
    return this.table.releases
      .map((r) => {
        const out: ReleaseInfo = { package: r.package, version: r.version, publishedAt: r.publishedAt };
        if (r.brokenPublish) out.brokenPublish = r.brokenPublish;
        return out;
      })
      .sort(compareReleaseRefs);
  }

  details(ref: ReleaseRef): ReleaseDetails | null {
    const id = this.idOf(ref);
    if (id === undefined) return null;
    const r = this.table.releases[id]!;
    const out: ReleaseDetails = {
      package: r.package,
      version: r.version,
      publishedAt: r.publishedAt,
      ui: r.ui,
      entry: r.entry ?? [],
    };
    for (const k of [
      "brokenPublish",
      "buildId",
      "htmlBuildId",
      "swCacheVersion",
      "builtAt",
      "commit",
    ] as const) {
      const v = r[k];
      if (v !== undefined) out[k] = v;
    }
    if (r.a2uiPath !== undefined) out.a2uiPath = r.a2uiPath;
    return out;
  }

  narrow(e: UiEvidence, options: NarrowOptions = {}): VersionNarrowing {
    const signals: Signal[] = [];
    const unknownAssets: string[] = [];
    const unknownSignals: string[] = [];
    const seen = new Set<string>();
    const add = (label: string, setIndex: number) => {
      if (seen.has(label)) return;
      seen.add(label);
      signals.push({ label, ids: this.#set(setIndex) });
    };

    for (const raw of e.assetNames) {
      const name = assetBasename(raw);
      if (!name) continue;
      const set = Object.hasOwn(this.table.assets, name) ? this.table.assets[name] : undefined;
      if (set === undefined) {
        if (!unknownAssets.includes(name)) unknownAssets.push(name);
      } else add(`asset ${name}`, set);
    }
    const base = e.basePath ? normalizeServedPath(e.basePath).replace(/\/+$/, "") : "";
    const served = (raw: string) => {
      const path = normalizeServedPath(raw);
      return base && path.startsWith(`${base}/`) ? path.slice(base.length) : path;
    };
    for (const f of e.files) {
      const path = served(f.path);
      const sha = f.sha256.trim().toLowerCase();
      const byHash = Object.hasOwn(this.table.files, path) ? this.table.files[path] : undefined;
      const hit = byHash && Object.hasOwn(byHash, sha) ? byHash[sha] : undefined;
      if (hit) add(`file ${path} sha256:${sha.slice(0, 12)}`, hit[0]);
      else
        unknownSignals.push(
          byHash ? `file ${path} sha256:${sha.slice(0, 12)}` : `file ${path} (path not in table)`,
        );
    }
    for (const raw of e.absentPaths ?? []) {
      const path = served(raw);
      const byHash = Object.hasOwn(this.table.files, path) ? this.table.files[path] : undefined;
      if (!byHash) continue; // no release ships it: its absence says nothing
      const present = new Set<number>();
      for (const [setIndex] of Object.values(byHash)) for (const id of this.#set(setIndex)) present.add(id);
      const label = `absent ${path}`;
      if (!seen.has(label)) {
        seen.add(label);
        signals.push({ label, ids: this.#uiIds.filter((id) => !present.has(id)) });
      }
    }
    for (const raw of e.buildIds ?? []) {
      const b = raw.trim();
      if (!b) continue;
      const set = Object.hasOwn(this.table.buildIds, b) ? this.table.buildIds[b] : undefined;
      if (set === undefined) unknownSignals.push(`build-id ${b}`);
      else add(`build-id ${b}`, set);
    }

    const result: VersionNarrowing = {
      candidates: [],
      decidedBy: [],
      unknownAssets,
      unknownSignals,
      conflict: false,
      conflicts: [],
      droppedBroken: [],
    };
    if (signals.length === 0) return result;

    // Smallest set first; a signal "decides" when it removes releases from what is left.
    signals.sort((a, b) => a.ids.length - b.ids.length);
    let current = new Set(signals[0]!.ids);
    result.decidedBy.push(`${signals[0]!.label} (${signals[0]!.ids.length} release(s))`);
    for (const s of signals.slice(1)) {
      const next = new Set(s.ids.filter((id) => current.has(id)));
      if (next.size === current.size) continue;
      if (next.size === 0) {
        result.conflict = true;
        break;
      }
      result.decidedBy.push(`${s.label} (${s.ids.length} release(s))`);
      current = next;
    }

    if (result.conflict) {
      const union = new Set<number>();
      for (const s of signals) for (const id of s.ids) union.add(id);
      pairs: for (let i = 0; i < signals.length; i++) {
        const a = new Set(signals[i]!.ids);
        for (let j = i + 1; j < signals.length; j++) {
          if (!signals[j]!.ids.some((id) => a.has(id))) {
            result.conflicts.push(`${signals[i]!.label} vs ${signals[j]!.label}`);
            if (result.conflicts.length >= MAX_CONFLICTS) break pairs;
          }
        }
      }
      result.decidedBy = [
        `conflict: no release matches every signal (${result.conflicts.slice(0, 3).join("; ")}); candidates are the union`,
      ];
      current = union;
    } else if (!options.keepBroken) {
      const broken = [...current].filter((id) => this.table.releases[id]!.brokenPublish);
      if (broken.length > 0 && broken.length < current.size) {
        for (const id of broken) {
          current.delete(id);
          const r = this.table.releases[id]!;
          result.droppedBroken.push(this.#ref(id));
          result.decidedBy.push(`dropped ${r.package}@${r.version}: broken publish (${r.brokenPublish})`);
        }
        result.droppedBroken.sort(compareReleaseRefs);
      }
    }
    result.candidates = this.#refs(current);
    return result;
  }

  /**
   * Served paths whose content differs among the candidates (a different sha256, or present on
   * some and absent on others), best splitter first: what a second GET should fetch. Paths that
   * do not tell the candidates apart are left out; an empty list means the UI cannot.
   */
  discriminatingPaths(candidates: ReleaseRef[]): string[] {
    const ids = new Set<number>();
    for (const c of candidates) {
      const id = this.idOf(c);
      if (id !== undefined && this.table.releases[id]!.ui) ids.add(id);
    }
    if (ids.size < 2) return [];
    const scored: { path: string; classes: number; largest: number; size: number; rank: number }[] = [];
    for (const [path, byHash] of Object.entries(this.table.files)) {
      const counts: number[] = [];
      let present = 0;
      let size = 0;
      for (const [setIndex, bytes] of Object.values(byHash)) {
        let n = 0;
        for (const id of this.#set(setIndex)) if (ids.has(id)) n++;
        if (n > 0) {
          counts.push(n);
          present += n;
          size = Math.max(size, bytes);
        }
      }
      if (present < ids.size) counts.push(ids.size - present);
      if (counts.length < 2) continue;
      // Control UI files first: canvas/A2UI paths sit behind auth on many releases.
      const rank = /^\/__[a-z]+__\//.test(path) ? 1 : 0;
      scored.push({ path, classes: counts.length, largest: Math.max(...counts), size, rank });
    }
    scored.sort(
      (a, b) =>
        b.classes - a.classes ||
        a.largest - b.largest ||
        a.rank - b.rank ||
        a.size - b.size ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
    return scored.map((s) => s.path);
  }

  /** Releases that ship the same Control UI (same index.html asset references), groups of two or more. */
  sharedUiBuilds(): ReleaseRef[][] {
    const groups = new Map<string, number[]>();
    this.table.releases.forEach((r, id) => {
      if (!r.ui || !r.entry || r.entry.length === 0) return;
      const key = [...r.entry].sort().join(" ");
      const list = groups.get(key);
      if (list) list.push(id);
      else groups.set(key, [id]);
    });
    return [...groups.values()].filter((g) => g.length > 1).map((g) => this.#refs(g));
  }
}

let defaultIndex: VersionIndex | undefined;

/** The index over the shipped table, loaded on first use. */
export function versionIndex(): VersionIndex {
  defaultIndex ??= new VersionIndex(loadVersionTableFile());
  return defaultIndex;
}

// Gateways of one release serve the same evidence, and a scan narrows each endpoint's up to
// three times (the probe, then the fingerprint with and without absent paths): the answer
// for a given evidence is computed once. Results are shared, so callers never modify them.
const narrowed = new Map<string, VersionNarrowing>();
const NARROWED_MAX = 512;

/** Intersect the release sets of every known signal; unknown signals are ignored and reported. */
export function narrowByUi(e: UiEvidence, options?: NarrowOptions): VersionNarrowing {
  // The whole evidence and options: equal inputs give equal keys (a different key order only
  // costs a miss, never a wrong answer).
  const key = JSON.stringify([e, options ?? {}]);
  let result = narrowed.get(key);
  if (!result) {
    result = versionIndex().narrow(e, options);
    if (narrowed.size >= NARROWED_MAX) narrowed.clear();
    narrowed.set(key, result);
  }
  return result;
}

/** Served paths whose content differs among the candidates: what a second GET should fetch. */
export function discriminatingPaths(candidates: ReleaseRef[]): string[] {
  return versionIndex().discriminatingPaths(candidates);
}

export function allReleases(): ReleaseInfo[] {
  return versionIndex().allReleases();
}

export function releaseDetails(ref: ReleaseRef): ReleaseDetails | null {
  return versionIndex().details(ref);
}
