// What the flow extractors of every language agree on: which constant strings name secret
// material, which calls encode data, and which conditions compare the clock with a fixed date.
import type { FileContext } from "../../context.ts";
import type { Place, Ref, SourceHit } from "../../flow/taint.ts";
import { STRONG_SOURCE, WEAK_SOURCE } from "./patterns.ts";

/** Agent config that holds tokens (gateway auth, channel bot tokens): secret when sent encoded or hidden. */
const AGENT_CONFIG = /\.(?:openclaw|clawdbot|moltbot)[\\/](?:openclaw|clawdbot|moltbot)\.json|auth-profiles/;

/** A source hit when the string names secret material, else null. */
/**
 * The agent's shared secret stores: its .env, every provider's auth profiles, the whole state
 * directory. A file under `credentials/<service>` is usually the skill's own key for its own
 * service, so it counts as config (theft only when hidden: encoded, DNS, date-gated, risky host).
 */
const AGENT_STORE = /\.(?:openclaw|clawdbot|moltbot)[\\/](?:\.env\b|auth-profiles\.json)|auth-profiles\.json/;
const AGENT_DIR = /\.(?:openclaw|clawdbot|moltbot)[\\/]/;

export function pathSource(s: string, at: Place, verb = "reads"): SourceHit | null {
  const hit = pathSourceOf(s, at, verb);
  return hit && verb === "references" ? { ...hit, path: true } : hit;
}

function pathSourceOf(s: string, at: Place, verb: string): SourceHit | null {
  if (s.length > 4096) return null;
  const store = AGENT_STORE.exec(s);
  if (store) return { kind: "secret", what: `${verb} ${store[0]}`, at };
  const strong = STRONG_SOURCE.exec(s);
  if (strong && AGENT_DIR.test(strong[0])) return { kind: "config", what: `${verb} ${strong[0]}`, at };
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

/** Secret-path fragments and source calls: a value without any of these has no source in it. */
const SOURCE_HINT =
  /environ|getenv|\bprocess\b|\benv\b|open\s*\(|read_?[Tt]ext|read_bytes|readFile|createReadStream|readdir|listdir|glob|scandir|copy|\.ssh|\.aws|\.openclaw|\.clawdbot|\.moltbot|\.env\b|\.gnupg|\.kube|\.netrc|\.npmrc|git-credentials|id_rsa|id_ed25519|id_ecdsa|wallet|[Kk]eychain|Login Data|Cookies|Local State|key4\.db|logins\.json|solana|keystore|[Ee]xodus|[Ee]lectrum|auth-profiles|\/etc\/(?:shadow|passwd)|fetch|axios|\bgot\b|request|https?\.|urlopen|urllib|httpx|aiohttp|socket|dns\b|WebSocket|XMLHttpRequest/;

const JS_WORDS = new Set(
  "await async new typeof instanceof void delete in of true false null undefined this function return if else const let var yield class extends super import export default".split(
    " ",
  ),
);
const PY_WORDS = new Set(
  "and or not is in if else for lambda None True False await async yield return from import as with def class del global nonlocal assert pass".split(
    " ",
  ),
);

/**
 * The variables and called functions a value expression mentions, read from its text: the
 * cheap path for values with no source in them (see SOURCE_HINT), which are most of them.
 * String literals are dropped except for their `${…}` / `{…}` substitutions.
 */
export function refsFromText(text: string, py: boolean): Ref[] | null {
  if (text.length > 4000 || SOURCE_HINT.test(text)) return null;
  const code = text
    .replace(/`(?:[^`\\]|\\.)*`/g, (m) => (m.match(/\$\{[^}]*\}/g) ?? []).join(" "))
    .replace(/\b[fF][rR]?(["'])(?:[^"'\\]|\\.)*?\1/g, (m) => (m.match(/\{[^}]*\}/g) ?? []).join(" "))
    .replace(/(["'])(?:(?!\1)[^\\]|\\.)*?\1/g, " ")
    .replace(/#.*$|\/\/.*$/gm, " ");
  const out: Ref[] = [];
  const words = py ? PY_WORDS : JS_WORDS;
  const re = /(\.\s*)?\b([A-Za-z_$][\w$]*)\b(\s*\()?(\s*=(?!=))?/g;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) {
    const [, dot, name, call, kwarg] = m;
    if (kwarg || words.has(name!)) continue;
    if (call) out.push({ call: name! });
    if (dot) {
      if (py && /self\.\s*$/.test(code.slice(Math.max(0, m.index - 5), m.index + 1)))
        out.push({ v: `self.${name}` });
      continue;
    }
    if (!call) out.push({ v: name! });
  }
  return out;
}
