// Taint across the code files of one skill. Each language analyzer turns its syntax tree into
// plain records (FileFlow): assignments, function parameters and returns, calls of functions
// by name, sinks (network, exec, file write) and the sources they read. This module joins the
// files of a skill and propagates taint from secret sources to sinks until nothing changes:
//   - a variable is resolved in its function, then its file, then any other file of the skill
//     (sourced shell scripts, `from collector import x`, shared globals);
//   - a call of a function by name takes the taint of that function's returns, in any file
//     (methods are matched on their last name: `collector.collect_env()` → `collect_env`);
//   - arguments taint the called function's parameters;
//   - a file written with tainted data taints whoever reads that path, in any file or language
//     (one script collects to /tmp/x.json, another sends it).
// Every finding names the source, each hop and the sink with file:line.
import type { Severity } from "../../findings/model.ts";
import type { Confidence } from "../types.ts";

export interface Place {
  file: string;
  line: number;
}

/**
 * secret:   credentials, keys, wallets, browser data, keychains, the whole environment;
 * config:   agent config or .env files a skill often reads for its own keys;
 * download: data received from the network (for droppers and remote commands).
 */
export type SourceKind = "secret" | "config" | "download";

export interface SourceHit {
  kind: SourceKind;
  what: string;
  at: Place;
  /** The name of a secret file, not its contents: it becomes data only once read (readOf). */
  path?: boolean;
}

export type Ref =
  | { v: string }
  | { call: string }
  | { src: SourceHit }
  | { path: string }
  /** The contents of the file(s) the inner refs name: a secret path read becomes secret data. */
  | { readOf: Ref[] };

export interface Assign {
  target: string;
  scope: string;
  refs: Ref[];
  at: Place;
  /** The value is encoded on the way (base64, hex): typical before exfiltration. */
  encodes?: boolean;
}

export interface FuncDef {
  name: string;
  params: string[];
  at: Place;
}

export interface CallSite {
  fn: string;
  scope: string;
  args: Ref[][];
  at: Place;
}

export interface Return {
  fn: string;
  refs: Ref[];
  at: Place;
}

export type SinkKind = "network" | "exec" | "write";

export interface Sink {
  kind: SinkKind;
  /** The call as written or resolved (`fetch`, `requests.post`, `curl`). */
  what: string;
  scope: string;
  refs: Ref[];
  at: Place;
  excerpt: string;
  /** Destination URL or host, folded when constant. */
  dest?: string | null;
  /** Written or executed path, folded when constant. */
  path?: string | null;
  /** The command line an exec sink runs, folded as far as it goes. */
  command?: string | null;
  /** DNS lookups carry data in the name. */
  dns?: boolean;
  /** The data is encoded on its way into this sink (`… | base64 | curl -d @-`). */
  encodes?: boolean;
  /** Where a constant-date comparison guards this sink (a time bomb). */
  gate?: Place | null;
}

export interface FileFlow {
  file: string;
  /** Names resolve across files of the same language only (a JS `key` is not a shell `$key`). */
  lang: string;
  assigns: Assign[];
  funcs: FuncDef[];
  calls: CallSite[];
  returns: Return[];
  sinks: Sink[];
  /** Paths made executable (chmod +x, os.chmod, fs.chmodSync). */
  chmods: { path: string; at: Place }[];
}

export function emptyFlow(file: string, lang: string): FileFlow {
  return { file, lang, assigns: [], funcs: [], calls: [], returns: [], sinks: [], chmods: [] };
}

/** How tainted data got somewhere: its source and the hops after it. */
export interface Taint {
  src: SourceHit;
  hops: { label: string; at: Place }[];
  encoded: boolean;
}

/** A finding the skill context should emit. */
export interface FlowFinding {
  ruleId: string;
  at: Place;
  excerpt: string;
  detail: string;
  severity?: Severity;
  confidence?: Confidence;
}

const RANK: Record<SourceKind, number> = { secret: 3, config: 2, download: 1 };
const MAX_ROUNDS = 12;
const MAX_HOPS = 12;

export const fmtPlace = (p: Place) => `${p.file}:${p.line}`;

/** Is this destination only the local machine? Data sent there does not leave. */
function localOnly(dest: string | null | undefined): boolean {
  if (!dest) return false;
  return /^(?:https?|wss?):\/\/(?:localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)(?:[:/]|$)/i.test(dest);
}

export function chainText(t: Taint, sinkLabel: string, at: Place): string {
  const parts = [`${t.src.what} (${fmtPlace(t.src.at)})`];
  for (const h of t.hops) parts.push(`${h.label} (${fmtPlace(h.at)})`);
  parts.push(`${sinkLabel} (${fmtPlace(at)})`);
  return parts.join(" → ");
}

/** Propagate taint through every file of a skill and judge each sink. */
export function solve(
  files: FileFlow[],
  riskyDest: (dest: string) => string | null = () => null,
): FlowFinding[] {
  // Nothing to propagate: no source anywhere, no date gate (most skills end here).
  const hasSrc = (refs: Ref[]): boolean =>
    refs.some((r) => "src" in r || ("readOf" in r && hasSrc(r.readOf)));
  if (
    !files.some(
      (f) =>
        f.sinks.some((x) => x.gate || hasSrc(x.refs)) ||
        f.assigns.some((a) => hasSrc(a.refs)) ||
        f.returns.some((r) => hasSrc(r.refs)) ||
        f.calls.some((c) => c.args.some(hasSrc)),
    )
  )
    return [];
  const state = new Map<string, Taint>();
  // Which (file, scope, name) triples are defined, for resolving a name.
  const defined = new Set<string>();
  const moduleOwners = new Map<string, string[]>();
  const langOf = new Map(files.map((f) => [f.file, f.lang]));
  const key = (file: string, scope: string, name: string) => `${file}\0${scope}\0${name}`;
  const defs = new Map<string, FuncDef & { file: string }>();
  for (const f of files) {
    for (const a of f.assigns) {
      defined.add(key(f.file, a.scope, a.target));
      if (a.scope === "")
        moduleOwners.set(`${f.lang}\0${a.target}`, [
          ...(moduleOwners.get(`${f.lang}\0${a.target}`) ?? []),
          f.file,
        ]);
    }
    for (const d of f.funcs) {
      for (const p of d.params) defined.add(key(f.file, d.name, p));
      // By file and name (preferred), and by name alone for calls from other files.
      const rec = { ...d, file: f.file };
      defs.set(`${f.file}\0${d.name}`, rec);
      if (!defs.has(`${f.lang}\0${d.name}`)) defs.set(`${f.lang}\0${d.name}`, rec);
    }
  }
  const resolveVar = (file: string, scope: string, name: string): string | null => {
    if (scope && defined.has(key(file, scope, name))) return key(file, scope, name);
    if (defined.has(key(file, "", name))) return key(file, "", name);
    const owners = moduleOwners.get(`${langOf.get(file)}\0${name}`);
    return owners ? key(owners[0]!, "", name) : null;
  };
  // One key per definition: a call from another file reaches the same record.
  const funcKey = (file: string, fn: string) => {
    const d = defs.get(`${file}\0${fn}`) ?? defs.get(`${langOf.get(file)}\0${fn}`);
    return d ? `${d.file}\0${d.name}` : null;
  };
  // Data outranks a mere path of the same kind; secret outranks config outranks download.
  const score = (t: Taint) => RANK[t.src.kind] * 2 + (t.src.path ? 0 : 1);
  const better = (a: Taint | undefined, b: Taint | undefined): Taint | undefined => {
    if (!a) return b;
    if (!b) return a;
    return score(b) > score(a) ? b : a;
  };
  const taintOf = (file: string, scope: string, refs: Ref[]): Taint | undefined => {
    let best: Taint | undefined;
    for (const r of refs) {
      let t: Taint | undefined;
      if ("src" in r) t = { src: r.src, hops: [], encoded: false };
      else if ("v" in r) {
        const k = resolveVar(file, scope, r.v);
        t = k ? state.get(k) : undefined;
      } else if ("call" in r) {
        const fk = funcKey(file, r.call);
        t = fk ? state.get(`ret\0${fk}`) : undefined;
      } else if ("readOf" in r) {
        const inner = taintOf(file, scope, r.readOf);
        t = inner?.src.path
          ? {
              ...inner,
              src: { ...inner.src, path: false, what: inner.src.what.replace(/^references /, "reads ") },
            }
          : inner;
      } else t = state.get(`path\0${r.path}`);
      best = better(best, t);
      if (best?.src.kind === "secret" && !best.src.path) break;
    }
    return best;
  };
  const extend = (t: Taint, label: string, at: Place, encodes = false): Taint => ({
    src: t.src,
    hops: t.hops.length >= MAX_HOPS ? t.hops : [...t.hops, { label, at }],
    encoded: t.encoded || encodes,
  });
  const set = (k: string, t: Taint): boolean => {
    const old = state.get(k);
    if (old && score(old) >= score(t) && (old.encoded || !t.encoded)) return false;
    state.set(k, t);
    return true;
  };

  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const f of files) {
      for (const a of f.assigns) {
        const t = taintOf(f.file, a.scope, a.refs);
        if (t) changed = set(key(f.file, a.scope, a.target), extend(t, a.target, a.at, a.encodes)) || changed;
      }
      for (const r of f.returns) {
        const t = taintOf(f.file, r.fn, r.refs);
        const fk = funcKey(f.file, r.fn);
        if (t && fk) changed = set(`ret\0${fk}`, extend(t, `${r.fn}() returns it`, r.at)) || changed;
      }
      for (const c of f.calls) {
        const fk = funcKey(f.file, c.fn);
        if (!fk) continue;
        const def = defs.get(fk)!;
        // Methods: `self`/`cls` take no argument at the call.
        const params = def.params[0] === "self" || def.params[0] === "cls" ? def.params.slice(1) : def.params;
        c.args.forEach((refs, i) => {
          const p = params[i];
          if (!p) return;
          const t = taintOf(f.file, c.scope, refs);
          if (t) changed = set(key(def.file, def.name, p), extend(t, `${c.fn}(${p})`, c.at)) || changed;
        });
      }
      for (const s of f.sinks) {
        // Device files are not storage: what is written to /dev/null cannot be read back.
        if (s.kind !== "write" || !s.path || /^\/dev\/(?:null|zero|stdout|stderr|tty)$/.test(s.path))
          continue;
        const t = taintOf(f.file, s.scope, s.refs);
        if (t && !t.src.path)
          changed = set(`path\0${s.path}`, extend(t, `written to ${s.path}`, s.at)) || changed;
      }
    }
    if (!changed) break;
  }
  return judge(files, (f, s) => taintOf(f.file, s.scope, s.refs), state, riskyDest);
}

const NET_TOOL = /^(?:curl|wget|nc|ncat|netcat|socat|nslookup|dig|host|ping|ssh|scp|sftp|rsync|ftp|telnet)$/;

function judge(
  files: FileFlow[],
  taintOf: (f: FileFlow, s: Sink) => Taint | undefined,
  state: Map<string, Taint>,
  riskyDest: (dest: string) => string | null,
): FlowFinding[] {
  const out: FlowFinding[] = [];
  const downloadedPaths = new Map<string, { t: Taint; at: Place }>();
  for (const [k, t] of state)
    if (k.startsWith("path\0") && t.src.kind === "download")
      downloadedPaths.set(k.slice(5), { t, at: t.src.at });
  const chmodded = new Map<string, Place>();
  for (const f of files) for (const c of f.chmods) chmodded.set(c.path, c.at);

  for (const f of files) {
    for (const s of f.sinks) {
      const raw = taintOf(f, s);
      // A secret file's name sent somewhere is not its contents.
      const found = raw?.src.path ? undefined : raw;
      const t = found && s.encodes && !found.encoded ? { ...found, encoded: true } : found;
      const firstWord = (s.command ?? "").trim().split(/\s+/)[0]?.split("/").pop() ?? "";
      const network = s.kind === "network" || (s.kind === "exec" && NET_TOOL.test(firstWord));
      const gateNote = s.gate ? `; only after a date check (${fmtPlace(s.gate)})` : "";
      if (t && network && t.src.kind !== "download" && !localOnly(s.dest)) {
        const risky = s.dest ? riskyDest(s.dest) : null;
        const strong =
          t.src.kind === "secret" ||
          t.encoded ||
          risky !== null ||
          s.dns === true ||
          /^(?:nslookup|dig|host)$/.test(firstWord) ||
          !!s.gate;
        const to = s.dest ? ` to ${s.dest}${risky ? ` (${risky})` : ""}` : "";
        out.push({
          ruleId: strong ? "CP-SKILL-CODE-004" : "CP-SKILL-CODE-005",
          at: s.at,
          excerpt: s.excerpt,
          ...(strong ? {} : { severity: "low" as const }),
          detail: `${strong ? "Sends" : "Uses"} ${t.src.what}${to}${t.encoded ? " (encoded first)" : ""}: ${chainText(t, s.what, s.at)}${gateNote}`,
        });
        continue;
      }
      if (t && s.kind === "exec" && t.src.kind === "secret") {
        out.push({
          ruleId: "CP-SKILL-FLOW-001",
          at: s.at,
          excerpt: s.excerpt,
          detail: `A command is built from ${t.src.what}: ${chainText(t, s.what, s.at)}${gateNote}`,
        });
        continue;
      }
      // Downloaded data as the command itself (not an argument of a known program: opening a
      // URL from an API in the browser, or piping JSON into `python3 -c`, is ordinary).
      const unknownProgram = !s.command || /^\s*(?:…|["'`]?\$)/.test(s.command);
      if (t && s.kind === "exec" && t.src.kind === "download" && unknownProgram) {
        out.push({
          ruleId: "CP-SKILL-FLOW-003",
          at: s.at,
          excerpt: s.excerpt,
          severity: "high",
          confidence: "medium",
          detail: `Runs a command received from the network: ${chainText(t, s.what, s.at)}${gateNote}`,
        });
        continue;
      }
      if (t && s.kind === "write" && t.src.kind === "secret") {
        out.push({
          ruleId: "CP-SKILL-FLOW-002",
          at: s.at,
          excerpt: s.excerpt,
          detail: `Writes ${t.src.what} to ${s.path ?? "a file"}: ${chainText(t, s.what, s.at)}`,
        });
        continue;
      }
      if (s.kind === "exec") {
        // Multi-stage dropper: a downloaded file, made executable, is run.
        const cmd = `${s.command ?? ""} ${s.path ?? ""}`;
        for (const [p, d] of downloadedPaths) {
          if (p.length < 3 || !cmd.includes(p)) continue;
          const chmod = chmodded.get(p);
          const steps = chainText(d.t, chmod ? `chmod ${p} (${fmtPlace(chmod)}) → run` : "run", s.at);
          out.push({
            ruleId: "CP-SKILL-FLOW-003",
            at: s.at,
            excerpt: s.excerpt,
            ...(chmod || s.gate ? {} : { severity: "high" as const, confidence: "medium" as const }),
            detail: `Multi-stage dropper: ${steps}${gateNote}`,
          });
          break;
        }
      }
      if (s.gate && (network || s.kind === "exec")) {
        out.push({
          ruleId: "CP-SKILL-FLOW-004",
          at: s.gate,
          excerpt: s.excerpt,
          detail: `${network ? "Network call" : "Command"} ${s.what} (${fmtPlace(s.at)}) runs only after a fixed date`,
        });
      }
    }
  }
  return out;
}
