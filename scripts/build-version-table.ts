// Build data/fingerprints/openclaw-ui-versions.json from every published npm release of
// openclaw, clawdbot and moltbot.
//
//   node scripts/build-version-table.ts [--out FILE] [--cache DIR] [--concurrency N]
//        [--registry URL] [--packages a,b] [--reextract] [--report]
//
// For each release it downloads the tarball (cached under ~/.cache/clawpatrol/npm-tarballs,
// integrity-checked), gunzips and walks the tar stream once, and keeps only:
//   * dist/control-ui/**: the asset names index.html references, the sha256 and size of every
//     file a gateway serves unchanged (all but index.html, which is rewritten at serve time, and
//     the .br/.gz twins), the build id on <html> and EMBEDDED_CACHE_VERSION in sw.js. The table
//     keeps the content-hashed assets/* only where they add something: those index.html names,
//     and those that differ between releases sharing the same names (source maps, for one);
//   * dist/canvas-host/a2ui/**: sha256 of the static A2UI files, and the URL prefix the release
//     serves them under (read from the gateway's own code);
//   * dist/build-info.json; and the import graph of the Node-side JS, to find releases whose
//     bin statically imports a file the tarball does not contain (they cannot start).
// Run with --report to print the releases that share a UI build and what tells them apart.
// What it extracted per release is cached next to the tarballs (keyed by the tarball's
// integrity), so a re-run only reads tarballs it has not seen. The table is written atomically.

import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, posix, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { isCalVer } from "../src/advisories/calver.ts";
import {
  compareReleaseRefs,
  PACKAGE_NAMES,
  type PackageName,
  parseControlUiHtml,
  swCacheVersion,
  VersionIndex,
  type VersionTableFile,
  type VersionTableRelease,
} from "../src/fingerprints/openclaw/version-table.ts";

const EXTRACTOR_VERSION = 6;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// Releases known to be broken for a reason the generic check cannot see. Empty today: the
// missing-import check finds clawdbot 2026.1.24 on its own. Add "pkg@version": "reason".
const KNOWN_BROKEN: Record<string, string> = {};

// ---- command line -----------------------------------------------------------------------------

interface Config {
  out: string;
  cache: string;
  concurrency: number;
  parseConcurrency: number;
  registry: URL;
  packages: PackageName[];
  reextract: boolean;
  report: boolean;
}

const USAGE =
  "usage: node scripts/build-version-table.ts [--out FILE] [--cache DIR] [--concurrency N]\n" +
  "       [--registry URL] [--packages openclaw,clawdbot,moltbot] [--reextract] [--report]\n";

/** Parse the command line; null when only help was asked for. */
export function parseConfig(argv: string[]): Config | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string", default: join(REPO_ROOT, "data/fingerprints/openclaw-ui-versions.json") },
      cache: { type: "string", default: join(homedir(), ".cache/clawpatrol/npm-tarballs") },
      concurrency: { type: "string", default: "4" },
      registry: { type: "string", default: "https://registry.npmjs.org" },
      packages: { type: "string", default: PACKAGE_NAMES.join(",") },
      reextract: { type: "boolean", default: false },
      report: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return null;
  const concurrency = Math.max(1, Math.min(8, Number.parseInt(values.concurrency, 10) || 4));
  const packages = values.packages.split(",").map((p) => p.trim()) as PackageName[];
  for (const p of packages) {
    if (!PACKAGE_NAMES.includes(p))
      throw new Error(`unknown package ${p} (expected ${PACKAGE_NAMES.join(", ")})`);
  }
  return {
    out: resolve(values.out),
    cache: resolve(values.cache),
    concurrency,
    // Reading a tarball is CPU-bound (gunzip, hashing): no more at once than a small machine has cores.
    parseConcurrency: Math.min(concurrency, 2),
    registry: new URL(values.registry.endsWith("/") ? values.registry : `${values.registry}/`),
    packages,
    reextract: values.reextract,
    report: values.report,
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

// ---- registry ---------------------------------------------------------------------------------

interface Packument {
  name: string;
  versions: Record<
    string,
    { version: string; deprecated?: string; dist: { tarball: string; integrity?: string; shasum?: string } }
  >;
  time?: Record<string, string>;
}

interface Job {
  package: PackageName;
  version: string;
  tarball: URL;
  integrity: { algorithm: string; digest: string; label: string };
  publishedAt: string | null;
  deprecated?: string;
}

function registryUrl(cfg: Config, path: string): URL {
  return new URL(path, cfg.registry);
}

/** Only the registry is reachable; refuse a tarball URL that points anywhere else. */
function checkedTarballUrl(cfg: Config, raw: string): URL {
  const url = new URL(raw);
  if (url.origin !== cfg.registry.origin) throw new Error(`tarball outside the registry: ${raw}`);
  return url;
}

function parseIntegrity(dist: { integrity?: string; shasum?: string }): Job["integrity"] {
  if (dist.integrity) {
    // Several SRI hashes may be listed; take the strongest we can compute.
    const parts = dist.integrity.split(/\s+/).filter(Boolean);
    const order = ["sha512", "sha384", "sha256", "sha1"];
    parts.sort((a, b) => order.indexOf(a.split("-")[0]!) - order.indexOf(b.split("-")[0]!));
    const best = parts[0];
    if (best) {
      const dash = best.indexOf("-");
      const algorithm = best.slice(0, dash);
      const digest = Buffer.from(best.slice(dash + 1), "base64").toString("hex");
      if (order.includes(algorithm)) return { algorithm, digest, label: best };
    }
  }
  if (dist.shasum)
    return { algorithm: "sha1", digest: dist.shasum.toLowerCase(), label: `sha1:${dist.shasum}` };
  throw new Error("no integrity in registry metadata");
}

async function fetchWithRetry(url: URL, what: string): Promise<Response> {
  let last: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(url, {
        headers: { "user-agent": "clawpatrol-build-version-table", accept: "application/json, */*" },
        signal: AbortSignal.timeout(10 * 60_000),
      });
      if (res.ok && res.body) return res;
      last = new Error(`${what}: HTTP ${res.status} ${res.statusText}`);
      if (res.status >= 400 && res.status < 500 && res.status !== 429) break;
      await res.body?.cancel();
    } catch (err) {
      last = err;
    }
    if (attempt < 3) await new Promise((r) => setTimeout(r, 1000 * attempt));
  }
  throw last instanceof Error ? last : new Error(String(last));
}

async function listReleases(cfg: Config): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const pkg of cfg.packages) {
    const res = await fetchWithRetry(registryUrl(cfg, encodeURIComponent(pkg)), `metadata ${pkg}`);
    const doc = (await res.json()) as Packument;
    for (const [version, meta] of Object.entries(doc.versions ?? {})) {
      if (!isCalVer(version)) {
        log(`skip ${pkg}@${version}: not a CalVer version`);
        continue;
      }
      const job: Job = {
        package: pkg,
        version,
        tarball: checkedTarballUrl(cfg, meta.dist.tarball),
        integrity: parseIntegrity(meta.dist),
        publishedAt: normaliseTime(doc.time?.[version]),
      };
      if (meta.deprecated) job.deprecated = meta.deprecated;
      jobs.push(job);
    }
    log(`registry: ${pkg} has ${Object.keys(doc.versions ?? {}).length} release(s)`);
  }
  return jobs.sort(compareReleaseRefs);
}

function normaliseTime(t: string | undefined): string | null {
  if (!t) return null;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// ---- download (cached, integrity-checked) -----------------------------------------------------

function tarballPath(cfg: Config, job: Job): string {
  return join(cfg.cache, `${job.package}-${job.version}.tgz`);
}

async function ensureTarball(
  cfg: Config,
  job: Job,
): Promise<{ path: string; bytes: number; downloaded: boolean; ms: number }> {
  const path = tarballPath(cfg, job);
  const started = Date.now();
  const existing = await stat(path).catch(() => null);
  if (existing?.isFile()) return { path, bytes: existing.size, downloaded: false, ms: 0 };
  const tmp = `${path}.part-${process.pid}`;
  try {
    const res = await fetchWithRetry(job.tarball, `tarball ${job.package}@${job.version}`);
    const hash = createHash(job.integrity.algorithm);
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as never), tap, createWriteStream(tmp));
    const digest = hash.digest("hex");
    if (digest !== job.integrity.digest) {
      throw new Error(
        `integrity mismatch for ${job.package}@${job.version}: expected ${job.integrity.label}`,
      );
    }
    await rename(tmp, path);
    return { path, bytes, downloaded: true, ms: Date.now() - started };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

// ---- tar ---------------------------------------------------------------------------------------

export interface TarEntry {
  path: string;
  type: "file" | "dir" | "other";
  size: number;
}

export interface EntrySink {
  data(chunk: Buffer): void;
  end(): void;
}

/**
 * A streaming reader for the ustar/pax tar files npm writes. `write` takes gunzipped bytes in
 * any chunking; for each entry `onEntry` returns a sink for its data, or null to skip it.
 */
export class TarReader {
  #onEntry: (e: TarEntry) => EntrySink | null;
  #header = Buffer.alloc(512);
  #headerFill = 0;
  #remaining = 0; // data bytes left in the current entry
  #padding = 0; // bytes to skip after it
  #sink: EntrySink | null = null;
  #meta: { kind: "pax" | "longname"; chunks: Buffer[] } | null = null;
  #nextPath: string | null = null;
  #nextSize: number | null = null;
  #ended = false;
  entries = 0;

  constructor(onEntry: (e: TarEntry) => EntrySink | null) {
    this.#onEntry = onEntry;
  }

  write(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.#ended) return; // trailing zero padding after the end marker
      if (this.#remaining > 0) {
        const n = Math.min(this.#remaining, chunk.length - off);
        const part = chunk.subarray(off, off + n);
        if (this.#meta) this.#meta.chunks.push(Buffer.from(part));
        else this.#sink?.data(part);
        this.#remaining -= n;
        off += n;
        if (this.#remaining === 0) this.#finishEntry();
        continue;
      }
      if (this.#padding > 0) {
        const n = Math.min(this.#padding, chunk.length - off);
        this.#padding -= n;
        off += n;
        continue;
      }
      const n = Math.min(512 - this.#headerFill, chunk.length - off);
      chunk.copy(this.#header, this.#headerFill, off, off + n);
      this.#headerFill += n;
      off += n;
      if (this.#headerFill === 512) {
        this.#headerFill = 0;
        this.#readHeader();
      }
    }
  }

  finish(): void {
    if (this.#remaining > 0 || this.#headerFill > 0) throw new Error("tar: truncated archive");
  }

  #finishEntry(): void {
    if (this.#meta) {
      const body = Buffer.concat(this.#meta.chunks);
      if (this.#meta.kind === "longname") this.#nextPath = body.toString("utf8").replace(/\0.*$/s, "");
      else this.#applyPax(body);
      this.#meta = null;
    } else {
      this.#sink?.end();
      this.#sink = null;
    }
  }

  #applyPax(body: Buffer): void {
    let off = 0;
    while (off < body.length) {
      const space = body.indexOf(0x20, off);
      if (space < 0) break;
      const len = Number.parseInt(body.toString("ascii", off, space), 10);
      if (!Number.isFinite(len) || len <= 0) break;
      const record = body.toString("utf8", space + 1, off + len - 1); // drop the trailing newline
      const eq = record.indexOf("=");
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (key === "path") this.#nextPath = value;
      else if (key === "size") this.#nextSize = Number.parseInt(value, 10);
      off += len;
    }
  }

  #readHeader(): void {
    const h = this.#header;
    if (h.every((b) => b === 0)) {
      this.#ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    const stored = readOctal(h, 148, 8);
    if (stored !== sum) throw new Error(`tar: bad header checksum (entry ${this.entries + 1})`);
    const typeflag = String.fromCharCode(h[156]!);
    let size = readSize(h);
    const name = cString(h, 0, 100);
    const magic = h.toString("ascii", 257, 262);
    const prefix = magic === "ustar" ? cString(h, 345, 155) : "";
    let path = prefix ? `${prefix}/${name}` : name;
    const padded = (n: number) => (512 - (n % 512)) % 512;

    if (typeflag === "x" || typeflag === "L") {
      this.#meta = { kind: typeflag === "x" ? "pax" : "longname", chunks: [] };
      this.#remaining = size;
      this.#padding = padded(size);
      if (size === 0) this.#finishEntry();
      return;
    }
    if (this.#nextPath !== null) path = this.#nextPath;
    if (this.#nextSize !== null) size = this.#nextSize;
    this.#nextPath = null;
    this.#nextSize = null;
    this.entries++;

    const type: TarEntry["type"] =
      typeflag === "0" || typeflag === "\0" || typeflag === "7" ? "file" : typeflag === "5" ? "dir" : "other";
    // Hard/sym links, devices, global pax headers ('g'): no data we want.
    this.#sink = type === "file" ? this.#onEntry({ path, type, size }) : null;
    this.#remaining = size;
    this.#padding = padded(size);
    if (size === 0) this.#finishEntry();
  }
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString("utf8", start, end >= 0 && end < start + len ? end : start + len);
}

function readOctal(buf: Buffer, start: number, len: number): number {
  const text = buf
    .toString("ascii", start, start + len)
    .replace(/[\0 ]+$/, "")
    .trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function readSize(h: Buffer): number {
  if ((h[124]! & 0x80) !== 0) {
    // GNU base-256: big-endian, high bit set on the first byte.
    let n = h[124]! & 0x7f;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i]!;
    return n;
  }
  return readOctal(h, 124, 12);
}

// ---- extraction -------------------------------------------------------------------------------

interface ServedFile {
  path: string; // as served, e.g. /favicon.svg or /__openclaw__/a2ui/a2ui.bundle.js
  sha256: string;
  size: number;
}

interface ReleaseRecord {
  extractor: number;
  package: PackageName;
  version: string;
  integrity: string;
  tarballBytes: number;
  unpackedBytes: number;
  entries: number;
  ui: boolean;
  entry: string[];
  htmlBuildId: string | null;
  swCacheVersion: string | null;
  indexHtmlSha256: string | null;
  buildInfo: { version?: string; commit?: string; builtAt?: string; buildId?: string } | null;
  /** control-ui files served unchanged, keyed by served path. */
  uiFiles: ServedFile[];
  /** Asset files under control-ui/assets (names only, .br/.gz excluded). */
  assetCount: number;
  /** Entry assets referenced by index.html but missing from the tarball. */
  missingEntryAssets: string[];
  a2uiPath: string | null;
  a2uiPrefixes: Record<string, number>;
  /** Raw files under dist/canvas-host/a2ui/ (relative path → sha256); html is rewritten when served. */
  a2uiFiles: { rel: string; sha256: string; size: number }[];
  /** Static relative imports whose file is not in the tarball, and when the bin gets to the importer. */
  missingImports: { from: string; spec: string; reach: "start" | "later" | "none" }[];
  binEntries: string[];
  /** Modules the bin loads at start (static graph from the bin and its entry), and at all. */
  modulesAtStart: number;
  modulesReachable: number;
}

const A2UI_LITERAL = /\/__(openclaw|clawdbot|moltbot)__\/a2ui(?=["'`/])/g;
const IMPORT_HEAD =
  /(?:import\s*(?:[\w$*{][^;"'`]*?\s*from\s*)?|export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*)(["'])([^"'\n]+)\1[^;\n]*;?/y;
const DYNAMIC_IMPORT = /\bimport\(\s*(["'])(\.{1,2}\/[^"'\n]+)\1\s*\)/g;
// Launchers that pick their entry at run time (`tryImport("./dist/entry.js")`) name it as a literal.
const ENTRY_LITERAL = /(["'])(\.{1,2}\/(?:[^"'\n]*\/)?entry\.m?js)\1/g;

/**
 * Static import specifiers of an ES module: the import/export-from statements it starts with
 * (tsc and the bundlers put them all there). Lines further down are not read: they may sit in
 * a template string (plugin scaffolds carry `import … from "./contract.js"` as text).
 */
export function staticImports(text: string): string[] {
  const out = new Set<string>();
  let i = 0;
  if (text.startsWith("#!")) i = text.indexOf("\n") + 1 || text.length;
  for (;;) {
    // skip blanks, comments and directive prologues
    const skip = /(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|(["'])use strict\1;?)*/y;
    skip.lastIndex = i;
    skip.exec(text);
    i = skip.lastIndex;
    IMPORT_HEAD.lastIndex = i;
    const m = IMPORT_HEAD.exec(text);
    if (!m) break;
    out.add(m[2]!);
    i = IMPORT_HEAD.lastIndex;
  }
  return [...out];
}

function isNodeModule(rel: string): boolean {
  return /\.m?js$/.test(rel) && !rel.includes("node_modules/") && !rel.startsWith("dist/control-ui/");
}

function hashSink(
  onDone: (sha256: string, size: number, body: Buffer | null) => void,
  keep: boolean,
): EntrySink {
  const hash = createHash("sha256");
  const parts: Buffer[] = [];
  let size = 0;
  return {
    data(chunk) {
      hash.update(chunk);
      size += chunk.length;
      if (keep) parts.push(Buffer.from(chunk));
    },
    end() {
      onDone(hash.digest("hex"), size, keep ? Buffer.concat(parts) : null);
    },
  };
}

async function digestMatches(path: string, job: Job): Promise<boolean> {
  const hash = createHash(job.integrity.algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex") === job.integrity.digest;
}

class CorruptTarball extends Error {
  constructor(path: string, integrity: string) {
    super(`${path} does not match ${integrity}`);
  }
}

async function extract(job: Job, tgz: string, tarballBytes: number): Promise<ReleaseRecord> {
  const files = new Set<string>();
  const imports = new Map<string, string[]>(); // module → static relative specifiers
  const startLiterals = new Map<string, string[]>(); // what a module loads at run time, by literal
  const a2uiPrefixes: Record<string, number> = {};
  const uiFiles: ServedFile[] = [];
  const a2uiFiles: ReleaseRecord["a2uiFiles"] = [];
  const assetNames = new Set<string>();
  const got: {
    indexHtml?: Buffer;
    indexHtmlSha?: string;
    swJs?: Buffer;
    buildInfo?: Buffer;
    packageJson?: Buffer;
  } = {};
  let unpackedBytes = 0;

  const reader = new TarReader((entry) => {
    // npm tarballs put everything under one top folder, usually "package/".
    const slash = entry.path.indexOf("/");
    const rel = slash >= 0 ? entry.path.slice(slash + 1).replace(/^\.\//, "") : "";
    if (entry.type !== "file" || !rel) return null;
    files.add(rel);
    unpackedBytes += entry.size;

    if (rel.startsWith("dist/control-ui/")) {
      const sub = rel.slice("dist/control-ui/".length);
      if (/\.(br|gz)$/.test(sub)) return null; // precompressed twins of files recorded anyway
      if (sub.startsWith("assets/") && !sub.slice(7).includes("/")) assetNames.add(sub.slice(7));
      if (sub === "index.html") {
        return hashSink((sha, _size, body) => {
          got.indexHtml = body!;
          got.indexHtmlSha = sha;
        }, true);
      }
      return hashSink((sha256, size, body) => {
        uiFiles.push({ path: `/${sub}`, sha256, size });
        if (sub === "sw.js") got.swJs = body!;
      }, sub === "sw.js");
    }
    if (rel.startsWith("dist/canvas-host/a2ui/")) {
      const sub = rel.slice("dist/canvas-host/a2ui/".length);
      return hashSink((sha256, size) => a2uiFiles.push({ rel: sub, sha256, size }), false);
    }
    if (rel === "dist/build-info.json") return hashSink((_s, _n, body) => (got.buildInfo = body!), true);
    if (rel === "package.json") return hashSink((_s, _n, body) => (got.packageJson = body!), true);
    if (isNodeModule(rel)) {
      return hashSink((_sha, _size, body) => {
        const text = body!.toString("utf8");
        const specs = staticImports(text).filter((s) => s.startsWith("./") || s.startsWith("../"));
        if (specs.length > 0) imports.set(rel, specs);
        const dyn = [...text.matchAll(DYNAMIC_IMPORT), ...text.matchAll(ENTRY_LITERAL)].map((m) => m[2]!);
        if (dyn.length > 0) startLiterals.set(rel, [...new Set(dyn)]);
        if (text.includes("__/a2ui")) {
          for (const m of text.matchAll(A2UI_LITERAL)) {
            const p = `/__${m[1]}__/a2ui`;
            a2uiPrefixes[p] = (a2uiPrefixes[p] ?? 0) + 1;
          }
        }
      }, true);
    }
    return null;
  });

  const hash = createHash(job.integrity.algorithm);
  await pipeline(
    createReadStream(tgz, { highWaterMark: 1 << 20 }),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    }),
    createGunzip({ chunkSize: 256 * 1024 }),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) reader.write(chunk);
      reader.finish();
    },
  );
  if (hash.digest("hex") !== job.integrity.digest) throw new CorruptTarball(tgz, job.integrity.label);

  // Static import graph from the bin entries: a missing file there stops the CLI at load time.
  const bins: string[] = [];
  if (got.packageJson) {
    const pj = JSON.parse(got.packageJson.toString("utf8")) as { bin?: string | Record<string, string> };
    const list = typeof pj.bin === "string" ? [pj.bin] : Object.values(pj.bin ?? {});
    for (const b of list) bins.push(posix.normalize(b).replace(/^\.\//, ""));
  }
  // Two walks from the bin: static imports only (all of it loads before any code runs, so a
  // missing file there means the CLI cannot start), and static plus literal dynamic imports
  // (what some command may load later; a missing file there breaks a feature, not the start).
  const walk = (withDynamic: boolean): Set<string> => {
    const seen = new Set<string>();
    const queue: string[] = [];
    const visit = (rel: string) => {
      if (!seen.has(rel) && files.has(rel)) {
        seen.add(rel);
        queue.push(rel);
      }
    };
    // The bin, and what the bin loads by literal name (its entry module).
    for (const b of bins) {
      visit(b);
      for (const spec of startLiterals.get(b) ?? []) visit(posix.join(posix.dirname(b), spec));
    }
    while (queue.length > 0) {
      const mod = queue.shift()!;
      const next = [...(imports.get(mod) ?? []), ...(withDynamic ? (startLiterals.get(mod) ?? []) : [])];
      for (const spec of next) visit(posix.join(posix.dirname(mod), spec));
    }
    return seen;
  };
  const atStart = walk(false);
  const later = walk(true);
  const missing: ReleaseRecord["missingImports"] = [];
  for (const [mod, specs] of imports) {
    for (const spec of specs) {
      const target = posix.join(posix.dirname(mod), spec);
      if (files.has(target)) continue;
      missing.push({
        from: mod,
        spec,
        reach: atStart.has(mod) ? "start" : later.has(mod) ? "later" : "none",
      });
    }
  }

  let entry: string[] = [];
  let htmlBuildId: string | null = null;
  const missingEntryAssets: string[] = [];
  if (got.indexHtml) {
    const parsed = parseControlUiHtml(got.indexHtml.toString("utf8"));
    entry = parsed.assetNames;
    htmlBuildId = parsed.buildId;
    for (const name of entry) if (!assetNames.has(name)) missingEntryAssets.push(name);
  }
  let info: ReleaseRecord["buildInfo"] = null;
  if (got.buildInfo) {
    try {
      const j = JSON.parse(got.buildInfo.toString("utf8")) as Record<string, unknown>;
      info = {};
      for (const k of ["version", "commit", "builtAt", "buildId"] as const) {
        if (typeof j[k] === "string") info[k] = j[k] as string;
      }
    } catch {
      info = null;
    }
  }
  const prefixes = Object.entries(a2uiPrefixes).sort((a, b) => b[1] - a[1]);
  uiFiles.sort((a, b) => (a.path < b.path ? -1 : 1));
  a2uiFiles.sort((a, b) => (a.rel < b.rel ? -1 : 1));
  return {
    extractor: EXTRACTOR_VERSION,
    package: job.package,
    version: job.version,
    integrity: job.integrity.label,
    tarballBytes,
    unpackedBytes,
    entries: reader.entries,
    ui: got.indexHtml !== undefined,
    entry,
    htmlBuildId,
    swCacheVersion: got.swJs ? swCacheVersion(got.swJs.toString("utf8")) : null,
    indexHtmlSha256: got.indexHtmlSha ?? null,
    buildInfo: info,
    uiFiles,
    assetCount: assetNames.size,
    missingEntryAssets,
    a2uiPath: a2uiFiles.length > 0 && prefixes[0] ? prefixes[0][0] : null,
    a2uiPrefixes,
    a2uiFiles,
    missingImports: missing,
    binEntries: bins,
    modulesAtStart: atStart.size,
    modulesReachable: later.size,
  };
}

// ---- per-release cache of extraction results ---------------------------------------------------

function recordPath(cfg: Config, job: Job): string {
  return join(cfg.cache, "records", `${job.package}-${job.version}.json`);
}

async function cachedRecord(cfg: Config, job: Job): Promise<ReleaseRecord | null> {
  if (cfg.reextract) return null;
  try {
    const r = JSON.parse(await readFile(recordPath(cfg, job), "utf8")) as ReleaseRecord;
    return r.extractor === EXTRACTOR_VERSION && r.integrity === job.integrity.label ? r : null;
  } catch {
    return null;
  }
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Partial downloads and half-written records of runs that were killed (their pid is gone). */
async function removeStaleTemporaries(cache: string): Promise<void> {
  for (const dir of [cache, join(cache, "records")]) {
    for (const name of await readdir(dir)) {
      const m = /\.(?:part|tmp)-(\d+)$/.exec(name);
      if (!m || isAlive(Number(m[1]))) continue;
      await rm(join(dir, name), { force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// ---- small concurrency helpers -------------------------------------------------------------------

function semaphore(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= limit) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

// ---- the table ---------------------------------------------------------------------------------

function brokenReason(job: Job, r: ReleaseRecord): string | undefined {
  const known = KNOWN_BROKEN[`${job.package}@${job.version}`];
  if (known) return known;
  const fatal = r.missingImports.filter((m) => m.reach === "start");
  if (fatal.length > 0) {
    const targets = [...new Set(fatal.map((m) => posix.join(posix.dirname(m.from), m.spec)))].sort();
    const shown = targets.slice(0, 3).join(", ");
    const more = targets.length > 3 ? ` and ${targets.length - 3} more` : "";
    return `cannot start (ERR_MODULE_NOT_FOUND): the bin's static imports need ${shown}${more}, missing from the published tarball`;
  }
  if (r.missingEntryAssets.length > 0) {
    return `Control UI index.html references ${r.missingEntryAssets.join(", ")}, missing from the tarball`;
  }
  return undefined;
}

function buildTable(cfg: Config, jobs: Job[], records: Map<Job, ReleaseRecord>): VersionTableFile {
  const releases: VersionTableRelease[] = [];
  const sets: number[][] = [];
  const setIndex = new Map<string, number>();
  const internSet = (ids: Iterable<number>): number => {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    const key = sorted.join(",");
    let i = setIndex.get(key);
    if (i === undefined) {
      i = sets.length;
      sets.push(sorted);
      setIndex.set(key, i);
    }
    return i;
  };
  const assetIds = new Map<string, Set<number>>();
  const fileIds = new Map<string, Map<string, { ids: Set<number>; size: number }>>();
  const buildIdIds = new Map<string, Set<number>>();
  const addTo = <K>(map: Map<K, Set<number>>, key: K, id: number) => {
    const s = map.get(key);
    if (s) s.add(id);
    else map.set(key, new Set([id]));
  };
  const addFile = (path: string, sha256: string, size: number, id: number) => {
    let byHash = fileIds.get(path);
    if (!byHash) {
      byHash = new Map();
      fileIds.set(path, byHash);
    }
    const e = byHash.get(sha256);
    if (e) e.ids.add(id);
    else byHash.set(sha256, { ids: new Set([id]), size });
  };

  // Content-hashed assets follow from the entry names index.html references, so only those are
  // kept, plus any asset whose bytes or presence differ inside a group of releases that share
  // the same entry names (source maps, for one): those are what a second GET can tell apart.
  const groups = new Map<string, ReleaseRecord[]>();
  for (const job of jobs) {
    const r = records.get(job)!;
    if (!r.ui) continue;
    const key = [...r.entry].sort().join(" ");
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const splitAssets = new Set<string>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const byPath = new Map<string, Set<string>>();
    const count = new Map<string, number>();
    for (const r of members) {
      for (const f of r.uiFiles) {
        if (!f.path.startsWith("/assets/")) continue;
        byPath.set(f.path, (byPath.get(f.path) ?? new Set()).add(f.sha256));
        count.set(f.path, (count.get(f.path) ?? 0) + 1);
      }
    }
    for (const [path, shas] of byPath)
      if (shas.size > 1 || count.get(path)! < members.length) splitAssets.add(path);
  }

  jobs.forEach((job, id) => {
    const r = records.get(job)!;
    const rel: VersionTableRelease = {
      package: job.package,
      version: job.version,
      publishedAt: job.publishedAt,
      ui: r.ui,
    };
    if (r.ui) rel.entry = r.entry;
    if (r.buildInfo?.buildId) rel.buildId = r.buildInfo.buildId;
    if (r.htmlBuildId) rel.htmlBuildId = r.htmlBuildId;
    if (r.swCacheVersion) rel.swCacheVersion = r.swCacheVersion;
    if (r.buildInfo?.builtAt) rel.builtAt = r.buildInfo.builtAt;
    if (r.buildInfo?.commit) rel.commit = r.buildInfo.commit;
    if (r.a2uiPath) rel.a2uiPath = r.a2uiPath;
    const broken = brokenReason(job, r);
    if (broken) rel.brokenPublish = broken;
    releases.push(rel);

    for (const name of r.entry) addTo(assetIds, name, id);
    for (const f of r.uiFiles) {
      if (f.path.startsWith("/assets/") && !r.entry.includes(f.path.slice(8)) && !splitAssets.has(f.path))
        continue;
      addFile(f.path, f.sha256, f.size, id);
    }
    if (r.a2uiPath) {
      for (const f of r.a2uiFiles) {
        if (/\.html?$/i.test(f.rel)) continue; // served with a live-reload script injected
        addFile(`${r.a2uiPath}/${f.rel}`, f.sha256, f.size, id);
      }
    }
    for (const b of [r.htmlBuildId, r.swCacheVersion, r.buildInfo?.buildId]) if (b) addTo(buildIdIds, b, id);
  });

  const sortedKeys = <V>(m: Map<string, V>) => [...m.keys()].sort();
  const assets: Record<string, number> = {};
  for (const k of sortedKeys(assetIds)) assets[k] = internSet(assetIds.get(k)!);
  const files: Record<string, Record<string, [number, number]>> = {};
  for (const path of sortedKeys(fileIds)) {
    const byHash = fileIds.get(path)!;
    const out: Record<string, [number, number]> = {};
    for (const sha of sortedKeys(byHash)) {
      const e = byHash.get(sha)!;
      out[sha] = [internSet(e.ids), e.size];
    }
    files[path] = out;
  }
  const buildIds: Record<string, number> = {};
  for (const k of sortedKeys(buildIdIds)) buildIds[k] = internSet(buildIdIds.get(k)!);

  return {
    schema: 1,
    generatedAt: new Date().toISOString(),
    generator: "scripts/build-version-table.ts",
    registry: cfg.registry.origin,
    packages: cfg.packages,
    notes: [
      "releases: every published version, oldest first; a release's id is its index. ui=false: no dist/control-ui/index.html.",
      "assets: basename referenced by dist/control-ui/index.html (script src, modulepreload, stylesheet) -> index into sets.",
      "files: served path -> sha256 -> [index into sets, bytes]. Control UI files served byte-for-byte (index.html excluded: rewritten at serve time; .br/.gz twins excluded; of assets/ only those index.html names, and those that differ between releases sharing the same index.html asset names, e.g. source maps), and the static A2UI files under each release's a2uiPath (its index.html excluded: a live-reload script is injected). Paths assume gateway.controlUi.basePath is empty.",
      "buildIds: data-openclaw-control-ui-build-id, sw.js EMBEDDED_CACHE_VERSION and build-info.json buildId -> index into sets.",
      "brokenPublish: the release cannot start (its bin statically imports a file the tarball lacks), so a running gateway is not it.",
      "publishedAt: the registry's time field as served by the registry the table was built from.",
    ],
    releases,
    sets,
    assets,
    files,
    buildIds,
  };
}

function report(table: VersionTableFile, records: ReleaseRecord[]): void {
  const index = new VersionIndex(table);
  for (const r of records) {
    const later = r.missingImports.filter((m) => m.reach === "later");
    if (later.length === 0) continue;
    const targets = [...new Set(later.map((m) => posix.join(posix.dirname(m.from), m.spec)))];
    log(
      `note: ${r.package}@${r.version} may fail later (a lazily loaded module needs ${targets.join(", ")})`,
    );
  }
  const groups = index.sharedUiBuilds();
  const withUi = table.releases.filter((r) => r.ui).length;
  log(`\nreleases: ${table.releases.length} (${withUi} with a Control UI)`);
  const broken = table.releases.filter((r) => r.brokenPublish);
  for (const r of broken) log(`broken publish: ${r.package}@${r.version}: ${r.brokenPublish}`);
  let resolvable = 0;
  let members = 0;
  log(`UI builds shared by more than one release: ${groups.length}`);
  for (const g of groups) {
    members += g.length;
    const paths = index.discriminatingPaths(g);
    if (paths.length > 0) resolvable++;
    const names = g.map((r) => `${r.package === "openclaw" ? "" : `${r.package}@`}${r.version}`).join(", ");
    log(
      `  [${g.length}] ${names}  ->  ${paths.length > 0 ? paths.slice(0, 3).join(" ") : "(no served file differs)"}`,
    );
  }
  log(`  ${members} releases in ${groups.length} groups; a second GET can split ${resolvable} of the groups`);
}

// ---- main ----------------------------------------------------------------------------------------

export async function main(argv: string[]): Promise<void> {
  const cfg = parseConfig(argv);
  if (!cfg) {
    process.stdout.write(USAGE);
    return;
  }
  const started = Date.now();
  await mkdir(join(cfg.cache, "records"), { recursive: true });
  await removeStaleTemporaries(cfg.cache);
  const jobs = await listReleases(cfg);
  log(`${jobs.length} release(s) to read; cache ${cfg.cache}; concurrency ${cfg.concurrency}`);
  const records = new Map<Job, ReleaseRecord>();
  const failures: string[] = [];
  const parseSlot = semaphore(cfg.parseConcurrency);
  let done = 0;
  let downloadedBytes = 0;
  const width = String(jobs.length).length;

  await forEachLimited(jobs, cfg.concurrency, async (job) => {
    const name = `${job.package}@${job.version}`;
    try {
      let record = await cachedRecord(cfg, job);
      let note = "cached";
      if (!record) {
        let t = await ensureTarball(cfg, job);
        if (t.downloaded) downloadedBytes += t.bytes;
        const t0 = Date.now();
        try {
          record = await parseSlot(() => extract(job, t.path, t.bytes));
        } catch (err) {
          // A cached tarball that fails to read may be damaged on disk: check it, fetch it again.
          if (t.downloaded || (!(err instanceof CorruptTarball) && (await digestMatches(t.path, job))))
            throw err;
          log(`${name}: cached tarball is damaged; downloading it again`);
          await rm(t.path, { force: true });
          t = await ensureTarball(cfg, job);
          downloadedBytes += t.bytes;
          const again = t;
          record = await parseSlot(() => extract(job, again.path, again.bytes));
        }
        await writeAtomic(recordPath(cfg, job), `${JSON.stringify(record)}\n`);
        note = `${t.downloaded ? `downloaded ${mb(t.bytes)} in ${secs(t.ms)}` : `tarball ${mb(t.bytes)} from cache`}, read in ${secs(Date.now() - t0)}`;
      }
      records.set(job, record);
      done++;
      const ui = record.ui ? `ui ${record.entry[0] ?? "?"}` : "no control-ui";
      log(`[${String(done).padStart(width)}/${jobs.length}] ${name}: ${note}; ${ui}`);
    } catch (err) {
      done++;
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      log(`[${String(done).padStart(width)}/${jobs.length}] ${name}: FAILED ${failures.at(-1)}`);
    }
  });

  if (failures.length > 0) {
    log(`\n${failures.length} release(s) failed; ${cfg.out} left unchanged:`);
    for (const f of failures) log(`  ${f}`);
    process.exitCode = 1;
    return;
  }
  const table = buildTable(cfg, jobs, records);
  const text = `${JSON.stringify(table)}\n`;
  await writeAtomic(cfg.out, text);
  log(
    `wrote ${cfg.out}: ${table.releases.length} releases, ${Object.keys(table.assets).length} asset names, ` +
      `${Object.keys(table.files).length} served paths, ${table.sets.length} sets, ${(text.length / 1024).toFixed(0)} KiB ` +
      `(downloaded ${mb(downloadedBytes)}; ${secs(Date.now() - started)})`,
  );
  if (cfg.report)
    report(
      table,
      jobs.map((j) => records.get(j)!),
    );
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    log(`build-version-table: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
}
