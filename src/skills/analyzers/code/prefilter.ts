// Which code files need a syntax tree, and the cheap pattern-only facts (env vars read,
// network programs run, obfuscator identifiers) gathered without one.
import type { CodeLang } from "../../ast.ts";
import type { FileContext } from "../../context.ts";
import { AGENT_FILE_NAMES } from "../../indicators.ts";
import { KeywordSet } from "../../prefilter.ts";
import { AGENT_LITERAL, PERSIST_LITERAL, SECRET_ENV, STRONG_SOURCE, WEAK_SOURCE } from "./patterns.ts";

/**
 * What in a file makes a syntax tree worth building. Parsing costs far more than the text
 * rules, so a tree is built only when some tree rule could report something: a spawn next
 * to a download/decode token, dynamic evaluation, computed imports, secret material next
 * to a network client, or a persistence path next to a file write.
 */
const SUSPECT_ARG =
  /\b(?:curl|wget|powershell|pwsh|iex|osascript|ncat|base64|b64decode|atob|fromCharCode|fromhex|unhexlify|xattr|launchctl|crontab)\b|\b(?:ba|z)?sh\s+-c\b|\bnc\s+-|Buffer\.from\([^)]*(?:base64|hex)/;
const JS_SPAWN = /child_process|execa|Bun\.spawn|Deno\.Command/;
const JS_EVAL =
  /\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*["'`]|\bvm\.(?:run|Script|compileFunction)|\bset(?:Timeout|Interval)\s*\(\s*["'`]|\bimport\s*\(\s*[^'"`\s)]|\bimport\s*\(\s*["'`](?:data:|https?:)|\brequire\s*\(\s*[^'"`\s)]/;
const PY_SPAWN = /subprocess|os\.(?:system|popen|exec|spawn|posix_spawn)|\bpty\b|create_subprocess/;
const PY_EVAL =
  /(?<![.\w])(?:eval|exec|compile|execfile)\s*\(|__import__|import_module|marshal\.loads|socket\.socket/;
const WHOLE_ENV = /(?:process\.env|os\.environ)\s*\)/;
const RISKY_DEST = /https?:\/\/\d|webhook|pastebin|ngrok|glot\.io/i;
const FILE_WRITE = /writeFile|appendFile|createWriteStream|write_text|open\s*\(|crontab|launchctl|schtasks/;
const NET_CLIENT =
  /\bfetch\s*\(|axios|\bgot\b|https?\.(?:request|get)|XMLHttpRequest|WebSocket|sendBeacon|net\.connect|requests\.|urllib|http\.client|httpx|aiohttp|smtplib|socket\b/;
const SH_NEED =
  /\b(?:curl|wget|nslookup|dig|nc|ncat|socat|printenv)\b|\beval\b|\bsource\b|\/dev\/(?:tcp|udp)\/|base64|\.ssh\/|\.aws\/|\.(?:openclaw|clawdbot|moltbot)\b|[Kk]eychain|wallet/;
const SH_NET =
  /(?:^|[|;&(`]|\$\()[ \t]*(?:sudo[ \t]+)?(curl|wget|nc|ncat|netcat|socat|ssh|scp|sftp|rsync|ftp|telnet)\b/gm;
export const OBF_ID = /\b_0x[0-9a-f]{4,6}\b/g;
const PY_ENV_READ =
  /os\.environ\s*\[\s*["']([A-Za-z_][\w]*)["']|os\.(?:environ\.get|getenv)\(\s*["']([A-Za-z_][\w]*)["']/g;
const JS_ENV_READ = /process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*["'`]([^"'`]+)["'`]\s*\])/g;

/**
 * The regexes above run over whole files, and most of them are long alternations that the
 * regex engine has to try at every position. Each is paired with literals of which every
 * match contains at least one (ASCII case-insensitively); one keyword pass over the file
 * says which literals occur, and a regex none of whose literals occur is not run. Keep a
 * regex and its literals in step when editing either.
 */
interface Guarded {
  re: RegExp;
  literals: readonly string[];
  ids: number[];
}
function guarded(re: RegExp, literals: readonly string[]): Guarded {
  return { re, literals, ids: [] };
}
export const G = {
  strong: guarded(STRONG_SOURCE, [
    ".ssh",
    "id_rsa",
    "id_ed25519",
    "id_ecdsa",
    ".aws",
    ".openclaw",
    ".clawdbot",
    ".moltbot",
    "auth-profiles.json",
    "keychains",
    "login.keychain",
    "login data",
    "cookies",
    "key4.db",
    "logins.json",
    "wallet.dat",
    "exodus",
    "electrum",
    "nkbihfbeogaeaoehlefnkodbefgpgknn",
    "solana",
    "keystore",
    ".gnupg",
    ".kube",
    ".npmrc",
    ".netrc",
    ".git-credentials",
    "/etc/shadow",
    "local state",
  ]),
  weak: guarded(WEAK_SOURCE, [".env", ".openclaw", ".clawdbot", ".moltbot", "/etc/passwd"]),
  wholeEnv: guarded(WHOLE_ENV, ["process.env", "os.environ"]),
  riskyDest: guarded(RISKY_DEST, [
    ...[..."0123456789"].map((d) => `://${d}`),
    "webhook",
    "pastebin",
    "ngrok",
    "glot.io",
  ]),
  net: guarded(NET_CLIENT, [
    "fetch",
    "axios",
    "got",
    "http.request",
    "https.request",
    "http.get",
    "https.get",
    "xmlhttprequest",
    "websocket",
    "sendbeacon",
    "net.connect",
    "requests.",
    "urllib",
    "http.client",
    "httpx",
    "aiohttp",
    "smtplib",
    "socket",
  ]),
  persist: guarded(PERSIST_LITERAL, [
    ".bashrc",
    ".bash_profile",
    ".zshrc",
    ".zprofile",
    ".profile",
    ".zshenv",
    "launchagents",
    "launchdaemons",
    "systemd",
    "/etc/cron",
    "crontab",
    "authorized_keys",
    "currentversion",
    "/etc/rc.local",
    "ld.so.preload",
  ]),
  agent: guarded(AGENT_LITERAL, AGENT_FILE_NAMES),
  write: guarded(FILE_WRITE, [
    "writefile",
    "appendfile",
    "createwritestream",
    "write_text",
    "open",
    "crontab",
    "launchctl",
    "schtasks",
  ]),
  jsSpawn: guarded(JS_SPAWN, ["child_process", "execa", "bun.spawn", "deno.command"]),
  jsEval: guarded(JS_EVAL, ["eval", "function", "vm.", "settimeout", "setinterval", "import", "require"]),
  pySpawn: guarded(PY_SPAWN, [
    "subprocess",
    "os.system",
    "os.popen",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "pty",
  ]),
  pyEval: guarded(PY_EVAL, [
    "eval",
    "exec",
    "compile",
    "__import__",
    "import_module",
    "marshal.loads",
    "socket.socket",
  ]),
  obf: guarded(OBF_ID, ["_0x"]),
  pyEnvRead: guarded(PY_ENV_READ, ["os.environ", "os.getenv"]),
  jsEnvRead: guarded(JS_ENV_READ, ["process.env"]),
};
const GUARD_WORDS = new KeywordSet(Object.values(G).flatMap((g) => g.literals));
for (const g of Object.values(G)) g.ids = g.literals.map((k) => GUARD_WORDS.idOf(k));

/** The guard literals present in one file, found on first use. */
export class Literals {
  private seen: Uint8Array | null = null;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  /** False when `g.re` cannot match this file. */
  may(g: Guarded): boolean {
    this.seen ??= GUARD_WORDS.scan(this.text);
    const seen = this.seen;
    return g.ids.some((id) => seen[id] === 1);
  }
  /** `g.re.test(text)`, skipped when none of its literals occur (non-global regexes only). */
  test(g: Guarded): boolean {
    return this.may(g) && g.re.test(this.text);
  }
}

const ENV_WALK =
  /os\.environ\.(?:items|values|copy)\b|process\.env\s*\)|\.\.\.process\.env\b|\*\*os\.environ\b/;
const DNS_TOOL = /\b(?:nslookup|dig|gethostbyname|getaddrinfo|dns\.(?:lookup|resolve))\b/;
/** Calls through computed names on global objects, decoding: names that may be built. */
const JS_FOLD =
  /\b(?:global|globalThis|window|self|process)\s*\[|fromCharCode|fromCodePoint|\batob\s*\(|Buffer\.from\s*\([^)]*["'`](?:base64|hex)|\brequire\s*\(\s*[^'"`\s)]/;
const PY_FOLD =
  /__import__|import_module\s*\(\s*[^'"\s)]|b64decode|b85decode|fromhex|unhexlify|bytes\s*\(\s*\[|\bgetattr\s*\(\s*(?:__import__|__builtins__|builtins|os|sys|subprocess|importlib)\b/;
/** Weaker signs (computed calls, reversal, chr) that count only next to short string pieces. */
const JS_FOLD_WEAK = /[\w$]\s*\[\s*[\w$]+\s*\]\s*\(/;
const PY_FOLD_WEAK = /\bgetattr\s*\(|\[::-1\]|\bchr\s*\(/;
const SPLIT = /["'`][\w.]{1,8}["'`]\s*\+\s*["'`][\w.]{1,8}["'`]|\]\s*\.join\(\s*(["'`])\1\s*\)/;
/** The agent's shared secret stores (see sources.ts): its .env and auth profiles. */
const AGENT_STORE_TEXT = /\.(?:openclaw|clawdbot|moltbot)[\\/]\.env\b|auth-profiles\.json/;
/** `.env` as a file name, not `process.env`. */
const WEAK_PATH = /(?<![\w$])\.env\b|\.openclaw|\.clawdbot|\.moltbot|\/etc\/passwd/;
/** A clock compared with a fixed date needs one: an epoch literal or a date. */
const FIXED_DATE =
  /\b1[5-9]\d{8}(?:\d{3})?\b|\b20[2-9]\d-[01]\d-[0-3]\d\b|\b(?:datetime|date|Date\.UTC|new Date)\s*\(\s*20[2-9]\d\s*,/;
const CLOCK = /Date\.now\s*\(|new Date\s*\(\s*\)|datetime\.(?:now|today|utcnow)|date\.today|time\.time\s*\(/;
const PATH_BUILD = /["'`]\s*\+\s*["'`]|path\.join\s*\(|Path\.home|homedir\s*\(|expanduser/;
const DOWNLOAD_RUN = /urlretrieve|writeFile|write_bytes|open\s*\([^)]*["']wb/;

/** Does the file need a syntax tree (see SUSPECT_ARG)? */
/** Does the text name secret material a flow could start from (for the cross-file pass)? */
export function mentionsSource(text: string, lit: Literals): boolean {
  return lit.test(G.strong) || lit.test(G.wholeEnv) || ENV_WALK.test(text) || AGENT_STORE_TEXT.test(text);
}

/**
 * Does the data-flow pass have anything to start from in this file on its own: a source
 * (secret path, environment, download), a name that may be built at run time, a chmod or a
 * clock? Files without any are given to it only when another file of the skill has a source.
 */
export function needsFlow(text: string, lang: CodeLang, lit: Literals): boolean {
  if (lang === "bash") return true;
  const py = lang === "python";
  return (
    mentionsSource(text, lit) ||
    WEAK_PATH.test(text) ||
    lit.test(G.net) ||
    (py ? PY_FOLD : JS_FOLD).test(text) ||
    ((py ? PY_FOLD_WEAK : JS_FOLD_WEAK).test(text) && SPLIT.test(text)) ||
    /chmod/.test(text) ||
    (CLOCK.test(text) && FIXED_DATE.test(text))
  );
}

export function needsTree(text: string, lang: CodeLang, lit: Literals): boolean {
  if (lang === "bash") return SH_NEED.test(text);
  const own =
    lang === "python"
      ? (lit.test(G.pySpawn) && SUSPECT_ARG.test(text)) || lit.test(G.pyEval)
      : (lit.test(G.jsSpawn) && SUSPECT_ARG.test(text)) || lit.test(G.jsEval);
  // Strong secret material needs a tree on its own; weaker sources only next to a network
  // client; persistence or agent paths only next to a file write.
  // Names and strings built at run time (`global[x](`, `getattr(`, joins, decoding) can hide
  // any of the above from the literal checks, so they need a tree too; so does agent config
  // or a whole-environment walk next to anything that can send or run.
  const py = lang === "python";
  const sends = lit.test(G.net) || (py ? lit.test(G.pySpawn) : lit.test(G.jsSpawn)) || DNS_TOOL.test(text);
  return (
    own ||
    lit.test(G.strong) ||
    ((lit.test(G.wholeEnv) || ENV_WALK.test(text) || WEAK_PATH.test(text)) && sends) ||
    ((lit.test(G.persist) || lit.test(G.agent)) && lit.test(G.write)) ||
    (py ? PY_FOLD : JS_FOLD).test(text) ||
    ((py ? PY_FOLD_WEAK : JS_FOLD_WEAK).test(text) && SPLIT.test(text)) ||
    (DOWNLOAD_RUN.test(text) && /chmod/.test(text)) ||
    // Something downloaded may be run: a network client and process spawning together.
    (lit.test(G.net) && (py ? lit.test(G.pySpawn) : lit.test(G.jsSpawn))) ||
    (CLOCK.test(text) &&
      FIXED_DATE.test(text) &&
      (sends || lit.test(G.pyEval) || lit.test(G.jsEval) || /os\.system|os\.popen/.test(text))) ||
    // A secret path split into pieces ('/.aws/' + 'credentials', path.join(home, '.ssh', …)).
    ((lit.may(G.strong) || WEAK_PATH.test(text)) && PATH_BUILD.test(text))
  );
}

/** Env var reads by pattern: cheaper than a tree and good enough for the declaration check. */
export function recordEnvReads(fc: FileContext, lang: CodeLang, lit: Literals): void {
  const g = lang === "python" ? G.pyEnvRead : lang === "bash" ? null : G.jsEnvRead;
  if (g && !lit.may(g)) return;
  const re = g ? g.re : /\$\{?([A-Z][A-Z0-9_]*)/g;
  re.lastIndex = 0;
  for (let m = re.exec(fc.text); m !== null; m = re.exec(fc.text)) {
    const name = m[1] ?? m[2] ?? "";
    if (!name || fc.skill.facts.envReads.has(name)) continue;
    if (lang === "bash" && !SECRET_ENV.test(name)) continue;
    fc.skill.facts.envReads.set(name, { file: fc.file.display, line: fc.lineOf(m.index) });
  }
  if (lang === "bash") {
    SH_NET.lastIndex = 0;
    for (let m = SH_NET.exec(fc.text); m !== null; m = SH_NET.exec(fc.text)) {
      const bin = m[1]!;
      if (!fc.skill.facts.binsRun.has(bin))
        fc.skill.facts.binsRun.set(bin, { file: fc.file.display, line: fc.lineOf(m.index) });
    }
  }
}
