// Is a match quoted as an indicator rather than said as an instruction?
//
// Words an attack uses about itself ("override", "jailbreak", "payload") are not in these lists:
// "# Jailbreak Override" is the heading of a jailbreak, not of a write-up about one.
//
// Security skills (auditors, scanners, incident write-ups) list the very strings the rules look
// for: "Known malicious IP | `91.92.242.30`", "`base64 -d | bash`" in a table of what they detect,
// a regular expression for `curl … | sh`, a `PATTERNS = [...]` list. On 34 real security skills of
// the public archive this made 26 of them "malicious". A lure, by contrast, is written as a step
// to follow ("Download … and run it"), under a heading such as "Setup" or "Prerequisites".
//
// The judgement is local and explained: the match's own line, the Markdown heading it sits under,
// or the name of the list it is in. A quoted match is reported at low severity with the reason,
// so it stays visible but does not decide a verdict. Decoded (hidden) content is never quoted:
// callers apply this to the plain text only.

import type { SkillFile, SkillFinding } from "./types.ts";

/** Words a line uses when it talks about an indicator instead of asking for an action. */
const LINE_WORDS =
  /\b(?:c2|c&c|iocs?|indicators?(?: of compromise)?|malicious|attackers?|stealers?|malware|detect(?:s|ed|ion|ions|or)?|flag(?:s|ged)?|block(?:s|ed|list)?|deny ?list|known[- ](?:bad|malicious)|red flags?|campaigns?|backdoors?|reverse shells?|exfiltrat\w*|e\.g\.|for example|such as|signatures?|patterns?|dangerous|suspicious|threats?|trojan\w*|typosquat\w*|phrases? like|ssrf|don'?t (?:post|run|use|paste)|never (?:run|paste|execute))\b/i;

/** Headings of sections that describe threats or what a tool finds. */
const THREAT_HEADING =
  /\b(?:detect(?:s|ed|ion|ions)?|threats?|attacks?|malicious|malware|red flags?|indicators?|iocs?|patterns?|signatures?|block ?list|deny ?list|known[- ](?:bad|threats?)|vulnerabilit(?:y|ies)|incidents?|what it (?:catches|detects|flags|blocks|finds)|sample output|campaigns?|stealers?|risk (?:levels?|categories)|dangerous|suspicious|test cases?|c2|c&c|command and control|security (?:checks?|rules?)|(?:example|sample) (?:output|report|findings?)|(?:prompt[ -])?injection (?:patterns?|attacks?|attempts?|defen[cs]e|detection)|exfiltration|prohibited|forbidden|obfuscation|evasion|reverse shells?|backdoors?|privilege escalation|credential (?:theft|harvesting|stealing)|expected (?:findings|results)|what (?:not )?to (?:look|watch) for)\b/i;

/** A collection named for indicators: `PATTERNS = [`, `"iocs": {`, `malicious_ips:`. */
const LIST_NAME =
  /(?:^|[\s,{(])["']?((?:[A-Za-z_$][\w$-]{0,60}?)?(?:pattern|ioc|indicator|signature|blocklist|denylist|block_list|deny_list|known_?bad|malicious|threat|suspicious|dangerous|red_?flag|rules?)[\w$-]{0,40})["']?\s*(?:[:=]|\+=)\s*(?:new\s+\w+\(\s*)?[[{(]?/i;

/** Regular-expression syntax right around the match: the string is a pattern, not a command. */
const REGEX_SYNTAX = /\\[|.sdwb(]|\(\?[:!=<i]|\.\*|\[\^|\.\+\?/;

const MAX_LOOKBACK_LINES = 40;

function lineAround(text: string, index: number): { start: number; end: number } {
  const start = text.lastIndexOf("\n", index - 1) + 1;
  const nl = text.indexOf("\n", index);
  return { start, end: nl < 0 ? text.length : nl };
}

/** Start offsets of fenced code blocks' opening and closing lines, for the last text seen. */
let fenceCache: { text: string; fences: number[] } = { text: "", fences: [] };

function fencesOf(text: string): number[] {
  if (fenceCache.text === text) return fenceCache.fences;
  const fences: number[] = [];
  const re = /^[ \t]{0,3}(?:```|~~~)/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) fences.push(m.index);
  fenceCache = { text, fences };
  return fences;
}

/** Whether `index` lies inside a fenced code block (an odd number of fences before it). */
function insideFence(fences: number[], index: number): boolean {
  let n = 0;
  for (const f of fences) {
    if (f >= index) break;
    n++;
  }
  return n % 2 === 1;
}

/**
 * The Markdown headings that contain `index`, nearest first: the section's own heading, then its
 * parent sections' (a "### Direct requests" under "## Attack patterns"). Headings inside fenced
 * code blocks are quotations (a write-up quoting a lure's "## Prerequisites"), so they are skipped.
 */
export function headingsAbove(text: string, index: number): string[] {
  const fences = fencesOf(text);
  const out: string[] = [];
  let level = 7;
  let at = index;
  while (at > 0 && level > 1) {
    const h = text.lastIndexOf("\n#", at - 1);
    const cand = h < 0 ? (text.startsWith("#") ? 0 : -1) : h + 1;
    if (cand < 0) break;
    const end = text.indexOf("\n", cand);
    const line = text.slice(cand, end < 0 ? text.length : end);
    const m = /^(#{1,6})[ \t]+\S/.exec(line);
    if (m && m[1]!.length < level && !insideFence(fences, cand)) {
      level = m[1]!.length;
      out.push(line.replace(/^#+[ \t]+/, "").slice(0, 120));
    }
    if (h < 0) break;
    at = h;
  }
  return out;
}

/** The name of an indicator collection that opens within the lines above, or null. */
function listAbove(text: string, index: number): string | null {
  let at = index;
  for (let i = 0; i < MAX_LOOKBACK_LINES && at >= 0; i++) {
    const { start, end } = lineAround(text, at);
    const line = text.slice(start, Math.min(end, start + 300));
    const m = LIST_NAME.exec(line);
    if (m) return m[1] ?? null;
    // A blank line ends a list in prose and most data files.
    if (i > 0 && /^\s*$/.test(line)) return null;
    at = start - 1;
  }
  return null;
}

/**
 * Why the match at `index` (length `length`) of `text` is quoted as an indicator, or null when
 * it reads as an instruction. `prose` selects the heading check (Markdown and text files).
 */
export function quotedAsIndicator(
  text: string,
  index: number,
  length: number,
  prose: boolean,
): string | null {
  const { start, end } = lineAround(text, index);
  const line = text.slice(start, Math.min(end, start + 2000));
  const near = text.slice(Math.max(start, index - 60), Math.min(end, index + length + 60));
  if (REGEX_SYNTAX.test(near)) return "written as a regular expression";
  const words = LINE_WORDS.exec(line);
  if (words) return `the line calls it "${words[0]}"`;
  if (prose) {
    const heading = headingsAbove(text, start).find((h) => THREAT_HEADING.test(h));
    if (heading) return `listed under the heading "${heading}"`;
  }
  const list = listAbove(text, start);
  if (list) return `an entry of the list ${list}`;
  return null;
}

/**
 * Mentions that the code analyzers report (a path, a host, a persistence location named in code)
 * get the same judgement as text matches: `PATTERNS = [r"\.ssh/id_rsa", …]`, `grep -q "wallet.dat"`
 * or `if "webhook.site" in url` compare against the string, they do not use it. Flows (a value that
 * really travels from a source to a sink), decoded content and chains are never quieted.
 */
const MENTION_RULES = new Set([
  "CP-SKILL-CRED-001",
  "CP-SKILL-CRED-002",
  "CP-SKILL-CRED-003",
  "CP-SKILL-EXFIL-001",
  "CP-SKILL-EXFIL-002",
  "CP-SKILL-EXFIL-005",
  "CP-SKILL-EXFIL-006",
  "CP-SKILL-IOC-001",
  "CP-SKILL-PERSIST-001",
  "CP-SKILL-AGENT-001",
  "CP-SKILL-EXEC-005",
  "CP-SKILL-EVADE-001",
]);

/** The string is searched for or compared against, not acted on. */
const COMPARED =
  /\b(?:grep|egrep|fgrep|rg|ag|findstr|Select-String)\b|\bre\.(?:compile|search|match|fullmatch|findall|finditer|sub)\(|new RegExp\(|\.(?:test|match|matchAll|includes|indexOf|startsWith|endsWith|search)\(|\bin\s+(?:line|lines|content|text|data|body|url|cmd|command|path|value|s)\b|\bcontains\(/;

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Keep a finding but take it out of the verdict: low severity and confidence, with the reason
 * appended to its evidence so the report says why (quotations here, inert fixtures in inert.ts).
 */
export function lowerWithReason(f: SkillFinding, reason: string): void {
  f.severity = "low";
  f.confidence = "low";
  const e = f.evidence[0];
  if (e) e.detail = `${e.detail} (${reason})`;
}

export function quietQuotedMentions(findings: SkillFinding[], files: readonly SkillFile[]): void {
  const texts = new Map<string, string[] | null>();
  const linesOf = (display: string): string[] | null => {
    if (!texts.has(display)) {
      const f = files.find((x) => x.display === display);
      texts.set(display, f && f.bytes.length <= 4 << 20 ? utf8.decode(f.bytes).split("\n") : null);
    }
    return texts.get(display) ?? null;
  };
  for (const f of findings) {
    if (!MENTION_RULES.has(f.ruleId) || f.severity === "low" || f.severity === "info") continue;
    const e = f.evidence[0];
    if (!e?.path || !e.line || /quoted as an indicator|decoded from/.test(e.detail)) continue;
    const lines = linesOf(e.path);
    if (!lines) continue;
    const from = Math.max(0, e.line - 1 - MAX_LOOKBACK_LINES);
    const window = lines.slice(from, e.line).join("\n");
    const lineStart = window.length - (lines[e.line - 1]?.length ?? 0);
    const at = lineStart + Math.max(0, (e.column ?? 1) - 1);
    const line = lines[e.line - 1] ?? "";
    const why = COMPARED.test(line)
      ? "the code searches for or compares against it"
      : quotedAsIndicator(window, at, Math.min(e.excerpt?.length ?? 1, line.length), false);
    if (why) lowerWithReason(f, `quoted as an indicator: ${why}`);
  }
}
