// Loads an OpenClaw-family config the way the gateway reads it: JSON5, `$include`
// (string or list, relative to the including file, deep-merged, siblings win, at most
// 10 levels, confined to the config's directory unless OPENCLAW_INCLUDE_ROOTS adds
// roots), `${VAR}` substitution in strings (`$${VAR}` is a literal), and legacy key
// names mapped to their current ones. It keeps every file's text and position tree so
// findings can point at a line and the fixer can edit in place.
import { lstatSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import JSON5 from "json5";
import { readTextFile, type TextFile, TextFileError } from "../core/text-file.ts";
import { findNode, Json5SyntaxError, lineColumn, type Node, parseTree } from "./json5-tree.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface ConfigFile {
  path: string;
  text: string;
  tree: Node | null;
  /** Config path prefix this file's root is merged at ([] for the main file). */
  mountedAt: string[];
  mode: number | null;
  mtimeMs: number | null;
}

export interface LoadedConfig {
  /** The main config path (may not exist). */
  path: string;
  exists: boolean;
  /** Main file and every include, main first. */
  files: ConfigFile[];
  /** After includes and ${VAR} substitution, before legacy renames. */
  resolved: JsonObject;
  /** With legacy key names mapped to current ones: what checks read. */
  effective: JsonObject;
  /** Paths (dotted) whose string value had a `${VAR}` that the environment did not define. */
  unresolvedEnv: string[];
  /** Legacy keys seen: [old dotted path, new dotted path]. */
  legacyKeys: [string, string][];
  errors: string[];
  /**
   * Files of this config that exist but could not be read whole or understood. Checks still
   * run on what could be read; the fixer must not edit such a config (it would lose content).
   */
  problems: ConfigProblem[];
}

export type ConfigProblemKind =
  | "unreadable"
  | "not-a-file"
  | "too-large"
  | "invalid-utf8"
  | "syntax"
  | "not-an-object"
  | "too-deep"
  | "no-positions";

export interface ConfigProblem {
  path: string;
  kind: ConfigProblemKind;
  /** One line, naming neither the path nor the position (callers add them). */
  message: string;
  /** 1-based, for syntax errors. */
  line?: number;
  column?: number;
}

const MAX_INCLUDE_DEPTH = 10;
/** Files one config may pull in, all includes together: bounds a diamond of includes. */
const MAX_INCLUDED_FILES = 200;
/** Larger configs are refused whole rather than read in part (the biggest real ones are kilobytes). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Read a nested value by path; undefined when absent. */
export function getPath(obj: unknown, path: readonly string[]): Json | undefined {
  let cur: unknown = obj;
  for (const seg of path) {
    if (Array.isArray(cur)) {
      const idx = Number(seg);
      cur = Number.isInteger(idx) ? cur[idx] : undefined;
    } else if (isObject(cur)) {
      cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur as Json;
}

export function getString(obj: unknown, dotted: string): string | undefined {
  const v = getPath(obj, dotted.split("."));
  return typeof v === "string" ? v : undefined;
}

export function getBool(obj: unknown, dotted: string): boolean | undefined {
  const v = getPath(obj, dotted.split("."));
  return typeof v === "boolean" ? v : undefined;
}

export function getArray(obj: unknown, dotted: string): Json[] | undefined {
  const v = getPath(obj, dotted.split("."));
  return Array.isArray(v) ? v : undefined;
}

export function getObject(obj: unknown, dotted: string): JsonObject | undefined {
  const v = getPath(obj, dotted.split("."));
  return isObject(v) ? v : undefined;
}

function deepMerge(base: Json, over: Json): Json {
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k]!, v) : v;
    return out;
  }
  return over;
}

/** Read one file of the config whole, or throw a ReadProblem (the kinds the fixer refuses on). */
function readText(path: string): TextFile {
  try {
    return readTextFile(path, MAX_CONFIG_BYTES);
  } catch (err) {
    if (!(err instanceof TextFileError)) throw err;
    const kind: ConfigProblemKind =
      err.kind === "not-a-file" ? "not-a-file" : err.kind === "too-large" ? "too-large" : "unreadable";
    throw new ReadProblem(kind, err.message.replace(/, not a file$/, ", not a config file"));
  }
}

class ReadProblem extends Error {
  readonly kind: ConfigProblemKind;
  constructor(kind: ConfigProblemKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

interface Reports {
  errors: string[];
  problems: ConfigProblem[];
}

/** A problem is also an error line (what the audit shows), with the position when known. */
function addProblem(r: Reports, p: ConfigProblem): void {
  r.problems.push(p);
  const at = p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : "";
  r.errors.push(`${p.path}${at}: ${p.message}`);
}

function parseFile(path: string, mountedAt: string[], r: Reports): { file: ConfigFile; value: Json } | null {
  let raw: TextFile;
  try {
    raw = readText(path);
  } catch (err) {
    if (!(err instanceof ReadProblem)) throw err;
    addProblem(r, { path, kind: err.kind, message: err.message });
    return null;
  }
  if (raw.invalidUtf8)
    addProblem(r, {
      path,
      kind: "invalid-utf8",
      message: "not valid UTF-8 (read with replacement characters)",
    });
  const file = (tree: Node | null): ConfigFile => ({
    path,
    text: raw.text,
    tree,
    mountedAt,
    mode: raw.mode,
    mtimeMs: raw.mtimeMs,
  });
  let value: Json;
  try {
    value = JSON5.parse(raw.text) as Json;
  } catch (err) {
    const e = err as SyntaxError & { lineNumber?: number; columnNumber?: number };
    if (!(err instanceof SyntaxError)) {
      // json5 recurses per nesting level on some inputs
      addProblem(r, { path, kind: "too-deep", message: `nested too deeply to read (${e.message})` });
      return { file: file(null), value: {} };
    }
    const message = `not valid JSON5: ${e.message.replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "")}`;
    addProblem(r, {
      path,
      kind: "syntax",
      message,
      ...(e.lineNumber !== undefined ? { line: e.lineNumber, column: e.columnNumber ?? 1 } : {}),
    });
    return { file: file(null), value: {} };
  }
  let tree: Node | null = null;
  try {
    tree = parseTree(raw.text);
  } catch (err) {
    // json5 accepted it but our position reader did not: keep values, lose positions.
    const at = err instanceof Json5SyntaxError ? lineColumn(raw.text, err.offset) : null;
    r.problems.push({
      path,
      kind: "no-positions",
      message: `cannot be edited in place (${err instanceof Error ? err.message : String(err)})`,
      ...(at ? { line: at.line, column: at.column } : {}),
    });
    r.errors.push(`${path}: positions unavailable${at ? ` (line ${at.line})` : ""}`);
  }
  return { file: file(tree), value };
}

interface LoadState {
  env: Record<string, string | undefined>;
  roots: string[];
  files: ConfigFile[];
  errors: string[];
  problems: ConfigProblem[];
  unresolvedEnv: string[];
}

function underRoots(path: string, roots: string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, path);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
  });
}

/**
 * `chain` is the list of files being resolved above this point: a file that appears in its
 * own chain is a cycle whatever key it is mounted under (otherwise a file including itself
 * under k keys would load k^10 files).
 */
function resolveIncludes(
  value: Json,
  fromFile: string,
  mount: string[],
  depth: number,
  st: LoadState,
  chain: string[] = [fromFile],
): Json {
  if (Array.isArray(value))
    return value.map((v, i) => resolveIncludes(v, fromFile, [...mount, String(i)], depth, st, chain));
  if (!isObject(value)) return value;
  let merged: Json = {};
  const inc = value.$include;
  if (inc !== undefined) {
    const list = Array.isArray(inc) ? inc : [inc];
    for (const item of list) {
      if (typeof item !== "string") {
        st.errors.push(`${fromFile}: $include entries must be strings`);
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        st.errors.push(`${fromFile}: $include nested deeper than ${MAX_INCLUDE_DEPTH} levels`);
        continue;
      }
      const target = resolve(dirname(fromFile), item);
      if (!underRoots(target, st.roots)) {
        st.errors.push(
          `${fromFile}: $include ${item} points outside the config directory (OpenClaw refuses it)`,
        );
        continue;
      }
      if (chain.includes(target)) {
        st.errors.push(`${fromFile}: $include cycle at ${item}`);
        continue;
      }
      if (st.files.length >= MAX_INCLUDED_FILES) {
        st.errors.push(`${fromFile}: more than ${MAX_INCLUDED_FILES} included files; the rest were not read`);
        continue;
      }
      const parsed = parseFile(target, mount, st);
      if (!parsed) continue;
      st.files.push(parsed.file);
      merged = deepMerge(
        merged,
        resolveIncludes(parsed.value, target, mount, depth + 1, st, [...chain, target]),
      );
    }
  }
  const own: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$include") continue;
    own[k] = resolveIncludes(v, fromFile, [...mount, k], depth, st, chain);
  }
  return deepMerge(merged, own);
}

const VAR_RE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function substituteEnv(value: Json, path: string[], st: LoadState): Json {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return value.replace(VAR_RE, (whole, escaped: string, name: string) => {
      if (escaped) return whole.slice(1);
      const v = st.env[name];
      if (v === undefined || v === "") {
        st.unresolvedEnv.push(path.join("."));
        return whole;
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, [...path, String(i)], st));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, [...path, k], st);
    return out;
  }
  return value;
}

/** Legacy key names → current names (reference §2.3 / §3.6). Applied only when the new key is absent. */
const LEGACY_RENAMES: [string, string][] = [
  ["browser.ssrfPolicy.allowPrivateNetwork", "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork"],
  ["gateway.nodes.allowCommands", "gateway.nodes.commands.allow"],
  ["gateway.nodes.denyCommands", "gateway.nodes.commands.deny"],
  ["browser.relayBindHost", "browser.extensionRelay.bindHost"],
];

function setPath(obj: JsonObject, path: string[], value: Json): void {
  let cur: JsonObject = obj;
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg];
    if (!isObject(next)) cur[seg] = {};
    cur = cur[seg] as JsonObject;
  }
  cur[path[path.length - 1]!] = value;
}

function migrateLegacy(resolved: JsonObject, legacy: [string, string][]): JsonObject {
  const out = structuredClone(resolved);
  for (const [from, to] of LEGACY_RENAMES) {
    const v = getPath(out, from.split("."));
    if (v === undefined) continue;
    legacy.push([from, to]);
    if (getPath(out, to.split(".")) === undefined) setPath(out, to.split("."), v);
  }
  // agents.list[] (≤ mid-2026) → agents.entries.<id>
  const list = getArray(out, "agents.list");
  if (list) {
    legacy.push(["agents.list", "agents.entries"]);
    const agents = getObject(out, "agents") ?? {};
    const entries: JsonObject = isObject(agents.entries) ? { ...agents.entries } : {};
    for (const a of list)
      if (isObject(a) && typeof a.id === "string" && !(a.id in entries)) entries[a.id] = a;
    setPath(out, ["agents", "entries"], entries);
  }
  // tools.exec.security + ask → tools.exec.mode
  const sec = getString(out, "tools.exec.security");
  if (sec && getString(out, "tools.exec.mode") === undefined) {
    legacy.push(["tools.exec.security", "tools.exec.mode"]);
    const ask = getString(out, "tools.exec.ask");
    const mode =
      sec === "full" && ask !== "always" && ask !== "on-miss" ? "full" : sec === "full" ? "ask" : sec;
    setPath(out, ["tools", "exec", "mode"], mode);
  }
  return out;
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
}

/** Load the config at `path`. A missing file gives empty settings (the gateway's defaults). */
export function loadConfig(path: string, opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const configDir = dirname(path);
  const extraRoots = (env.OPENCLAW_INCLUDE_ROOTS ?? "")
    .split(/[:;,]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => resolve(s));
  const st: LoadState = {
    env,
    roots: [configDir, ...extraRoots],
    files: [],
    errors: [],
    problems: [],
    unresolvedEnv: [],
  };
  // lstat: a dangling symlink exists (and is reported), it is not an absent config to create
  let exists = true;
  try {
    lstatSync(path);
  } catch {
    exists = false;
  }
  let resolved: JsonObject = {};
  if (exists) {
    const parsed = parseFile(path, [], st);
    if (parsed) {
      st.files.unshift(parsed.file);
      if (!isObject(parsed.value))
        addProblem(st, {
          path,
          kind: "not-an-object",
          message: "the top level is not an object (an OpenClaw config is { ... })",
        });
      else {
        try {
          const withIncludes = resolveIncludes(parsed.value, path, [], 0, st);
          const substituted = substituteEnv(withIncludes, [], st);
          if (isObject(substituted)) resolved = substituted;
        } catch (err) {
          // A pathologically deep document overflows the stack in any recursive walk; the
          // gateway could not load it either. Report it instead of crashing the audit.
          if (!(err instanceof RangeError)) throw err;
          addProblem(st, { path, kind: "too-deep", message: `nested too deeply to read (${err.message})` });
        }
      }
    }
  }
  const legacyKeys: [string, string][] = [];
  const effective = migrateLegacy(resolved, legacyKeys);
  // the main file first, includes after, in load order
  const main = st.files.filter((f) => f.path === path && f.mountedAt.length === 0);
  const rest = st.files.filter((f) => !(f.path === path && f.mountedAt.length === 0));
  return {
    path,
    exists,
    files: [...main, ...rest],
    resolved,
    effective,
    unresolvedEnv: st.unresolvedEnv,
    legacyKeys,
    errors: st.errors,
    problems: st.problems,
  };
}

export interface KeyLocation {
  path: string;
  line: number;
  column: number;
  file: ConfigFile;
}

/**
 * Where a key is defined. The main file wins over includes (its sibling keys override
 * included ones); among includes, the later one wins.
 */
export function locate(cfg: LoadedConfig, dotted: string): KeyLocation | null {
  const path = dotted.split(".");
  const [main, ...includes] = cfg.files;
  const order = main ? [main, ...includes.reverse()] : [];
  for (const file of order) {
    if (!file.tree) continue;
    const m = file.mountedAt;
    if (m.length > path.length || m.some((seg, i) => path[i] !== seg)) continue;
    const hit = findNode(file.tree, path.slice(m.length));
    if (!hit) continue;
    const offset = hit.member ? hit.member.keySpan.start : hit.node.start;
    const { line, column } = lineColumn(file.text, offset);
    return { path: file.path, line, column, file };
  }
  return null;
}
