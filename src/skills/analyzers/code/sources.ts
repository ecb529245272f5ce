// What the flow extractors of every language agree on: which constant strings name secret
// material, which calls encode data, and which conditions compare the clock with a fixed date.
import type { FileContext } from "../../context.ts";
import type { Place, SourceHit } from "../../flow/taint.ts";
import { STRONG_SOURCE, WEAK_SOURCE } from "./patterns.ts";

/** Agent config that holds tokens (gateway auth, channel bot tokens): secret when sent encoded or hidden. */
const AGENT_CONFIG = /\.(?:openclaw|clawdbot|moltbot)[\\/](?:openclaw|clawdbot|moltbot)\.json|auth-profiles/;

/** A source hit when the string names secret material, else null. */
export function pathSource(s: string, at: Place, verb = "reads"): SourceHit | null {
  if (s.length > 4096) return null;
  const strong = STRONG_SOURCE.exec(s);
  if (strong) return { kind: "secret", what: `${verb} ${strong[0]}`, at };
  const cfg = AGENT_CONFIG.exec(s) ?? WEAK_SOURCE.exec(s);
  if (cfg) return { kind: "config", what: `${verb} ${cfg[0]}`, at };
  return null;
}

export function wholeEnv(at: Place): SourceHit {
  return { kind: "secret", what: "the whole environment", at };
}

export function downloaded(what: string, at: Place): SourceHit {
  return { kind: "download", what: `data downloaded by ${what}`, at };
}

/** The value is encoded on the way: base64 / hex / compression, as stealers do before sending. */
export const ENCODES =
  /toString\(\s*["'`](?:base64|hex)["'`]|\bbtoa\s*\(|b64encode|b32encode|hexlify|\.hex\(\)|\bbase64\b(?!\s+-d)|\bxxd\b(?!\s+-r)|zlib\.compress|gzip\.compress/;

const CLOCK =
  /Date\.now\s*\(|new\s+Date\s*\(\s*\)|\.getTime\s*\(|datetime\.(?:now|today|utcnow)\s*\(|date\.today\s*\(|time\.time\s*\(|\$\(\s*date\b|`date\b/;
const FIXED_DATE =
  /\b1[5-9]\d{8}(?:\d{3})?\b|\b20[2-9]\d[-/](?:0?[1-9]|1[0-2])[-/](?:0?[1-9]|[12]\d|3[01])\b|\b(?:datetime|date|Date\.UTC|new\s+Date)\s*\(\s*20[2-9]\d\s*,/;

/**
 * Does this condition compare the clock with a fixed date? `resolve` folds a name to its
 * constant value, so `Date.now() > START` with `START = 1739577600000` counts.
 */
export function isDateGate(cond: string, resolve: (name: string) => string | null): boolean {
  if (cond.length > 2000 || !CLOCK.test(cond)) return false;
  if (FIXED_DATE.test(cond)) return true;
  for (const id of new Set(cond.match(/\b[A-Za-z_$][\w$]*\b/g) ?? [])) {
    const v = resolve(id);
    if (v !== null && FIXED_DATE.test(v)) return true;
  }
  return false;
}

/** `~`-relative view of paths built from the home directory, for matching. */
export function homePath(s: string): string {
  return s.replace(/^(?:\$HOME|\$\{HOME\}|%USERPROFILE%|%APPDATA%)/, "~");
}

/** Calls worth hiding: evaluation, process spawning, module loading, network. */
export const DANGEROUS_NAME =
  /^(?:eval|exec|execfile|compile|Function|fetch|__import__|(?:child_process|subprocess|os|pty|commands)\.\w+|importlib\.import_module|requests\.\w+|urllib\.request\.\w+|socket\.\w+|https?\.(?:request|get)|vm\.\w+)$/;

/**
 * A dangerous name whose last part is written nowhere in the file was assembled at run time
 * (string pieces, join, decoding): report it where it is called.
 */
export function hiddenName(fc: FileContext, name: string | null, at: number, excerpt: string): void {
  if (!name || !DANGEROUS_NAME.test(name)) return;
  const parts = name.split(".");
  const last = parts.at(-1)!;
  const module = parts.length > 1 ? parts[0]! : "";
  // Either the function or its module must be missing from the text for the name to be built.
  if (fc.text.includes(last) && (!module || fc.text.includes(module))) return;
  fc.emitAt("CP-SKILL-OBF-004", at, excerpt, {
    detail: `${excerpt.slice(0, 60)} calls ${name}, a name built at run time`,
  });
}
