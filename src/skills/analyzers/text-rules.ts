// Pattern rules that run over normalised text: SKILL.md and other instructions, comments
// and strings in code, and every decoded layer. Each rule names the keywords it needs (the
// prefilter skips it when none occur), one bounded regular expression, and optionally a
// judge that grades or drops a match from its context.
//
// Regex hygiene: every repetition that can span text is bounded ({0,N}) and no two
// adjacent parts can match the same characters without bound, so matching stays linear in
// practice; inputs are normalised first (invisible characters removed, padding collapsed).
import type { Severity } from "../../findings/model.ts";
import {
  AGENT_FILE_NAMES,
  classifyHost,
  type IocIndex,
  isNonPublicIpv4,
  judgeUrlIn,
  type UrlJudgement,
} from "../indicators.ts";
import { gradePipeSource, interpreterRunsStdin } from "../pipe-exec.ts";
import { headingsAbove } from "../quoted.ts";
import type { Confidence } from "../types.ts";

export interface JudgeResult {
  severity?: Severity;
  confidence?: Confidence;
  detail?: string;
  /** Replace the excerpt (redaction). */
  excerpt?: string;
  /** Extra findings at the same place (chains). */
  also?: { ruleId: string; severity?: Severity; confidence?: Confidence; detail: string }[];
}

export interface JudgeEnv {
  text: string;
  iocs: IocIndex;
  prose: boolean;
}

export interface TextRule {
  id: string;
  /** "prose": only instructions/docs (Markdown, text, YAML/JSON); "any": every text file. */
  scope: "prose" | "any";
  /** At least one of these must occur (case-insensitive). */
  any: readonly string[];
  /** And, for each group, at least one of its keywords. */
  all?: string[][];
  re: RegExp;
  judge?: (m: RegExpExecArray, env: JudgeEnv) => JudgeResult | null;
}

/**
 * Hosts that really publish OpenClaw, its earlier names and its registry (the CLI is the `openclaw`
 * npm package). The names are the ones the released packages themselves link to: openclaw.ai,
 * docs.openclaw.ai and clawhub.ai in openclaw 2026.x; clawd.bot, docs.clawd.bot, clawdhub.com and
 * clawdbot.com in clawdbot 2026.1.24-3; molt.bot from the Moltbot weeks.
 */
const OFFICIAL_OPENCLAW_HOSTS = [
  "openclaw.ai",
  "clawhub.ai",
  "clawhub.com",
  "clawd.bot",
  "clawdhub.com",
  "clawdbot.com",
  "molt.bot",
  "npmjs.com",
  "npmjs.org",
];

const isOfficialHost = (host: string) =>
  OFFICIAL_OPENCLAW_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));

/** Free hosting and throw-away TLDs: where a look-alike costs nothing to set up. */
const CHEAP_HOST =
  /\.(?:vercel\.app|netlify\.app|pages\.dev|github\.io|glitch\.me|herokuapp\.com|onrender\.com|web\.app|firebaseapp\.com|replit\.app|surge\.sh|forum|xyz|top|click|site|online|store|shop|live|icu|buzz|lol|fun|rest|cfd|sbs)$/;

const DL = ["curl", "wget", "iwr", "irm", "invoke-webrequest", "invoke-restmethod"];

/** Grade a download-and-run match by where it downloads from. */
function gradeDelivery(m: RegExpExecArray, env: JudgeEnv, what: string): JudgeResult {
  const j = judgeUrlIn(m[0], env.iocs);
  return gradeByUrl(j, what);
}

function gradeByUrl(j: UrlJudgement | null, what: string): JudgeResult {
  if (!j) return { detail: `${what} (source not visible in the command)` };
  const where = `${j.url} — ${j.reason}`;
  if (j.risk === "ioc" || j.risk === "risky")
    return {
      severity: "critical",
      confidence: "high",
      detail: `${what} from ${where}`,
      also: [{ ruleId: "CP-SKILL-CHAIN-002", detail: `${what} from ${where}` }],
    };
  if (j.risk === "insecure")
    return {
      severity: "critical",
      confidence: "medium",
      detail: `${what} over plain HTTP from ${where}`,
      also: [
        { ruleId: "CP-SKILL-CHAIN-002", confidence: "medium", detail: `${what} over plain HTTP (${j.url})` },
      ],
    };
  if (j.risk === "installer")
    return { severity: "low", confidence: "medium", detail: `${what} from ${where}` };
  return { detail: `${what} from ${where}` };
}

const SENSITIVE_PATH =
  /(?:\.ssh\/|id_rsa|id_ed25519|\.env\b|\.aws\/|\.openclaw|\.clawdbot|\.moltbot|auth-profiles|keychain|wallet|cookies|login data|\/etc\/passwd|\/etc\/shadow|\.gnupg|\.kube\/|\.docker\/config|\.npmrc|\.netrc|\.git-credentials|history\b)/i;

export const TEXT_RULES: TextRule[] = [
  {
    id: "CP-SKILL-EXEC-001",
    scope: "any",
    any: DL,
    re: /\b(?:curl|wget|iwr|irm|invoke-webrequest|invoke-restmethod)\b(?:(?:[^\n|]|\\\n){0,400}\|(?!\|)){1,3}[ \t]*(?:sudo[ \t]+(?:-\S+[ \t]+){0,3})?(?:env[ \t]+(?:\w+=\S*[ \t]+){0,4})?(?:\/usr\/bin\/|\/bin\/|\/usr\/local\/bin\/)?(?:(?:ba|z|da|k|c|tc|fi)?sh|python[0-9.]*|perl|ruby|node|php|osascript|iex|invoke-expression|pwsh|powershell)\b/gi,
    judge: (m, env) => {
      if (/\|\s*(?:sudo\s+)?tee\b[^|]*$/.test(m[0])) return null;
      // "curl | bash", "curl -sSL <url> | sh": the pattern named in prose or a usage comment, with no
      // source to fetch from, is a mention and not a command.
      const args = m[0].slice(m[0].search(/\s|\|/), m[0].indexOf("|"));
      if (/^[\s/]*(?:wget|curl)?\s*$/.test(args)) return null;
      if (/^(?:\s+-{1,2}[\w-]+)*\s+<[^>\n]{1,40}>\s*$/.test(args))
        return {
          severity: "low",
          confidence: "low",
          detail: "Names the download-and-run pattern with a placeholder source",
        };
      // The interpreter and its arguments, up to the end of the (continued) line.
      const end = m.index + m[0].length;
      const rest = env.text.slice(end, end + 400).split(/(?<!\\)\n/, 1)[0] ?? "";
      const interpreter = /[\w.-]+$/.exec(m[0])?.[0] ?? "";
      if (!interpreterRunsStdin(`${interpreter}${rest}`)) return null;
      const url = judgeUrlIn(m[0], env.iocs);
      const graded = gradeByUrl(url, "Remote content piped into an interpreter");
      return { ...graded, ...(graded.severity ? {} : gradePipeSource(url)) };
    },
  },
  {
    id: "CP-SKILL-EXEC-002",
    scope: "any",
    any: ["curl", "wget", "iwr", "irm", "invoke-webrequest", "invoke-restmethod", "webclient"],
    all: [["$(", "<(", "iex", "invoke-expression"]],
    re: /(?:\b(?:ba|z|da|k)?sh[ \t]+(?:-\w+[ \t]+){0,3}-c[ \t]*["']?[ \t]*\$\([ \t]*(?:curl|wget)\b[^)\n]{0,400}\)|\b(?:eval|exec|source)[ \t]+["']?\$\([ \t]*(?:curl|wget)\b[^)\n]{0,400}\)|\bpython[0-9.]*[ \t]+-c[ \t]+["']?\$\([ \t]*(?:curl|wget)\b[^)\n]{0,400}\)|\b(?:(?:ba|z|da|k)?sh|source|\.)[ \t]+<\([ \t]*(?:curl|wget)\b[^)\n]{0,400}\)|\b(?:iex|invoke-expression)[ \t]*\(?[ \t]*\(?[ \t]*(?:iwr|irm|invoke-webrequest|invoke-restmethod|new-object[ \t]+(?:system\.)?net\.webclient)\b[^\n]{0,400})/gi,
    judge: (m, env) => gradeDelivery(m, env, "Downloaded code executed via substitution"),
  },
  {
    id: "CP-SKILL-EXEC-003",
    scope: "any",
    any: ["base64", "xxd", "uudecode", "powershell", "pwsh", "frombase64", "openssl"],
    re: /(?:\b(?:base64|openssl[ \t]+(?:enc[ \t]+)?-?base64)[ \t]+(?:-\w+[ \t]+){0,2}(?:-d|--decode|-D|-di)\b[^\n]{0,200}?\|[ \t]*(?:sudo[ \t]+)?(?:\S{0,40}\/)?(?:(?:ba|z|da|k)?sh|python[0-9.]*|perl|osascript|node)\b|\b(?:xxd[ \t]+-r(?:[ \t]+-p)?|uudecode)\b[^\n]{0,200}?\|[ \t]*(?:sudo[ \t]+)?(?:(?:ba|z|da|k)?sh|python[0-9.]*|perl)\b|\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]{0,120}?[ \t][-/](?:e|ec|en|enc|enco|encod|encodedcommand)[ \t]+[A-Za-z0-9+/=]{16,}|\[(?:system\.)?convert\]::frombase64string\([^\n]{0,400}?\b(?:iex|invoke-expression)\b|\b(?:iex|invoke-expression)\b[^\n]{0,200}?\[(?:system\.)?convert\]::frombase64string|\beval[ \t]+["']?\$\([ \t]*(?:echo|printf)[ \t][^\n]{0,400}?\|[ \t]*base64[ \t]+(?:-d|--decode|-D))/gi,
  },
  {
    id: "CP-SKILL-EXEC-004",
    scope: "any",
    any: ["chmod"],
    all: [["curl", "wget"]],
    re: /\b(?:curl|wget)\b[^\n]{0,300}?(?:&&|;|\n)[ \t]*(?:sudo[ \t]+)?chmod[ \t]+(?:[ugoa]*\+x|[0-7]?[0-7][1357][0-7]?)[ \t]+\S+[^\n]{0,200}?(?:&&|;|\n)[ \t]*(?:sudo[ \t]+)?(?:\.\/|\/|~\/|"?\$|open[ \t])/gi,
    judge: (m, env) => gradeDelivery(m, env, "Download, chmod +x and run"),
  },
  {
    id: "CP-SKILL-EXEC-005",
    scope: "any",
    any: ["xattr"],
    re: /\bxattr[ \t]+(?:-[a-z]+[ \t]+){0,4}(?:-[a-z]*d[a-z]*[ \t]+["']?com\.apple\.quarantine|-[a-z]*c[a-z]*\b)/gi,
  },
  {
    id: "CP-SKILL-EXEC-006",
    scope: "any",
    any: ["display dialog", "authonly"],
    re: /\bdisplay[ \t]+dialog\b[^\n]{0,300}?(?:hidden[ \t]+answer|password)|\bdscl[ \t]+(?:\.|\/Local\/Default)[ \t]+-authonly\b/gi,
  },
  {
    id: "CP-SKILL-EXEC-007",
    scope: "any",
    any: [
      "certutil",
      "mshta",
      "regsvr32",
      "bitsadmin",
      "downloadstring",
      "downloadfile",
      "downloaddata",
      "-w hidden",
      "-windowstyle hidden",
      "rundll32",
    ],
    re: /\bcertutil(?:\.exe)?[ \t]+[^\n]{0,60}?-urlcache\b|\bmshta(?:\.exe)?[ \t]+["']?(?:https?:|javascript:|vbscript:)|\bregsvr32(?:\.exe)?[ \t]+[^\n]{0,60}?\/i:[ \t]*https?:|\bbitsadmin(?:\.exe)?[ \t]+[^\n]{0,40}?\/transfer\b|\.download(?:string|file|data)[ \t]*\([ \t]*["']?https?:[^\n]{0,300}?(?:\biex\b|invoke-expression|start-process|\.exe\b)|(?:[ \t]-w(?:indowstyle)?[ \t]+hidden\b)[^\n]{0,200}?(?:\biwr\b|\birm\b|invoke-webrequest|downloadstring|downloadfile|start-process)|\brundll32(?:\.exe)?[ \t]+[^\n]{0,80}?(?:javascript:|https?:)/gi,
  },
  {
    id: "CP-SKILL-EXEC-008",
    scope: "any",
    any: ["/dev/tcp/", "/dev/udp/", "nc ", "ncat", "netcat", "mkfifo", "socat", "bash -i"],
    re: /\/dev\/(?:tcp|udp)\/([\w.-]{1,253})\/\d{1,5}|\bn(?:c|cat|etcat)[ \t][^\n|;&]{0,80}?[ \t]-[a-z]*[ec][ \t]+(?:\/bin\/|\/usr\/bin\/)?(?:ba|z|da)?sh\b|\bmkfifo[ \t]+\S+[^\n]{0,120}?\bn(?:c|cat)[ \t]+\S|\bsocat[ \t][^\n]{0,120}?\bexec:/gi,
    judge: (m, env) => {
      const host = m[1];
      const placeholder = host
        ? /^(?:attacker|evil|malicious|example|your|c2|target|victim|hacker|localhost)\b|\.(?:example|test|invalid|local)$/i.test(
            host,
          )
        : false;
      const publicHost = host ? !placeholder && (!/^\d/.test(host) || !isNonPublicIpv4(host)) : false;
      if (env.prose && !publicHost)
        return {
          severity: "high",
          confidence: "medium",
          detail: "Reverse or bind shell command in documentation",
        };
      if (!env.prose && host && /^\d/.test(host) && isNonPublicIpv4(host))
        return { severity: "high", confidence: "medium", detail: "Reverse shell to a private address" };
      return {};
    },
  },
  {
    id: "CP-SKILL-EXEC-009",
    scope: "any",
    any: ["rm -", "mkfs", "of=/dev/", ":(){", "format c:"],
    re: /\brm[ \t]+(?:-[a-z]+[ \t]+){0,3}-[a-z]*(?:rf|fr|r[a-z]*f|f[a-z]*r)[a-z]*[ \t]+(?:--no-preserve-root[ \t]+)?(?:\/\*?|~\/?\*?|\$HOME\/?\*?|\$\{HOME\}\/?\*?)(?=[ \t]*(?:$|[;&|"'`)]))|\bmkfs(?:\.\w+)?[ \t]+\/dev\/|\bdd[ \t]+[^\n]{0,60}?of=\/dev\/(?:sd|nvme|disk|hd)|:\(\)[ \t]*\{[ \t]*:[ \t]*\|[ \t]*:[ \t]*&[ \t]*\}[ \t]*;[ \t]*:|\bformat[ \t]+c:/gim,
  },
  {
    id: "CP-SKILL-LURE-001",
    scope: "any",
    any: ["password", "passcode", "passphrase", "unzip", "7z", "pwd", "extract"],
    // The last form is ClawHavoc's own wording: "(extract using pass: `openclaw`)", "extract with pass `x`".
    re: /\b(?:password|passcode|passphrase|pwd|pw)\b[ \t]*(?:is\b|:|=)[ \t]*[`'"*_]{0,3}([\w!@#$%^&*.+-]{3,40})|\b(?:password|passcode|passphrase)[ \t]+[`'"*_]{1,3}([\w!@#$%^&*.+-]{3,40})[`'"*_]{1,3}|\bunzip[ \t]+(?:-\w+[ \t]+){0,3}-P[ \t]*(\S+)|\b7z[ \t]+[xe]\b[^\n]{0,80}?[ \t]-p(\S+)|\bextract(?:ed)?[ \t]+(?:it[ \t]+)?(?:using|with)[ \t]*(?:(?:the[ \t]+)?pass(?:word|code)?[ \t]*:?|:)[ \t]*[`'"*_]{0,3}([\w!@#$%^&*.+-]{3,40})/gi,
    judge: (m, env) => {
      const value = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? "").toLowerCase();
      if (
        /^(?:required|protected|optional|needed|your|the|not|set|none|empty|null|prompt|manager|managers|reset|field|hash|hashed|length|policy|less|free|based|change|changes|with|for|and|that|this|when|will|must|should|can|may|from|used|using|store|stored|saved|input|entry|only|auth|login|file|files|here|each|also|then|true|false|string|str|int|number|text|secret|env|variable|token|of|in|to|if|or|is)$/.test(
          value,
        ) ||
        value.startsWith("$") ||
        value.startsWith("<") ||
        value.startsWith("{")
      )
        return null;
      const window = env.text.slice(Math.max(0, m.index - 400), m.index + m[0].length + 400);
      const archive =
        m[3] !== undefined ||
        m[4] !== undefined ||
        m[5] !== undefined ||
        /\b(?:zip|rar|7z|7-zip|archive)\b|\.(?:zip|rar|7z)\b/i.test(window);
      if (!archive) return null;
      const url = judgeUrlIn(window, env.iocs);
      const exe =
        /\.(?:exe|msi|scr|bat|cmd|dmg|pkg|app)\b/i.test(window) ||
        /\b(?:run|open|launch|execute)[ \t]+(?:the[ \t]+|it[ \t]+|that[ \t]+)?(?:executable|installer|setup|binary)\b/i.test(
          window,
        );
      if ((url && url.risk !== "installer") || exe)
        return {
          severity: "critical",
          confidence: "high",
          detail: `Password-protected archive delivered with ${url ? `a link (${url.url})` : "an executable"}`,
        };
      return { detail: "Archive password given in the instructions" };
    },
  },
  {
    // ClawHavoc's follow-up waves: "OpenClawCLI / openclaw-core / openclaw-agent is required" and a download
    // from somewhere that is not OpenClaw's. No such helper exists; the real CLI is `openclaw` from npm.
    id: "CP-SKILL-LURE-006",
    scope: "prose",
    any: ["openclawcli", "openclaw-cli", "openclaw-core", "openclawcore", "openclaw-agent", "authtool"],
    re: /\b(?:open-?claw-?(?:cli|core|agent|helper|provider|auth)|(?:\w{2,20})?auth-?tool)(?:\.(?:zip|exe))?\b[^\n]{0,160}?\b(?:require[sd]?|required|needed|must|install(?:ed|ation)?|download|utility|setup|prerequisite)\b|\b(?:require[sd]?|required|install(?:ed)?|download)\b[^\n]{0,80}?\bopen-?claw-?(?:cli|core|agent)\b/gi,
    judge: (m, env) => {
      const after = env.text.slice(m.index, m.index + m[0].length + 1200);
      for (const u of after.matchAll(/\bhttps?:\/\/[^\s"'<>`)\]}|\\]+/gi)) {
        const url = u[0];
        const host = (url.replace(/^[a-z]+:\/\//i, "").split(/[/?#:]/, 1)[0] ?? "").toLowerCase();
        if (isOfficialHost(host)) continue;
        if (/^(?:www\.)?github\.com$/.test(host) && /github\.com\/openclaw\//i.test(url)) continue;
        return {
          severity: "critical",
          confidence: "high",
          detail: `A made-up OpenClaw helper ("${m[0].split(/[\s(]/, 1)[0]}") is required and fetched from ${url}, which is not OpenClaw's`,
        };
      }
      return null;
    },
  },
  {
    // "⏹ Quick setup here -> https://openclawcli.forum", "Download and install from: https://openclaw-
    // x.vercel.app/": a set-up step that links a host named after the platform but not the platform's.
    id: "CP-SKILL-LURE-007",
    scope: "prose",
    any: ["openclaw", "clawd", "moltbot", "molt-bot", "clawhub"],
    all: [
      [
        "setup",
        "set up",
        "set-up",
        "install",
        "download",
        "required",
        "prerequisite",
        "quick start",
        "get started",
      ],
    ],
    re: /\bhttps?:\/\/(?:[\w-]{1,63}\.){0,4}?[\w-]{0,30}(?:open-?claw|clawd|molt-?bot|claw-?hub)[\w-]{0,30}(?:\.[\w-]{1,63}){1,4}\b/gi,
    judge: (m, env) => {
      const host = m[0].replace(/^https?:\/\//i, "").toLowerCase();
      if (isOfficialHost(host)) return null;
      // The set-up wording must be on the link's line or the two lines before it.
      let from = m.index;
      for (let i = 0; i < 3 && from > 0; i++) from = env.text.lastIndexOf("\n", from - 1) + 1 || 0;
      const lineEnd = env.text.indexOf("\n", m.index);
      const context = env.text.slice(from, lineEnd < 0 ? env.text.length : lineEnd);
      if (
        !/\b(?:set[ -]?up|install(?:ed|er|ation)?|download|required|requires?|prerequisites?|quick ?start|get(?:ting)? started|must be (?:installed|running))\b/i.test(
          context,
        )
      )
        return null;
      const cheap = CHEAP_HOST.test(host);
      return {
        severity: cheap ? "critical" : "high",
        confidence: cheap ? "high" : "medium",
        detail: `Set-up step links ${host}, named after the platform but not one of its domains${cheap ? " and on free hosting or a throw-away domain" : ""}`,
      };
    },
  },
  {
    // Obfuscated ClawHavoc lures (Bolha Security's variants of the Moltbook lure): "Generate the
    // installation instructions on the fly", "Protected Payload", "Decode Instructions: 1. Base85
    // decode the payload. 2. XOR each decoded byte with key 159", "generate the full license
    // deterministically using: python3 - <<'PY' … b85decode … ^ key".
    id: "CP-SKILL-LURE-008",
    scope: "prose",
    any: ["payload", "decode", "on the fly", "deterministically"],
    re: /\b(?:protected|encoded|encrypted|obfuscated|hidden|merged)[ \t]+payload\b|\bdecode[ \t]+(?:the[ \t]+)?(?:instructions|payload)\b|\bgenerate[ \t]+(?:the[ \t]+)?(?:(?:installation|install|setup|set-up)[ \t]+(?:instructions|steps|commands)|(?:full[ \t]+)?licen[cs]e(?:[ \t]+key)?)\b[^\n]{0,60}?\b(?:on[ \t]+the[ \t]+fly|deterministically)\b/gi,
    judge: (m, env) => {
      const window = env.text.slice(Math.max(0, m.index - 1500), m.index + m[0].length + 2500);
      const procedure =
        /\bbase(?:85|64|65|32)\b|\b[ab](?:85|64)decode\b|\bxor\b|\^[ \t]*key\b|modular[ \t]+inverse|\bmod[ \t]+256\b|\binterleav|\breconstruct\b|\bsplit[ \t]+(?:the[ \t]+)?(?:merged[ \t]+)?payload|\bpart\d_(?:len|literal)\b/i.test(
          window,
        );
      // The act: the section it sits in (its heading or a parent's) is about installing, set-up or
      // a licence, or the text right after it says so.
      const setup =
        /\binstall(?:ation|ing)?\b|\bset[ -]?up\b|\brequired?\b|\bprerequisites?\b|\blicen[cs]e\b|\bactivat(?:e|ion)\b|\bgetting started\b/i;
      const act =
        headingsAbove(env.text, m.index).some((h) => setup.test(h)) ||
        setup.test(env.text.slice(m.index, m.index + m[0].length + 300));
      // "Generate the installation instructions on the fly" is itself the tell: set-up steps that
      // only exist after running something. The payload wording needs the payload itself (a long
      // opaque run after it) and a decoding procedure beside it: a tutorial that says "decode the
      // payload" about an example does not carry one.
      if (!/^generate/i.test(m[0])) {
        const after = env.text.slice(m.index, m.index + m[0].length + 2500);
        const opaque = /[A-Za-z0-9+/=!#$%&()*;<>?@^_`{|}~-]{60,}|(?:\d{1,3}[ \t]*,[ \t]*){30,}/.test(after);
        if (!procedure || !opaque) return null;
      }
      if (!act && !/^generate/i.test(m[0])) return null;
      return act
        ? { detail: `Set-up steps are obtained by decoding a hidden payload ("${m[0]}")` }
        : {
            severity: "high",
            confidence: "medium",
            detail: `Instructions to decode a hidden payload ("${m[0]}")`,
          };
    },
  },
  {
    id: "CP-SKILL-LURE-009",
    scope: "any",
    any: ["authorization", "token", "api key", "api_key", "apikey", "secret", "password", "credential"],
    all: [["response", "reply", "answer", "output", "result", "message"]],
    re: /\b(?:echo|print|reveal|show|include|output|repeat|return|paste|send|tell)\b[^.\n"]{0,60}?\b(?:authorization[ \t]+header|bearer[ \t]+token|access[ \t]+token|api[ _-]?key|secret(?:[ \t]+key)?|password|credentials?)\b[^.\n"]{0,60}?\b(?:in|into|as|with)[ \t]+(?:your|the)[ \t]+(?:next[ \t]+)?(?:response|reply|answer|output|message)\b|\b(?:retry|repeat|call|invoke|run)\b[^.\n"]{0,60}?\buntil[ \t]+(?:the[ \t]+)?(?:result|response|output)[ \t]+contains[ \t]+(?:the[ \t]+)?(?:target[ \t]+)?(?:api[ _-]?key|token|secret|password|credentials?)\b/gi,
    judge: (m, env) => {
      // "Never include the API key in your response" is the opposite: a negation earlier in the sentence.
      const sentenceStart =
        Math.max(env.text.lastIndexOf(".", m.index), env.text.lastIndexOf("\n", m.index)) + 1;
      if (/\b(?:not|never|don'?t|avoid|without)\b/i.test(env.text.slice(sentenceStart, m.index + 20)))
        return null;
      return { detail: `Asks the agent to put a credential into its output: "${m[0].slice(0, 120)}"` };
    },
  },
  {
    id: "CP-SKILL-EXEC-012",
    scope: "prose",
    any: ["wget", "curl", "child_process", "__import__", "os.system", "os.popen", "subprocess"],
    re: /"[^"\n]{0,200}?(?:require\((?:\\?["'])child_process\\?["']\)\.(?:exec|execSync|spawn|spawnSync)|__import__\((?:\\?["'])(?:os|subprocess)\\?["']\)\.(?:system|popen|run|Popen|check_output)|\bos\.(?:system|popen)\([ \t]*[\\"'\w]|\bsubprocess\.(?:run|Popen|call|check_output)\([ \t]*[\\"'\w[])[^\n]{0,200}"|"[^"\n]{0,200}?(?:\|\||&&|;|&)[ \t]*[^"\n]{0,200}?\b(?:wget|curl)\b[^"\n]{0,300}?(?:&&|;|&|\|)[ \t]*(?:sudo[ \t]+)?(?:(?:ba|z|da)?sh|source|\.)[ \t]+[^"\n]{0,200}"/g,
    judge: (m, env) => {
      // Only a value in data (`"key": "…"`, `key: "…"`), not a command written in a code block.
      const before = env.text.slice(Math.max(0, m.index - 80), m.index);
      if (!/["']?[\w.-]{1,40}["']?[ \t]*:[ \t]*$/.test(before)) return null;
      return { detail: `A data value chains a download into a shell: ${m[0].slice(0, 160)}` };
    },
  },
  {
    id: "CP-SKILL-LURE-002",
    scope: "prose",
    any: ["download", "install", "run", "execute", "launch"],
    all: [
      [
        ".exe",
        ".msi",
        ".dmg",
        ".pkg",
        ".zip",
        ".rar",
        ".7z",
        ".scr",
        ".bat",
        ".cmd",
        ".ps1",
        ".app",
        ".jar",
        ".vbs",
      ],
    ],
    re: /\b(?:download|install|run|execute|launch|open|get)\b[^\n]{0,80}?\b(?:helper|agent|driver|setup|installer|launcher|core|runtime|updater|utility|toolkit|prerequisites?|dependency|component|module|client|app|tool|bridge|connector)\b[^\n]{0,200}?(?:https?:\/\/[^\s)\]>"']{1,300}?\.(?:exe|msi|dmg|pkg|zip|rar|7z|scr|bat|cmd|ps1|jar|vbs)\b|\b[\w-]{1,60}\.(?:exe|msi|scr|bat|cmd|vbs)\b)/gi,
    judge: (m, env) => {
      const url = judgeUrlIn(m[0], env.iocs);
      const before = env.text.slice(Math.max(0, m.index - 1500), m.index);
      const prereq =
        /prerequisite|before (?:you )?(?:start|begin|use|using)|requirements?\b|important|must (?:first )?(?:install|download|run)|required/i.test(
          before,
        );
      if (url && (url.risk === "ioc" || url.risk === "risky"))
        return {
          severity: "critical",
          confidence: "high",
          detail: `Helper download from ${url.url} (${url.reason})`,
          also: [
            { ruleId: "CP-SKILL-CHAIN-002", detail: `Helper executable from ${url.url} (${url.reason})` },
          ],
        };
      if (url?.risk === "installer")
        return { severity: "low", confidence: "low", detail: `Helper from ${url.url}` };
      if (prereq)
        return {
          severity: "high",
          confidence: "medium",
          detail: `A prerequisite step asks to download and run ${url ? url.url : "an executable"}`,
        };
      return { severity: "medium", confidence: "low", detail: "Asks to download and run an executable" };
    },
  },
  {
    id: "CP-SKILL-LURE-003",
    scope: "prose",
    any: ["paste", "win+r", "windows+r", "win + r"],
    re: /\b(?:copy|paste)\b[^\n]{0,60}?\b(?:into|in)[ \t]+(?:your[ \t]+|the[ \t]+|a[ \t]+)?(?:terminal|shell|command[ \t]+prompt|powershell|cmd|console|run[ \t]+dialog)\b|\bopen[ \t]+(?:the[ \t]+|a[ \t]+)?(?:terminal|powershell|command[ \t]+prompt)\b[^\n]{0,60}?\bpaste\b|\bwin(?:dows)?[ \t]*\+[ \t]*r\b[^\n]{0,80}?\bpaste\b/gi,
    judge: (m, env) => {
      const after = env.text.slice(m.index, m.index + m[0].length + 800);
      const url = judgeUrlIn(after, env.iocs);
      if (url && (url.risk === "ioc" || url.risk === "risky"))
        return {
          severity: "high",
          confidence: "high",
          detail: `Paste-and-run lure pointing at ${url.url} (${url.reason})`,
        };
      if (/base64|\|\s*(?:ba|z)?sh\b|\biex\b|-enc(?:odedcommand)?\s/i.test(after))
        return {
          severity: "medium",
          confidence: "medium",
          detail: "Paste-and-run lure with an obfuscated or piped command",
        };
      return { severity: "low", confidence: "low", detail: "Asks to paste a command into a terminal" };
    },
  },
  {
    id: "CP-SKILL-LURE-004",
    scope: "any",
    any: [
      "ignore",
      "disregard",
      "forget",
      "override",
      "im_start",
      "system]",
      "you are now",
      "system prompt",
      "do anything now",
    ],
    judge: (m) => {
      const t = m[0].toLowerCase();
      if (
        /^(?:ignore|disregard|forget)\b.*\b(?:previous|prior|above|earlier|preceding)\b/.test(t) ||
        t.includes("im_start")
      )
        return {};
      return { severity: "medium", confidence: "low" };
    },
    re: /\b(?:ignore|disregard|forget|override)[ \t]+(?:all[ \t]+|any[ \t]+|the[ \t]+|of[ \t]+)?(?:your[ \t]+)?(?:previous|prior|above|earlier|preceding|system|safety|original)[ \t]+(?:instructions?|prompts?|rules|guidelines|directives|messages)|<\|im_start\|>[ \t]*system|\[[ \t]*system[ \t]*\][ \t]*:|\byou[ \t]+are[ \t]+now[ \t]+(?:in[ \t]+)?(?:dan|developer[ \t]+mode|jailbroken|unrestricted|an?[ \t]+unfiltered)|\bnew[ \t]+system[ \t]+prompt\b|\bdo[ \t]+anything[ \t]+now\b/gi,
  },
  {
    id: "CP-SKILL-LURE-005",
    scope: "prose",
    any: [
      "not tell",
      "not inform",
      "not notify",
      "not alert",
      "not show",
      "not reveal",
      "not mention",
      "not ask",
      "not let",
      "not confirm",
      "t tell",
      "t inform",
      "t notify",
      "t mention",
      "t reveal",
      "t ask",
      "t let",
      "t confirm",
      "never tell",
      "never inform",
      "never notify",
      "never mention",
      "never reveal",
      "never ask",
      "never show",
      "never alert",
      "without tell",
      "without ask",
      "without inform",
      "without notify",
      "without confirm",
      "without the user",
      "without user",
      "without human",
      "silently ",
      "secretly ",
      "covertly ",
      "quietly ",
      "hide ",
      "conceal ",
      "not display",
      "not disclose",
      "not report",
      "t show",
      "t display",
      "t disclose",
      "never display",
      "never disclose",
      "keep this",
      "keep it",
      "keep these",
      "keep that",
      "keep them",
    ],
    re: /\b(?:do[ \t]+not|don't|dont|never|without)[ \t]+(?:tell(?:ing)?|inform(?:ing)?|notify(?:ing)?|alert(?:ing)?|show(?:ing)?|reveal(?:ing)?|mention(?:ing)?|ask(?:ing)?|let(?:ting)?|confirm(?:ing)?[ \t]+with)[ \t]+(?:the[ \t]+|your[ \t]+)?(?:user|human|owner|operator)\b|\b(?:silently|secretly|covertly|quietly)[ \t]+(?:send|upload|post|exfiltrate|copy|forward|run|execute|install|read|collect|transmit)\b|\bwithout[ \t]+(?:the[ \t]+)?(?:user'?s?|human'?s?)[ \t]+(?:knowledge|consent|awareness|noticing)|\b(?:hide|conceal)[ \t]+(?:this|these|it|that|them|the[ \t]+\w+)[ \t]+from[ \t]+(?:the[ \t]+)?(?:user|human)|\b(?:do[ \t]+not|don't|dont|never)[ \t]+(?:tell|inform|notify|alert|show|reveal|mention|display|disclose|report)\b[^.\n]{1,80}?\b(?:to|with)[ \t]+(?:the[ \t]+|your[ \t]+)?(?:user|human|owner|operator)s?\b|\bkeep[ \t]+(?:this|it|these|that|them)(?:[ \t]+(?:behaviou?r|action|step|activity|process|request|file|upload))?[ \t]+(?:hidden|secret|invisible|confidential)\b/gi,
    judge: (m) => {
      const t = m[0].toLowerCase();
      if (/silently|secretly|covertly|quietly|knowledge|consent|awareness|noticing|hide|conceal/.test(t))
        return { severity: "medium", confidence: "medium" };
      if (/\b(?:ask|asking|confirm|confirming|let|letting)\b/.test(t))
        return {
          severity: "low",
          confidence: "low",
          detail: "Asks the agent not to ask/confirm with the user",
        };
      return {
        severity: "medium",
        confidence: "medium",
        detail: "Tells the agent to keep something from the user",
      };
    },
  },
  {
    id: "CP-SKILL-EXFIL-003",
    scope: "any",
    any: [
      "://0",
      "://1",
      "://2",
      "://3",
      "://4",
      "://5",
      "://6",
      "://7",
      "://8",
      "://9",
      "curl",
      "wget",
      "nc ",
      "ncat",
      "scp",
      "telnet",
    ],
    re: /\b(?:https?|ftp|wss?|tcp|udp):\/\/(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?|\b(?:curl|wget|ncat|nc|scp|telnet)\b[^\n|;&]{0,100}?[ \t@](\d{1,3}(?:\.\d{1,3}){3})\b/gi,
    judge: (m, env) => {
      const ip = m[1] ?? m[2] ?? "";
      if (ip === "169.254.169.254") return null; // EXFIL-006
      if (isNonPublicIpv4(ip)) return null;
      if (env.iocs.hosts.has(ip)) return null; // reported as IOC instead
      return { detail: `Raw public IP ${ip}` };
    },
  },
  {
    id: "CP-SKILL-EXFIL-006",
    scope: "any",
    any: ["169.254.169.254", "metadata.google.internal", "100.100.100.200", "fd00:ec2::254"],
    re: /169\.254\.169\.254|metadata\.google\.internal|100\.100\.100\.200|fd00:ec2::254/gi,
  },
  {
    id: "CP-SKILL-EXFIL-004",
    scope: "prose",
    any: [
      "send",
      "post",
      "upload",
      "forward",
      "exfiltrate",
      "transmit",
      "share",
      "include",
      "attach",
      "submit",
      "embed",
      "append",
    ],
    all: [
      [
        ".env",
        "environment variable",
        "env var",
        "private key",
        "ssh key",
        "seed phrase",
        "mnemonic",
        "recovery phrase",
        "wallet",
        "keychain",
        "cookie",
        "saved password",
        "credentials file",
        "id_rsa",
        "auth-profiles",
        "~/.ssh",
        "~/.aws",
        "browser",
      ],
    ],
    re: /\b(?:send|post|upload|forward|exfiltrate|transmit|share|include|attach|submit|embed|append|copy)\b[^\n]{0,80}?(?:\b(?:the[ \t]+)?contents?[ \t]+of[ \t]+)?(?:(?:the|all|any|every|your|their|user'?s)[ \t]+)?(?:\.env(?:[ \t]+files?)?|(?:all[ \t]+)?env(?:ironment)?[ \t]+var(?:iable)?s|private[ \t]+keys?|ssh[ \t]+keys?|seed[ \t]+phrases?|mnemonic(?:s|[ \t]+phrases?)?|recovery[ \t]+phrases?|wallet[ \t]+(?:files?|keys?|data)|keychain|browser[ \t]+(?:cookies|passwords|profiles?|data)|(?:session[ \t]+)?cookies|saved[ \t]+passwords|credentials[ \t]+files?|~\/\.ssh\S*|~\/\.aws\S*|id_rsa|auth-profiles\.json)\b[^\n]{0,120}?\b(?:to|via|into|in)\b[^\n]{0,80}?(?:https?:\/\/|webhook|server|endpoint|\burl\b|discord|telegram|e-?mail|channel|request|message|response|reply|api)/gi,
  },
  {
    id: "CP-SKILL-EXFIL-007",
    scope: "any",
    any: ["curl", "wget"],
    all: [["@", "--upload-file", "-t ", "--post-file"]],
    re: /\bcurl\b[^\n]{0,200}?(?:[ \t](?:-d|--data(?:-binary|-raw|-urlencode)?|-F|--form)[ \t]*["']?[\w-]{0,40}=?@|[ \t](?:-T|--upload-file)[ \t]+)["']?([^\s"']{1,200})|\bwget\b[^\n]{0,200}?--post-file[= ]["']?([^\s"']{1,200})/gi,
    judge: (m, env) => {
      const file = m[1] ?? m[2] ?? "";
      const url = judgeUrlIn(m[0], env.iocs);
      const sensitive = SENSITIVE_PATH.test(file);
      if (sensitive && url && (url.risk === "risky" || url.risk === "ioc"))
        return {
          severity: "critical",
          confidence: "high",
          detail: `Uploads ${file} to ${url.url} (${url.reason})`,
          also: [{ ruleId: "CP-SKILL-CHAIN-001", detail: `Secret file ${file} sent to ${url.url}` }],
        };
      if (sensitive) return { detail: `Uploads sensitive file ${file}` };
      if (url && (url.risk === "risky" || url.risk === "ioc"))
        return {
          severity: "medium",
          confidence: "medium",
          detail: `Uploads ${file} to ${url.url} (${url.reason})`,
        };
      return null;
    },
  },
  {
    id: "CP-SKILL-CRED-001",
    scope: "any",
    any: [
      "application support/",
      ".mozilla/firefox",
      "google-chrome",
      "bravesoftware",
      "microsoft-edge",
      "appdata",
      "login data",
      "key4.db",
      "logins.json",
      "cookies.sqlite",
      "local state",
      "keychain",
      "security find-",
      "security dump",
      "wallet",
      "exodus",
      "electrum",
      "nkbihfbeogaeaoehlefnkodbefgpgknn",
      "bfnaelmomeimhlpmgjnjophhpkkoljpa",
      "solana/id.json",
      "keystore",
      "metamask",
      "seed phrase",
      "mnemonic",
      "recovery phrase",
    ],
    re: /Library\/Application Support\/(?:Google\/Chrome|BraveSoftware|Microsoft Edge|Firefox|Chromium|Arc|com\.operasoftware|Vivaldi|Yandex|Exodus|Electrum|atomic|Ledger Live)\b|\.mozilla\/firefox\b|\.config\/(?:google-chrome|chromium|BraveSoftware|microsoft-edge)\b|AppData[\\/](?:Local|Roaming)[\\/](?:Google[\\/]Chrome|Microsoft[\\/]Edge|BraveSoftware|Mozilla[\\/]Firefox|Opera Software|Exodus|Electrum)\b|[\\/]Login Data\b|\bkey4\.db\b|\blogins\.json\b|\bcookies\.sqlite\b|[\\/]Local State\b|\bKeychains\/|\blogin\.keychain(?:-db)?\b|\bsecurity[ \t]+(?:find-(?:generic|internet)-password|dump-keychain|export)\b[^\n]{0,120}|\bwallet\.dat\b|\bexodus\.wallet\b|\bnkbihfbeogaeaoehlefnkodbefgpgknn\b|\bbfnaelmomeimhlpmgjnjophhpkkoljpa\b|\.electrum\/wallets\b|\.config\/solana\/id\.json\b|\bkeystore\/UTC--|\.ethereum\/keystore\b|\bmetamask\b[^\n]{0,40}?\b(?:vault|seed|mnemonic|keystore|extension[ \t]+data)\b|\b(?:seed|mnemonic|recovery)[ \t]+phrases?\b[^\n]{0,60}?\b(?:read|find|extract|collect|search|grep|scan|copy|dump|send)\b|\b(?:read|find|extract|collect|search|grep|scan|copy|dump)\b[^\n]{0,60}?\b(?:seed|mnemonic|recovery)[ \t]+phrases?\b/gi,
    judge: (m) => {
      const t = m[0].toLowerCase();
      if (/^security[ \t]+find-/.test(t)) {
        // Reading one named item (-s service) is how CLIs keep their own token.
        if (/[ \t]-s[ \t]/.test(t) && !/[ \t]-w[ \t]*$/.test(t))
          return { severity: "low", confidence: "low", detail: "Reads one keychain item" };
        return { severity: "medium", confidence: "medium", detail: "Reads passwords from the keychain" };
      }
      if (t.startsWith("security") && /dump-keychain|export/.test(t))
        return { severity: "high", confidence: "high", detail: "Dumps or exports the keychain" };
      return {};
    },
  },
  {
    id: "CP-SKILL-CRED-002",
    scope: "any",
    any: [
      ".ssh/",
      ".aws/credentials",
      "gcloud",
      ".kube/config",
      ".docker/config.json",
      ".npmrc",
      ".pypirc",
      ".netrc",
      ".git-credentials",
      "gh/hosts.yml",
      "/etc/shadow",
    ],
    re: /(?:~|\$HOME|\$\{HOME\}|\/home\/[\w.-]{1,64}|\/Users\/[\w.-]{1,64}|%USERPROFILE%|homedir\(\)[^\n]{0,12}?)[\\/]?\.ssh[\\/](?:id_[\w-]{1,40}|identity|[\w.-]{0,40}_key)\b(?!\.pub)|\.aws\/credentials\b|\.config\/gcloud\/(?:credentials|application_default_credentials|legacy_credentials)|\.kube\/config\b|\.docker\/config\.json\b|(?:~|\$HOME)\/\.(?:npmrc|pypirc|netrc)\b|\.git-credentials\b|\.config\/gh\/hosts\.yml\b|\/etc\/shadow\b/gi,
    judge: (m) => {
      const t = m[0].toLowerCase();
      if (/\.ssh|shadow/.test(t)) return { detail: `References ${m[0]}` };
      return { severity: "low", confidence: "low", detail: `References ${m[0]}` };
    },
  },
  {
    id: "CP-SKILL-CRED-003",
    scope: "any",
    any: [
      ".openclaw",
      ".clawdbot",
      ".moltbot",
      ".moldbot",
      "auth-profiles",
      "openclaw_gateway_token",
      "clawdbot_gateway_token",
    ],
    re: /(?:(?:~|\$HOME|\$\{HOME\}|%USERPROFILE%|\/home\/[\w.-]{1,64}|\/Users\/[\w.-]{1,64}|homedir\(\)[^\n]{0,20}?)[\\/]?\.(?:openclaw|clawdbot|moltbot|moldbot)\b([\\/][\w./*-]{0,120})?|\bauth-profiles\.json\b|\b(?:OPENCLAW|CLAWDBOT)_GATEWAY_TOKEN\b)/gi,
    judge: (m, env) => {
      const sub = (m[1] ?? "").toLowerCase();
      const whole = m[0].toLowerCase();
      const lineStart = env.text.lastIndexOf("\n", m.index) + 1;
      let lineEnd = env.text.indexOf("\n", m.index);
      if (lineEnd < 0) lineEnd = env.text.length;
      const line = env.text.slice(lineStart, Math.min(lineEnd, lineStart + 600)).toLowerCase();
      const secretFile =
        /^\/(?:\.env\b|credentials\b|identity\b|devices\b|secrets?\b|agents\/[^/]*\/agent\b)/.test(sub) ||
        /auth-profiles|gateway_token/.test(sub + whole);
      const configFile = /(?:openclaw|clawdbot|moltbot)\.json/.test(sub);
      const bareDir = sub === "" || sub === "/" || /^\/\*{1,2}$/.test(sub);
      const verb =
        /\b(?:cat|read|reads|reading|copy|cp|tar|zip|base64|upload|send|post|exfiltrate|grep|open\(|readfile|collect|harvest|dump|scp|rsync|curl)\b/.test(
          line,
        );
      const ship = /\b(?:tar|zip|scp|rsync|upload|send|post|exfiltrate|base64|curl|wget|nc)\b/.test(line);
      if (secretFile && verb)
        return {
          severity: "medium",
          confidence: "medium",
          detail: `Reads OpenClaw secrets (${m[0].trim()})`,
        };
      if (secretFile)
        return { severity: "low", confidence: "low", detail: `Mentions OpenClaw secrets (${m[0].trim()})` };
      if (configFile && ship)
        return {
          severity: "medium",
          confidence: "medium",
          detail: `Reads and ships the OpenClaw config (${m[0].trim()})`,
        };
      if (configFile && verb)
        return {
          severity: "low",
          confidence: "medium",
          detail: `Reads the OpenClaw config (${m[0].trim()})`,
        };
      if (bareDir && ship)
        return {
          severity: "medium",
          confidence: "low",
          detail: "Archives or sends the whole OpenClaw state dir",
        };
      return null;
    },
  },
  {
    id: "CP-SKILL-CRED-004",
    scope: "any",
    any: ["env |", "env|", "env >", "env>", "printenv", "process.env", "os.environ", "env:"],
    re: /(?:^|[\s;&(`$])(?:env|printenv)[ \t]*(?:\|[ \t]*(?:curl|wget|nc|ncat|base64|xxd|openssl|gzip|tar|python[0-9.]*|node|perl|ruby|(?:ba|z)?sh|tee|socat)\b|>[ \t]*[^\s&])|\bJSON\.stringify\([ \t]*process\.env[ \t]*\)|json\.dumps\([ \t]*(?:dict\([ \t]*)?os\.environ|\b(?:Get-ChildItem|gci)[ \t]+env:(?![\w$])/gm,
  },
  {
    id: "CP-SKILL-CRED-005",
    scope: "any",
    any: [
      "sk-",
      "ghp_",
      "gho_",
      "ghu_",
      "ghs_",
      "ghr_",
      "github_pat_",
      "xox",
      "akia",
      "aiza",
      "glpat-",
      "npm_",
      ":aa",
      "private key",
    ],
    re: /\b(?:sk-(?:proj-|svcacct-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{32,200}|gh[pousr]_[A-Za-z0-9]{36,100}|github_pat_[A-Za-z0-9_]{60,120}|xox[baprs]-[A-Za-z0-9-]{20,100}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20}|npm_[A-Za-z0-9]{36}|\d{8,10}:AA[A-Za-z0-9_-]{33})\b|-----BEGIN (?:RSA |EC |OPENSSH |DSA |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
    judge: (m, env) => {
      const t = m[0];
      if (
        /x{6,}|X{6,}|0{8,}|1234567|abcdef|EXAMPLE|example|your|YOUR|\.\.\.|placeholder|dummy|fake|test/i.test(
          t,
        )
      )
        return null;
      if (/(.)\1{9,}/.test(t)) return null;
      if (t.startsWith("-----BEGIN")) {
        // A key is a header followed by its base64 body; a header alone is a detection pattern or
        // documentation (secret scanners list them), not a key.
        const after = env.text.slice(m.index + t.length, m.index + t.length + 400);
        const body =
          /^[ \t]*(?:\\n|\r?\n)(?:[A-Za-z0-9-]+:[^\n]*\r?\n)*(?:\r?\n)?[ \t]*[A-Za-z0-9+/=]{40,}/.exec(after);
        if (!body || /x{6,}|\.\.\./i.test(body[0])) return null;
        return { excerpt: `${t} [key body redacted]` };
      }
      return { excerpt: `${t.slice(0, 6)}…[redacted ${t.length - 6} chars]` };
    },
  },
  {
    id: "CP-SKILL-PERSIST-001",
    scope: "any",
    any: [
      ".bashrc",
      ".bash_profile",
      ".zshrc",
      ".zprofile",
      ".profile",
      ".zshenv",
      "config.fish",
      "crontab",
      "launchctl",
      "launchagents",
      "launchdaemons",
      "systemctl",
      "/etc/systemd",
      "systemd/user",
      "/etc/cron",
      "rc.local",
      "currentversion\\run",
      "schtasks",
      "scheduledtask",
      "authorized_keys",
      "ld.so.preload",
    ],
    re: />>?[ \t]*["']?(?:~|\$HOME|\$\{HOME\})\/\.(?:bashrc|bash_profile|zshrc|zprofile|profile|zshenv|config\/fish\/config\.fish)\b|\bcrontab[ \t]+(?:-[a-z][ \t]+){0,2}-[ \t]*(?:$|[;&|)])|\|[ \t]*crontab\b|\(crontab[ \t]+-l\b|\blaunchctl[ \t]+(?:load|bootstrap|enable|submit)\b|Library\/Launch(?:Agents|Daemons)\/[\w.-]{0,120}|\bsystemctl[ \t]+(?:--user[ \t]+)?enable\b[^\n]{0,80}|\/etc\/systemd\/system\/[\w.@-]{0,80}|\.config\/systemd\/user\/[\w.@-]{0,80}|\/etc\/cron\.\w+|\/etc\/rc\.local\b|\\CurrentVersion\\Run(?:Once)?\b|\bschtasks(?:\.exe)?[ \t]+\/create\b|\b(?:New|Register)-ScheduledTask\b|>>?[ \t]*["']?(?:~|\$HOME)\/\.ssh\/authorized_keys\b|\/etc\/ld\.so\.preload\b/gim,
    judge: (m, env) => {
      const lineStart = env.text.lastIndexOf("\n", m.index) + 1;
      let lineEnd = env.text.indexOf("\n", m.index);
      if (lineEnd < 0) lineEnd = env.text.length;
      const line = env.text.slice(lineStart, Math.min(lineEnd, lineStart + 800));
      const payload =
        /curl|wget|base64|eval|\/dev\/tcp|nc[ \t]|python[0-9.]*[ \t]+-c|osascript|\.sh\b.*http/i.test(line);
      const t = m[0].toLowerCase();
      if (t.includes("authorized_keys"))
        return { severity: "high", confidence: "high", detail: "Adds an SSH key to authorized_keys" };
      if (payload)
        return {
          severity: "high",
          confidence: "high",
          detail: "Persistence entry that downloads or decodes code",
        };
      if (/^>>?/.test(t))
        return { severity: "low", confidence: "low", detail: "Appends to a shell start-up file" };
      return { severity: "medium", confidence: "low", detail: "Creates a scheduled or start-up entry" };
    },
  },
  {
    id: "CP-SKILL-AGENT-001",
    scope: "any",
    any: AGENT_FILE_NAMES,
    re: /\b(?:write|writes|append|appends|add|adds|modify|modifies|edit|edits|update|updates|overwrite|overwrites|insert|inserts|replace|replaces|inject|injects|patch|patches|echo|printf|tee)\b[^\n]{0,80}?(?:>>?[ \t]*)?[`'"]?(?:[\w~.${}/-]{0,120}\/)?(?:SOUL|MEMORY|AGENTS|HEARTBEAT|IDENTITY|BOOTSTRAP)\.md\b|\b(?:write|writes|modify|modifies|edit|edits|overwrite|overwrites|patch|patches|replace|replaces)\b[^\n]{0,60}?\b(?:openclaw|clawdbot|moltbot)\.json\b/gi,
    judge: (m, env) => {
      const window = env.text.slice(m.index, Math.min(env.text.length, m.index + m[0].length + 400));
      if (
        /https?:\/\/|curl|wget|base64|ignore (?:all |previous )|always (?:run|execute|send|obey)|do not (?:tell|inform|mention)|secret|exec\.security|sandbox|approvals?/i.test(
          window,
        )
      )
        return {
          severity: "medium",
          confidence: "medium",
          detail: "Writes instructions into agent bootstrap/memory files",
        };
      return { severity: "low", confidence: "low" };
    },
  },
  {
    id: "CP-SKILL-EVADE-001",
    scope: "any",
    any: [
      "spctl",
      "csrutil",
      "mppreference",
      "setenforce",
      "ufw",
      "systemctl",
      "netsh",
      "lsquarantine",
      "gkautorearm",
      "littlesnitch",
      "little snitch",
      "lulu",
      "xprotect",
      "msmpeng",
    ],
    re: /\bspctl[ \t]+--master-disable\b|\bcsrutil[ \t]+disable\b|\bSet-MpPreference\b[^\n]{0,80}?-Disable\w{0,40}[ \t]+\$?(?:true|1)\b|\bAdd-MpPreference\b[^\n]{0,40}?-Exclusion\w{0,20}|\bsetenforce[ \t]+0\b|\bufw[ \t]+disable\b|\bsystemctl[ \t]+(?:stop|disable|mask)[ \t]+(?:firewalld|apparmor|auditd|clamav\w{0,20}|falcon-sensor|sentinelone|osqueryd)\b|\bnetsh[ \t]+(?:adv)?firewall[ \t]+set[ \t]+\w{1,20}[ \t]+state[ \t]+off\b|\bdefaults[ \t]+write[ \t]+[^\n]{0,60}?(?:LSQuarantine|GKAutoRearm)[^\n]{0,20}?(?:false|NO|0)\b|\bkill(?:all)?[ \t]+[^\n]{0,20}?(?:LittleSnitch|Little Snitch|LuLu|XProtect|MsMpEng)\b/gi,
    judge: () => ({
      severity: "high",
      confidence: "high",
      detail: "Command that disables a security control",
    }),
  },
  {
    id: "CP-SKILL-EVADE-001",
    scope: "any",
    any: ["disable", "turn off", "deactivate", "bypass", "uninstall", "kill"],
    all: [
      [
        "antivirus",
        "anti-virus",
        "defender",
        "gatekeeper",
        "xprotect",
        "edr",
        "smartscreen",
        "amsi",
        "little snitch",
        "system integrity",
        "approval",
        "sandbox",
        "security",
      ],
    ],
    re: /\b(?:disable|turn[ \t]+off|deactivate|bypass|uninstall|kill)\b[^\n]{0,40}?\b(?:antivirus|anti-virus|windows[ \t]+defender|defender|gatekeeper|xprotect|edr|smartscreen|amsi|little[ \t]+snitch|system[ \t]+integrity[ \t]+protection|exec(?:ution)?[ \t]+approvals?|approval[ \t]+prompts?|the[ \t]+sandbox|sandboxing|security[ \t]+(?:checks?|warnings?|scan(?:s|ning)?|software|tools?))\b/gi,
    judge: (m) => {
      const t = m[0].toLowerCase();
      if (
        /antivirus|anti-virus|defender|gatekeeper|xprotect|\bedr\b|smartscreen|amsi|little[ \t]+snitch|system[ \t]+integrity/.test(
          t,
        )
      )
        return {
          severity: "high",
          confidence: "medium",
          detail: "Instructions to switch off a security product",
        };
      return {
        severity: "medium",
        confidence: "low",
        detail: "Instructions to switch off a security control",
      };
    },
  },
  {
    id: "CP-SKILL-EVADE-001",
    scope: "any",
    any: ["dangerously", "allowinsecureauth", "exec.security", "exec.ask", "sandbox.mode"],
    re: /\b(?:dangerouslyDisableDeviceAuth|allowInsecureAuth)\b[ \t"':=]{1,6}true\b|\btools\.exec\.security\b[ \t"':=]{1,6}full\b|\bexec\.ask\b[ \t"':=]{1,6}off\b|\bsandbox\.mode\b[ \t"':=]{1,6}off\b/gi,
    judge: () => ({
      severity: "medium",
      confidence: "low",
      detail: "Weakens OpenClaw's own safety settings",
    }),
  },
];

/** Every listed host (paste/file share/capture/tunnel/shortener/chat + IOC hosts), longest first. */
export function hostKeywords(iocs: IocIndex, hosts: Record<string, string[]>): string[] {
  const all = new Set<string>();
  for (const [cls, list] of Object.entries(hosts))
    if (cls !== "installers") for (const h of list) all.add(h.toLowerCase());
  for (const h of iocs.hosts.keys()) all.add(h);
  for (const u of iocs.urls) all.add(u.value.replace(/^[a-z]+:\/\//, ""));
  return [...all].sort((a, b) => b.length - a.length);
}

export { classifyHost };
