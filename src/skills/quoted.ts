// Is a match quoted as an indicator rather than said as an instruction?
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

/** Words a line uses when it talks about an indicator instead of asking for an action. */
const LINE_WORDS =
  /\b(?:c2|c&c|iocs?|indicators?(?: of compromise)?|malicious|attackers?|stealers?|malware|payloads?|exploits?|detect(?:s|ed|ion|ions|or)?|flag(?:s|ged)?|block(?:s|ed|list)?|deny ?list|known[- ](?:bad|malicious)|red flags?|campaign|backdoor|exfiltrat\w*|e\.g\.|for example|such as|signatures?|patterns?|dangerous|suspicious|threats?|trojan\w*|typosquat\w*|phrases? like|ssrf|injections?|jailbreaks?|don'?t (?:post|run|use|paste)|never (?:run|paste|execute))\b/i;

/** Headings of sections that describe threats or what a tool finds. */
const THREAT_HEADING =
  /\b(?:detect(?:s|ed|ion|ions)?|threats?|attacks?|malicious|malware|red flags?|indicators?|iocs?|patterns?|signatures?|block ?list|deny ?list|known[- ](?:bad|threats?)|vulnerabilit(?:y|ies)|incidents?|what it (?:catches|detects|flags|blocks|finds)|sample output|campaigns?|stealers?|exploits?|risk (?:levels?|categories)|dangerous|suspicious|test cases?|c2|c&c|command and control|security (?:checks?|rules?)|(?:example|sample) (?:output|report|findings?)|injections?|jailbreaks?|overrides?|exfiltration|prohibited|forbidden|expected (?:findings|results)|what (?:not )?to (?:look|watch) for)\b/i;

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
 * The nearest Markdown heading above `index` (ATX style), or null. Headings inside fenced code
 * blocks are quotations (a write-up quoting a lure's "## Prerequisites"), so they are skipped.
 */
function headingAbove(text: string, index: number): string | null {
  const fences = fencesOf(text);
  let at = index;
  while (at > 0) {
    const h = text.lastIndexOf("\n#", at - 1);
    const cand = h < 0 ? (text.startsWith("#") ? 0 : -1) : h + 1;
    if (cand < 0) return null;
    const end = text.indexOf("\n", cand);
    const line = text.slice(cand, end < 0 ? text.length : end);
    if (/^#{1,6}[ \t]+\S/.test(line) && !insideFence(fences, cand))
      return line.replace(/^#+[ \t]+/, "").slice(0, 120);
    if (h < 0) return null;
    at = h;
  }
  return null;
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
    const heading = headingAbove(text, start);
    if (heading && THREAT_HEADING.test(heading)) return `listed under the heading "${heading}"`;
  }
  const list = listAbove(text, start);
  if (list) return `an entry of the list ${list}`;
  return null;
}
