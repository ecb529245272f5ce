// Code analysis by syntax tree (ast-grep): process spawning, dynamic evaluation, dynamic
// imports, network calls fed from sensitive sources (a one-function, name-based taint
// check), persistence writes, obfuscation, and the env vars / programs the code uses
// (for the metadata-vs-behaviour checks). Text rules run over code files too; this
// analyzer adds what needs structure.
import type { SgNode, SgRoot } from "@ast-grep/napi";
import { type CodeLang, parseCode } from "../ast.ts";
import type { FileContext } from "../context.ts";
import { AGENT_FILE_NAMES, judgeUrlIn } from "../indicators.ts";
import { KeywordSet } from "../prefilter.ts";

const SHELL_DL =
  /\b(?:curl|wget|iwr|invoke-webrequest|irm|bitsadmin|certutil)\b|\b(?:ba|z)?sh\s+-c\b|\bpowershell\b|\bpwsh\b|\biex\b|\bnc\s+-|\bosascript\b/i;
const DECODE_JS =
  /\batob\s*\(|Buffer\.from\s*\([^)]*,\s*["'`](?:base64|base64url|hex)["'`]|fromCharCode|decodeURIComponent|unescape\s*\(|inflate|gunzip|brotliDecompress|\.reverse\(\)\.join/;
const REMOTE_JS =
  /\bfetch\s*\(|\.text\s*\(\s*\)|\.data\b|axios|\bgot\s*\(|https?\.get\s*\(|response|\bres\.body\b/;
const DECODE_PY =
  /b64decode|b32decode|b85decode|a85decode|codecs\.decode|zlib\.decompress|marshal\.loads|bytes\.fromhex|unhexlify|bz2\.decompress|lzma\.decompress|\[::-1\]/;
const REMOTE_PY = /urlopen|requests\.(?:get|post)|httpx\.|urllib|http\.client/;

/** Secret material whose flow to the network is theft whatever the destination. */
const STRONG_SOURCE =
  /\.ssh[\\/](?:id_|identity)|\bid_(?:rsa|ed25519|ecdsa)\b|\.aws[\\/]credentials|\.(?:openclaw|clawdbot|moltbot)[\\/](?:\.env|credentials|auth-profiles|identity|devices)|auth-profiles\.json|Keychains[\\/]|login\.keychain|Login Data|Default[\\/]Cookies|key4\.db|logins\.json|wallet\.dat|exodus\.wallet|Exodus[\\/]|Electrum[\\/]|electrum[\\/]wallets|nkbihfbeogaeaoehlefnkodbefgpgknn|solana[\\/]id\.json|keystore[\\/]UTC--|\.gnupg[\\/]|\.kube[\\/]config|\.npmrc\b|\.netrc\b|\.git-credentials|\/etc\/shadow|Local State/;
/** Config a skill often reads for its own keys: only suspicious when sent somewhere risky. */
const WEAK_SOURCE = /\.env\b|\.openclaw|\.clawdbot|\.moltbot|\/etc\/passwd/;
const SENSITIVE_LITERAL = new RegExp(`${STRONG_SOURCE.source}|${WEAK_SOURCE.source}`);
const PERSIST_LITERAL =
  /\.(?:bashrc|bash_profile|zshrc|zprofile|profile|zshenv)\b|LaunchAgents|LaunchDaemons|systemd[\\/](?:user|system)|\/etc\/cron|crontab|authorized_keys|CurrentVersion\\+Run|\/etc\/rc\.local|ld\.so\.preload/;
const AGENT_LITERAL =
  /\b(?:SOUL|MEMORY|AGENTS|HEARTBEAT|IDENTITY|BOOTSTRAP)\.md\b|\b(?:openclaw|clawdbot|moltbot)\.json\b/;
const SECRET_ENV =
  /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH|COOKIE|SESSION|PRIVATE_KEY|MNEMONIC|SEED|PAT)(?:$|_)/i;

/** `field()` without ast-grep's per-language static typing (we handle several grammars). */
function fieldOf(n: SgNode, name: string): SgNode | null {
  return (n.field as unknown as (this: SgNode, f: string) => SgNode | null).call(n, name);
}

function kindOf(n: SgNode): string {
  return String(n.kind());
}

interface Source {
  node: SgNode;
  what: string;
  /** Strong: keys, wallets, browser data, keychain, whole env, OpenClaw secrets. */
  strong: boolean;
}

function source(node: SgNode, text: string, verb: string): Source {
  const strong = STRONG_SOURCE.exec(text);
  const any = strong ?? SENSITIVE_LITERAL.exec(text);
  return { node, what: `${verb} ${any ? any[0] : "a sensitive path"}`, strong: strong !== null };
}

function offsetOf(n: SgNode): number {
  return n.range().start.index;
}

function isStringNode(n: SgNode | null): boolean {
  if (!n) return false;
  const k = n.kind();
  return k === "string" || k === "template_string" || k === "string_literal" || k === "raw_string";
}

function enclosingScope(n: SgNode, kinds: Set<string>): SgNode | null {
  for (const a of n.ancestors()) if (kinds.has(kindOf(a))) return a;
  return null;
}

const JS_FUNCS = new Set([
  "function_declaration",
  "function_expression",
  "arrow_function",
  "method_definition",
  "generator_function_declaration",
  "function",
]);
const PY_FUNCS = new Set(["function_definition", "lambda"]);

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
const SH_NEED = /\b(?:curl|wget)\b|\beval\b|\bsource\b/;
const SH_NET =
  /(?:^|[|;&(`]|\$\()[ \t]*(?:sudo[ \t]+)?(curl|wget|nc|ncat|netcat|socat|ssh|scp|sftp|rsync|ftp|telnet)\b/gm;
const OBF_ID = /\b_0x[0-9a-f]{4,6}\b/g;
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
const G = {
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
class Literals {
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

/** Does the file need a syntax tree (see SUSPECT_ARG)? */
function needsTree(text: string, lang: CodeLang, lit: Literals): boolean {
  if (lang === "bash") return SH_NEED.test(text);
  const own =
    lang === "python"
      ? (lit.test(G.pySpawn) && SUSPECT_ARG.test(text)) || lit.test(G.pyEval)
      : (lit.test(G.jsSpawn) && SUSPECT_ARG.test(text)) || lit.test(G.jsEval);
  // Strong secret material needs a tree on its own; weaker sources only next to a network
  // client; persistence or agent paths only next to a file write.
  return (
    own ||
    lit.test(G.strong) ||
    ((lit.test(G.wholeEnv) || (lit.test(G.weak) && lit.test(G.riskyDest))) && lit.test(G.net)) ||
    ((lit.test(G.persist) || lit.test(G.agent)) && lit.test(G.write))
  );
}

/** Env var reads by pattern: cheaper than a tree and good enough for the declaration check. */
function recordEnvReads(fc: FileContext, lang: CodeLang, lit: Literals): void {
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

/** Analyse one code file; returns true when a syntax tree was built. */
export function analyzeCode(fc: FileContext, lang: CodeLang): boolean {
  const text = fc.text;
  const lit = new Literals(text);
  recordEnvReads(fc, lang, lit);
  if (lang !== "python" && lang !== "bash" && lit.may(G.obf)) {
    // Obfuscator.io style identifiers: a count, no tree needed.
    const obf = text.match(OBF_ID);
    if (obf && obf.length >= 20)
      fc.emitAt("CP-SKILL-OBF-002", text.search(OBF_ID), obf[0]!, {
        detail: `${obf.length} _0x… identifiers (obfuscator output)`,
      });
  }
  if (!needsTree(text, lang, lit)) return false;
  const root = parseCode(lang, text);
  if (!root) return false;
  if (lang === "python") analyzePython(fc, root);
  else if (lang === "bash") analyzeShell(fc, root);
  else analyzeJs(fc, root);
  return true;
}

/** Name → assigned value texts, built once per file on first use. */
class Decls {
  private map: Map<string, string[]> | null = null;
  private readonly top: SgNode;
  private readonly kinds: string[];
  constructor(top: SgNode, kinds: string[]) {
    this.top = top;
    this.kinds = kinds;
  }
  values(name: string): string[] {
    if (!this.map) {
      this.map = new Map();
      for (const d of this.top.findAll({ rule: { any: this.kinds.map((kind) => ({ kind })) } })) {
        const left = (fieldOf(d, "name") ?? fieldOf(d, "left"))?.text() ?? "";
        const value = (fieldOf(d, "value") ?? fieldOf(d, "right"))?.text() ?? "";
        if (!/^[A-Za-z_$][\w$]*$/.test(left)) continue;
        const list = this.map.get(left) ?? [];
        list.push(value);
        this.map.set(left, list);
      }
    }
    return this.map.get(name) ?? [];
  }
  /** Does an identifier in `text` resolve (one hop) to a value matching `re`? */
  resolves(text: string, re: RegExp): boolean {
    const ids = text.match(/\b[A-Za-z_$][\w$]*\b/g);
    if (!ids) return false;
    for (const id of new Set(ids)) if (id.length >= 2 && this.values(id).some((v) => re.test(v))) return true;
    return false;
  }
}

// ── JavaScript / TypeScript ─────────────────────────────────────────────────────────
const SPAWN_METHODS = new Set(["exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork"]);

function analyzeJs(fc: FileContext, root: SgRoot): void {
  const top = root.root();
  const text = fc.text;
  // Bindings of child_process (and execa).
  const cpNamespaces = new Set<string>(["child_process"]);
  const cpFunctions = new Map<string, string>();
  const bindRe =
    /(?:import\s+(?:\*\s+as\s+)?(\w+)\s+from\s*|import\s*\{([^}]*)\}\s*from\s*|(?:const|let|var)\s+(\w+)\s*=\s*(?:await\s+)?(?:require|import)\s*\(\s*|(?:const|let|var)\s*\{([^}]*)\}\s*=\s*(?:await\s+)?(?:require|import)\s*\(\s*)["'](?:node:)?(child_process|execa)["']/g;
  for (let m = bindRe.exec(text); m !== null; m = bindRe.exec(text)) {
    const mod = m[5];
    const ns = m[1] ?? m[3];
    const named = m[2] ?? m[4];
    if (ns) {
      if (mod === "execa") cpFunctions.set(ns, "execa");
      else cpNamespaces.add(ns);
    }
    if (named)
      for (const spec of named.split(",")) {
        const parts = spec
          .trim()
          .split(/\s+as\s+|\s*:\s*/)
          .map((s) => s.trim());
        const orig = parts[0] ?? "";
        const alias = parts[1] ?? orig;
        if (mod === "execa" || SPAWN_METHODS.has(orig)) cpFunctions.set(alias, orig);
      }
  }

  const programs: string[] = [];
  let firstSpawn: number | null = null;
  const sources: Source[] = [];
  const sinks: SgNode[] = [];
  let hasWrite = false;

  const decls = new Decls(top, ["variable_declarator", "assignment_expression"]);
  const esc = (x: string) => x.replace(/[$.]/g, "\\$&");
  const aliasAlt = [...cpFunctions.keys()].map(esc).join("|");
  // Only calls that some rule cares about cross the native boundary.
  const CALLS = `(?:^|\\.)(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork|eval|Function|runInThisContext|runInNewContext|runInContext|compileFunction|setTimeout|setInterval|require|readFile|readFileSync|createReadStream|readdir|readdirSync|opendir|writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|copyFile|copyFileSync${/process\.env\s*\)/.test(text) ? "|stringify|entries|keys|values" : ""}${aliasAlt ? `|${aliasAlt}` : ""})$`;
  const interesting = top.findAll({
    rule: {
      any: [
        { kind: "call_expression", has: { field: "function", regex: CALLS } },
        { kind: "call_expression", has: { field: "function", kind: "import" } },
        {
          kind: "new_expression",
          has: { field: "constructor", regex: "^(?:Function|vm\\.Script|Deno\\.Command)$" },
        },
      ],
    },
  });
  for (const call of interesting) {
    const fn = fieldOf(call, "function") ?? fieldOf(call, "constructor");
    if (!fn) continue;
    const fnText = fn.text();
    const args = fieldOf(call, "arguments");
    const argsText = args ? args.text() : "";
    const isNew = call.kind() === "new_expression";
    // Process spawning.
    let spawnName: string | null = null;
    if (!isNew) {
      if (fn.kind() === "identifier" && cpFunctions.has(fnText)) spawnName = cpFunctions.get(fnText)!;
      else if (fn.kind() === "member_expression") {
        const obj = fieldOf(fn, "object")?.text() ?? "";
        const prop = fieldOf(fn, "property")?.text() ?? "";
        if (
          SPAWN_METHODS.has(prop) &&
          (cpNamespaces.has(obj) || /require\(\s*["'](?:node:)?child_process["']\s*\)/.test(obj))
        )
          spawnName = prop;
        else if (/^Bun$/.test(obj) && prop === "spawn") spawnName = "Bun.spawn";
      }
    } else if (/^Deno\.Command$/.test(fnText)) spawnName = "Deno.Command";
    if (spawnName) {
      firstSpawn ??= offsetOf(call);
      const firstArg = args?.namedChildren()[0] ?? null;
      if (firstArg && isStringNode(firstArg)) {
        const prog = firstArg.text().slice(1, -1).trim().split(/\s+/)[0] ?? "";
        if (prog) {
          programs.push(prog);
          const base = prog.split("/").pop()!;
          if (!fc.skill.facts.binsRun.has(base))
            fc.skill.facts.binsRun.set(base, { file: fc.file.display, line: fc.lineOf(offsetOf(call)) });
        }
      }
      const decoded = DECODE_JS.test(argsText) || decls.resolves(argsText, DECODE_JS);
      if (SHELL_DL.test(argsText) || decoded) {
        const url = judgeUrlIn(argsText, fc.skill.iocs);
        const risky = url && (url.risk === "risky" || url.risk === "ioc");
        fc.emitAt("CP-SKILL-EXEC-010", offsetOf(call), call.text(), {
          ...(decoded || risky ? { severity: "critical" as const, confidence: "high" as const } : {}),
          detail: decoded
            ? `${spawnName}() runs a command built from decoded data`
            : `${spawnName}() runs a download or shell command${url ? ` (${url.url}: ${url.reason})` : ""}`,
        });
        if (risky)
          fc.emitAt("CP-SKILL-CHAIN-002", offsetOf(call), call.text(), {
            detail: `${spawnName}() fetches and runs code from ${url.url} (${url.reason})`,
          });
      }
      continue;
    }
    // Dynamic evaluation.
    const evalLike =
      (!isNew && fnText === "eval") ||
      (isNew && fnText === "Function") ||
      (!isNew && fnText === "Function") ||
      /^vm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction)$/.test(fnText) ||
      (isNew && /^vm\.Script$/.test(fnText)) ||
      (!isNew &&
        /^(?:setTimeout|setInterval)$/.test(fnText) &&
        isStringNode(args?.namedChildren()[0] ?? null));
    // `Function("return this")` is the classic globalThis shim, not dynamic code.
    if (evalLike && /^\(\s*["'`]return this;?["'`]\s*\)$/.test(argsText)) continue;
    if (evalLike) {
      if (/^\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,/.test(argsText)) {
        fc.emitAt("CP-SKILL-OBF-002", offsetOf(call), call.text(), {
          severity: "high",
          detail: "Packed JavaScript (eval(function(p,a,c,k,e,...)))",
        });
      }
      const decoded = DECODE_JS.test(argsText) || decls.resolves(argsText, DECODE_JS);
      const remote = REMOTE_JS.test(argsText) || decls.resolves(argsText, REMOTE_JS);
      if (decoded || remote)
        fc.emitAt("CP-SKILL-CODE-002", offsetOf(call), call.text(), {
          detail: `${fnText} evaluates ${decoded ? "decoded" : "downloaded"} data`,
        });
      else fc.emitAt("CP-SKILL-CODE-001", offsetOf(call), call.text(), { detail: `${fnText}(...)` });
      continue;
    }
    // Dynamic import / require.
    if (!isNew && (fn.kind() === "import" || fnText === "import" || fnText === "require")) {
      const first = args?.namedChildren()[0] ?? null;
      if (first && isStringNode(first)) {
        const lit = first.text().slice(1, -1);
        if (/^(?:data:|https?:)/i.test(lit))
          fc.emitAt("CP-SKILL-CODE-003", offsetOf(call), call.text(), {
            severity: "high",
            confidence: "high",
            detail: `${fnText} of a ${lit.slice(0, 5).toLowerCase().startsWith("data") ? "data:" : "remote"} URL`,
          });
      } else if (first && first.kind() !== "template_string")
        fc.emitAt("CP-SKILL-CODE-003", offsetOf(call), call.text(), {
          detail: `${fnText} of a computed name`,
        });
      continue;
    }
    // File writes (for persistence).
    if (/(?:writeFile|appendFile|createWriteStream|copyFile|symlink|rename)(?:Sync)?$/.test(fnText)) {
      hasWrite = true;
      if (SENSITIVE_LITERAL.test(argsText)) {
        /* writing into credential paths is unusual but not a read; persistence below covers rc files */
      }
    }
    // Sensitive reads.
    if (
      /(?:readFile|readFileSync|createReadStream|readdir|readdirSync|opendir)$/.test(fnText) &&
      SENSITIVE_LITERAL.test(argsText)
    )
      sources.push(source(call, argsText, "reads"));
    if (
      /^JSON\.stringify$|^Object\.(?:entries|keys|values)$/.test(fnText) &&
      /^\(\s*process\.env\s*\)$/.test(argsText)
    )
      sources.push({ node: call, what: "the whole environment", strong: true });
  }

  if (firstSpawn !== null)
    fc.emitAt("CP-SKILL-EXEC-011", firstSpawn, programs.join(", ") || "child process", {
      detail: `Runs programs: ${[...new Set(programs)].join(", ") || "(computed)"}`,
    });

  if (sources.length > 0)
    for (const call of top.findAll({
      rule: {
        any: [
          {
            kind: "call_expression",
            has: {
              field: "function",
              regex:
                "^(?:fetch|axios|got|request|needle|superagent|ky|undici\\.request|navigator\\.sendBeacon)$|^(?:axios|got|ky|superagent|needle)\\.(?:post|put|patch|get|request|delete)$|^(?:https?|http2)\\.(?:request|get)$|^(?:net|tls)\\.(?:connect|createConnection)$|\\.(?:sendBeacon|send)$",
            },
          },
          { kind: "new_expression", has: { field: "constructor", regex: "^(?:WebSocket|XMLHttpRequest)$" } },
        ],
      },
    })) {
      const fnText = (fieldOf(call, "function") ?? fieldOf(call, "constructor"))?.text() ?? "";
      if (!/\.send$/.test(fnText) || /xhr|socket|ws|client|req/i.test(fnText)) sinks.push(call);
    }
  flowCheck(fc, top, sources, sinks, JS_FUNCS, ["variable_declarator", "assignment_expression"]);

  // Persistence and agent-file writes.
  if ((hasWrite || firstSpawn !== null) && (PERSIST_LITERAL.test(text) || AGENT_LITERAL.test(text))) {
    for (const s of top.findAll({
      rule: { any: [{ kind: "string" }, { kind: "template_string" }], regex: PERSIST_LITERAL.source },
    })) {
      const t = s.text();
      if (PERSIST_LITERAL.test(t)) {
        fc.emitAt("CP-SKILL-PERSIST-001", offsetOf(s), t, {
          detail: "Code writes to or schedules a start-up location",
        });
        break;
      }
    }
    for (const s of top.findAll({
      rule: { any: [{ kind: "string" }, { kind: "template_string" }], regex: AGENT_LITERAL.source },
    })) {
      const t = s.text();
      if (AGENT_LITERAL.test(t) && hasWrite) {
        fc.emitAt("CP-SKILL-AGENT-001", offsetOf(s), t, {
          severity: "medium",
          confidence: "medium",
          detail: "Code writes agent bootstrap/memory/config files",
        });
        break;
      }
    }
  }
}

/**
 * Sensitive source → network sink within one function: direct (the sink's arguments
 * mention the source expression or a variable assigned from it) is CODE-004; both in the
 * same function without a visible link is CODE-005.
 */
function flowCheck(
  fc: FileContext,
  _top: SgNode,
  sources: Source[],
  sinks: SgNode[],
  funcKinds: Set<string>,
  declKinds: string[],
): void {
  // Code that touches secret material is reported even without a network call.
  const strong = sources.find((x) => x.strong && !x.what.endsWith("the whole environment"));
  if (strong) {
    const t = strong.what;
    const id =
      /\.ssh|id_rsa|id_ed25519|id_ecdsa|\.aws|\.kube|\.npmrc|\.netrc|git-credentials|\.gnupg|shadow/i.test(t)
        ? "CP-SKILL-CRED-002"
        : /openclaw|clawdbot|moltbot|auth-profiles/i.test(t)
          ? "CP-SKILL-CRED-003"
          : "CP-SKILL-CRED-001";
    fc.emitAt(id, offsetOf(strong.node), strong.node.text(), {
      severity: id === "CP-SKILL-CRED-001" ? "high" : "medium",
      confidence: "medium",
      detail: `Code ${t}`,
    });
  }
  if (sources.length === 0 || sinks.length === 0) return;
  let reported = false;
  for (const src of sources) {
    const scope = enclosingScope(src.node, funcKinds);
    const scopeId = scope ? scope.id() : -1;
    // Names assigned from the source (one hop, plus names assigned from those).
    const names = new Set<string>();
    const stmtScope = scope ?? src.node.getRoot().root();
    for (const a of src.node.ancestors()) {
      const k = kindOf(a);
      if (declKinds.includes(k)) {
        const left = (fieldOf(a, "name") ?? fieldOf(a, "left"))?.text();
        if (left) for (const n of left.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(n);
        break;
      }
      if (funcKinds.has(k)) break;
    }
    if (names.size > 0) {
      for (const d of stmtScope.findAll({
        rule: { any: declKinds.map((kind) => ({ kind })) },
      })) {
        const value = (fieldOf(d, "value") ?? fieldOf(d, "right"))?.text() ?? d.child(0)?.text() ?? "";
        const left = (fieldOf(d, "name") ?? fieldOf(d, "left") ?? fieldOf(d, "alias"))?.text() ?? "";
        if (
          [...names].some((n) =>
            new RegExp(`(?<![.\\w$])${n.replace(/\$/g, "\\$")}\\b(?![ \\t]*=[^=])`).test(value),
          )
        )
          for (const n of left.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(n);
      }
    }
    for (const sink of sinks) {
      const sinkScope = enclosingScope(sink, funcKinds);
      const same = (sinkScope ? sinkScope.id() : -1) === scopeId;
      const argText = sink.text();
      // A name counts when used as a value: not a keyword-argument name (`data=`) or a property.
      const direct =
        argText.includes(src.node.text()) ||
        [...names].some((n) =>
          new RegExp(`(?<![.\\w$])${n.replace(/\$/g, "\\$")}\\b(?![ \\t]*=[^=])`).test(argText),
        );
      const dest = judgeUrlIn(argText, fc.skill.iocs) ?? judgeUrlIn(stmtScope.text(), fc.skill.iocs);
      const riskyDest = dest !== null && (dest.risk === "risky" || dest.risk === "ioc");
      if (direct && (src.strong || riskyDest)) {
        fc.emitAt("CP-SKILL-CODE-004", offsetOf(sink), sink.text(), {
          detail: `Network call sends data that ${src.what} (line ${fc.lineOf(offsetOf(src.node))})${dest ? ` to ${dest.url} (${dest.reason})` : ""}`,
        });
        reported = true;
        break;
      }
      if (direct && !reported) {
        fc.emitAt("CP-SKILL-CODE-005", offsetOf(sink), sink.text(), {
          severity: "low",
          detail: `Network call uses data that ${src.what} (line ${fc.lineOf(offsetOf(src.node))}); usually the skill's own key`,
        });
        reported = true;
        continue;
      }
      if (same && src.strong && !reported) {
        fc.emitAt("CP-SKILL-CODE-005", offsetOf(sink), sink.text(), {
          detail: `Same function ${src.what} (line ${fc.lineOf(offsetOf(src.node))}) and calls the network`,
        });
        reported = true;
      }
    }
  }
}

// ── Python ──────────────────────────────────────────────────────────────────────────
function analyzePython(fc: FileContext, root: SgRoot): void {
  const top = root.root();
  const text = fc.text;
  const fromSubprocess = new Set<string>();
  const fromImport = /from\s+subprocess\s+import\s+([^\n]+)/g;
  for (let m = fromImport.exec(text); m !== null; m = fromImport.exec(text))
    for (const n of m[1]!.split(","))
      fromSubprocess.add(
        (
          n
            .trim()
            .split(/\s+as\s+/)
            .pop() ?? ""
        ).replace(/[()]/g, ""),
      );
  const sources: Source[] = [];
  const sinks: SgNode[] = [];
  const programs: string[] = [];
  let firstSpawn: number | null = null;
  let hasWrite = false;
  let hasSocket = false;
  let hasDup = false;

  const decls = new Decls(top, ["assignment"]);
  const fromAlt = [...fromSubprocess].filter((x) => /^\w+$/.test(x)).join("|");
  const PY_CALLS = `^(?:subprocess\\.\\w+|os\\.\\w+|pty\\.spawn|asyncio\\.create_subprocess_\\w+|commands\\.getoutput|eval|exec|compile|execfile|builtins\\.\\w+|__import__|importlib\\.import_module|marshal\\.loads|socket\\.socket${SENSITIVE_LITERAL.test(text) || PERSIST_LITERAL.test(text) || AGENT_LITERAL.test(text) ? "|open|Path|glob\\.glob|shutil\\.\\w+" : ""}${/os\.environ\s*\)/.test(text) ? "|dict|json\\.dumps|str" : ""}${fromAlt ? `|${fromAlt}` : ""})$|\\.(?:read_text|read_bytes|open|write_text|write_bytes|expanduser|dup2)$`;
  for (const call of top.findAll({ rule: { kind: "call", has: { field: "function", regex: PY_CALLS } } })) {
    const fn = fieldOf(call, "function");
    if (!fn) continue;
    const fnText = fn.text();
    const args = fieldOf(call, "arguments");
    const argsText = args ? args.text() : "";
    if (
      /^(?:subprocess\.(?:run|Popen|call|check_output|check_call|getoutput|getstatusoutput)|os\.(?:system|popen|exec\w*|spawn\w*|posix_spawn\w*)|pty\.spawn|asyncio\.create_subprocess_(?:shell|exec)|commands\.getoutput)$/.test(
        fnText,
      ) ||
      (fn.kind() === "identifier" && fromSubprocess.has(fnText))
    ) {
      firstSpawn ??= offsetOf(call);
      const first = args?.namedChildren()[0] ?? null;
      let prog = "";
      if (first?.kind() === "string")
        prog =
          first
            .text()
            .replace(/^[rbuf]*["']{1,3}|["']{1,3}$/gi, "")
            .trim()
            .split(/\s+/)[0] ?? "";
      else if (first?.kind() === "list") {
        const f = first.namedChildren()[0];
        if (f?.kind() === "string") prog = f.text().replace(/^[rbuf]*["']{1,3}|["']{1,3}$/gi, "");
      }
      if (prog) {
        programs.push(prog);
        const base = prog.split("/").pop()!;
        if (!fc.skill.facts.binsRun.has(base))
          fc.skill.facts.binsRun.set(base, { file: fc.file.display, line: fc.lineOf(offsetOf(call)) });
      }
      if (fnText === "pty.spawn" && /["'](?:\/bin\/)?(?:ba|z)?sh["']/.test(argsText)) hasDup = hasDup || true;
      const decoded = DECODE_PY.test(argsText) || decls.resolves(argsText, DECODE_PY);
      if (SHELL_DL.test(argsText) || decoded) {
        const url = judgeUrlIn(argsText, fc.skill.iocs);
        const risky = url && (url.risk === "risky" || url.risk === "ioc");
        fc.emitAt("CP-SKILL-EXEC-010", offsetOf(call), call.text(), {
          ...(decoded || risky ? { severity: "critical" as const, confidence: "high" as const } : {}),
          detail: decoded
            ? `${fnText}() runs a command built from decoded data`
            : `${fnText}() runs a download or shell command${url ? ` (${url.url}: ${url.reason})` : ""}`,
        });
        if (risky)
          fc.emitAt("CP-SKILL-CHAIN-002", offsetOf(call), call.text(), {
            detail: `${fnText}() fetches and runs code from ${url.url} (${url.reason})`,
          });
      }
      continue;
    }
    if (/^(?:eval|exec|compile|execfile)$/.test(fnText) || /^(?:builtins\.)?(?:eval|exec)$/.test(fnText)) {
      const decoded = DECODE_PY.test(argsText) || decls.resolves(argsText, DECODE_PY);
      const remote = REMOTE_PY.test(argsText) || decls.resolves(argsText, REMOTE_PY);
      if (decoded || remote)
        fc.emitAt("CP-SKILL-CODE-002", offsetOf(call), call.text(), {
          detail: `${fnText}() evaluates ${decoded ? "decoded" : "downloaded"} data`,
        });
      else fc.emitAt("CP-SKILL-CODE-001", offsetOf(call), call.text(), { detail: `${fnText}(...)` });
      continue;
    }
    if (/^(?:__import__|importlib\.import_module)$/.test(fnText)) {
      const first = args?.namedChildren()[0] ?? null;
      if (first && first.kind() !== "string")
        fc.emitAt("CP-SKILL-CODE-003", offsetOf(call), call.text(), {
          detail: `${fnText} of a computed name`,
        });
      continue;
    }
    if (/^marshal\.loads$/.test(fnText))
      fc.emitAt("CP-SKILL-OBF-002", offsetOf(call), call.text(), { detail: "Loads marshalled bytecode" });
    if (/^socket\.socket$/.test(fnText)) hasSocket = true;
    if (/^os\.dup2$/.test(fnText)) hasDup = true;
    if (/^open$/.test(fnText) && /["'][aw]b?\+?["']/.test(argsText)) hasWrite = true;
    if (/\.(?:write_text|write_bytes)$/.test(fnText)) hasWrite = true;
    if (
      /^(?:open|Path|os\.path\.expanduser|glob\.glob|shutil\.copy\w*|os\.listdir|os\.walk)$|\.(?:read_text|read_bytes|open)$/.test(
        fnText,
      ) &&
      SENSITIVE_LITERAL.test(argsText)
    )
      sources.push(source(call, argsText, "reads"));
    if (/^(?:dict|json\.dumps|str)$/.test(fnText) && /^\(\s*(?:dict\()?os\.environ\)?\s*\)$/.test(argsText))
      sources.push({ node: call, what: "the whole environment", strong: true });
  }
  // Reading a sensitive path assigned to a variable first: Path.home() / ".ssh" / "id_rsa" etc.
  for (const s of SENSITIVE_LITERAL.test(text)
    ? top.findAll({ rule: { kind: "string", regex: SENSITIVE_LITERAL.source } })
    : []) {
    const t = s.text();
    if (!SENSITIVE_LITERAL.test(t)) continue;
    if (sources.some((x) => x.node.text().includes(t))) continue;
    const stmt = s.ancestors().find((a) => a.kind() === "assignment");
    if (stmt) sources.push(source(s, t, "references"));
  }
  if (firstSpawn !== null)
    fc.emitAt("CP-SKILL-EXEC-011", firstSpawn, programs.join(", ") || "subprocess", {
      detail: `Runs programs: ${[...new Set(programs)].join(", ") || "(computed)"}`,
    });
  if (hasSocket && hasDup) {
    const at = text.search(/os\.dup2|pty\.spawn/);
    fc.emitAt("CP-SKILL-EXEC-008", Math.max(0, at), text.slice(Math.max(0, at), Math.max(0, at) + 80), {
      detail: "Socket wired to a shell (os.dup2 / pty.spawn)",
    });
  }
  if (sources.length > 0)
    for (const call of top.findAll({
      rule: {
        kind: "call",
        has: {
          field: "function",
          regex:
            "^(?:requests|httpx)\\.(?:post|put|patch|get|request)$|^(?:urllib\\.request\\.)?(?:urlopen|Request)$|^http\\.client\\.HTTPS?Connection$|^smtplib\\.SMTP(?:_SSL)?$|\\.(?:sendall|send|connect|post|put|sendmail|request)$",
        },
      },
    }))
      sinks.push(call);
  flowCheck(fc, top, sources, sinks, PY_FUNCS, ["assignment", "as_pattern", "for_statement"]);
  if ((hasWrite || firstSpawn !== null) && (PERSIST_LITERAL.test(text) || AGENT_LITERAL.test(text))) {
    for (const s of top.findAll({ rule: { kind: "string", regex: PERSIST_LITERAL.source } })) {
      const t = s.text();
      if (PERSIST_LITERAL.test(t)) {
        fc.emitAt("CP-SKILL-PERSIST-001", offsetOf(s), t, {
          detail: "Code writes to or schedules a start-up location",
        });
        break;
      }
    }
    if (hasWrite)
      for (const s of top.findAll({ rule: { kind: "string", regex: AGENT_LITERAL.source } })) {
        const t = s.text();
        if (AGENT_LITERAL.test(t)) {
          fc.emitAt("CP-SKILL-AGENT-001", offsetOf(s), t, {
            severity: "medium",
            confidence: "medium",
            detail: "Code writes agent bootstrap/memory/config files",
          });
          break;
        }
      }
  }
}

// ── Shell ───────────────────────────────────────────────────────────────────────────
const INTERPRETERS =
  /^(?:(?:ba|z|da|k|c|tc|fi)?sh|python[0-9.]*|perl|ruby|node|php|osascript|pwsh|powershell)$/;

function analyzeShell(fc: FileContext, root: SgRoot): void {
  const top = root.root();
  // Pipelines across line continuations: download … | interpreter.
  for (const p of top.findAll({ rule: { kind: "pipeline" } })) {
    const cmds = p.namedChildren().filter((c) => c.kind() === "command");
    const names = cmds.map((c) => (fieldOf(c, "name")?.text() ?? "").split("/").pop() ?? "");
    const dl = names.findIndex((n) => /^(?:curl|wget)$/.test(n));
    if (dl < 0) continue;
    const tail = cmds.slice(dl + 1).find((c) => {
      const n = (fieldOf(c, "name")?.text() ?? "").split("/").pop() ?? "";
      if (INTERPRETERS.test(n)) return true;
      if (n === "sudo" || n === "env")
        return c
          .text()
          .split(/\s+/)
          .slice(1)
          .some((w) => INTERPRETERS.test(w.split("/").pop() ?? ""));
      return false;
    });
    if (!tail) continue;
    const url = judgeUrlIn(p.text(), fc.skill.iocs);
    const risky = url && (url.risk === "risky" || url.risk === "ioc");
    fc.emitAt("CP-SKILL-EXEC-001", offsetOf(p), p.text(), {
      ...(risky ? { severity: "critical" as const, confidence: "high" as const } : {}),
      ...(url?.risk === "installer" ? { severity: "low" as const } : {}),
      detail: `Shell pipeline runs downloaded content${url ? ` from ${url.url} (${url.reason})` : ""}`,
    });
    if (risky)
      fc.emitAt("CP-SKILL-CHAIN-002", offsetOf(p), p.text(), {
        detail: `Pipeline downloads and runs ${url.url} (${url.reason})`,
      });
  }
  // eval of a command substitution that downloads or decodes.
  for (const cmd of top.findAll({
    rule: { kind: "command", has: { field: "name", regex: "^(eval|source|\\.)$" } },
  })) {
    const t = cmd.text();
    if (/\$\(\s*(?:curl|wget)\b/.test(t)) {
      const url = judgeUrlIn(t, fc.skill.iocs);
      fc.emitAt("CP-SKILL-EXEC-002", offsetOf(cmd), t, {
        ...(url && (url.risk === "risky" || url.risk === "ioc")
          ? { severity: "critical" as const, confidence: "high" as const }
          : {}),
        detail: "eval/source of downloaded content",
      });
    } else if (/base64\s+(?:-d|--decode|-D)|xxd\s+-r/.test(t))
      fc.emitAt("CP-SKILL-EXEC-003", offsetOf(cmd), t, { detail: "eval of decoded content" });
  }
}

export { SECRET_ENV };
