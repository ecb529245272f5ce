// The text analyzer: normalises a file, reports the Unicode and padding tricks it undid,
// runs the pattern rules over the result, and recursively decodes and rescans encoded
// blobs (bounded depth and bytes). Every hit is mapped back to the original file offset.
import { type Severity, severityRank } from "../../findings/model.ts";
import type { FileContext } from "../context.ts";
import { ALPHABET, type DecodeBudget, ESCAPE_PROBES, findEncoded, MIN_RUN } from "../decode.ts";
import { hostClasses } from "../indicators.ts";
import { foldWord, normalise, revealInvisible } from "../normalise.ts";
import { KeywordSet } from "../prefilter.ts";
import { quotedAsIndicator } from "../quoted.ts";
import { rule } from "../rules.ts";
import type { SkillFinding } from "../types.ts";
import {
  classifyHost,
  hostKeywords,
  type JudgeEnv,
  type JudgeResult,
  TEXT_RULES,
  type TextRule,
} from "./text-rules.ts";

export const MAX_DECODE_DEPTH = 3;
const MAX_MATCHES_PER_RULE = 50;

interface Compiled {
  keywords: KeywordSet;
  rules: { rule: TextRule; any: number[]; all: number[][] }[];
  hosts: string[];
  hostKeywordIds: number[];
  hostRes: Map<string, RegExp>;
  /** Keyword ids of findEncoded's probes: the same pass tells it which escapes can occur. */
  probeIds: Map<string, number>;
}

let compiledFor: unknown = null;
let compiled: Compiled | null = null;

function compile(fc: FileContext): Compiled {
  const iocs = fc.skill.iocs;
  if (compiled && compiledFor === iocs) return compiled;
  const hosts = hostKeywords(iocs, hostClasses());
  const words = new Set<string>();
  for (const r of TEXT_RULES) {
    for (const k of r.any) words.add(k.toLowerCase());
    for (const g of r.all ?? []) for (const k of g) words.add(k.toLowerCase());
  }
  for (const k of hosts) words.add(k);
  for (const k of ESCAPE_PROBES) words.add(k.toLowerCase());
  const keywords = new KeywordSet(words);
  compiled = {
    keywords,
    rules: TEXT_RULES.map((rule) => ({
      rule,
      any: rule.any.map((k) => keywords.idOf(k)),
      all: (rule.all ?? []).map((g) => g.map((k) => keywords.idOf(k))),
    })),
    hosts,
    hostKeywordIds: hosts.map((k) => keywords.idOf(k)),
    hostRes: new Map(),
    probeIds: new Map(ESCAPE_PROBES.map((p) => [p, keywords.idOf(p)])),
  };
  compiledFor = iocs;
  return compiled;
}

/** Words whose look-alike spelling is an attack rather than a foreign-language accident. */
const SENSITIVE_WORDS =
  /^(?:curl|wget|bash|sh|zsh|sudo|chmod|base64|eval|exec|password|passwd|token|wallet|seed|key|keys|secret|http|https|github|openclaw|clawhub|clawdbot|paypal|apple|google|microsoft|binance|coinbase|metamask|install|download|run|powershell|iex|osascript|ssh|env)$/i;

export interface TextOptions {
  prose: boolean;
}

/** Analyse one text file. */
export function analyzeText(fc: FileContext, opts: TextOptions): void {
  const norm = normalise(fc.text, fc.ascii);
  reportNormIssues(fc, norm.issues, opts);
  const budget: DecodeBudget = { bytes: 4 << 20, candidates: 4000 };
  scanLayer(fc, norm.text, norm.toOriginal, opts.prose, null, 0, budget);
}

function excerptAround(text: string, offset: number, len: number): string {
  const start = Math.max(0, offset - 40);
  return revealInvisible(text.slice(start, Math.min(text.length, offset + len + 40)));
}

function reportNormIssues(
  fc: FileContext,
  issues: ReturnType<typeof normalise>["issues"],
  opts: TextOptions,
): void {
  if (issues.length === 0) return;
  const byKind = new Map<string, typeof issues>();
  for (const i of issues) {
    const list = byKind.get(i.kind) ?? [];
    list.push(i);
    byKind.set(i.kind, list);
  }
  const zw = byKind.get("zero-width");
  if (zw?.[0]) {
    fc.emitAt("CP-SKILL-UNI-001", zw[0].offset, fc.text.slice(zw[0].offset, zw[0].offset + zw[0].length), {
      excerpt: excerptAround(fc.text, zw[0].offset, zw[0].length),
      detail: `${zw.length} place(s) where invisible characters split a word`,
    });
  }
  const bidi = byKind.get("bidi");
  if (bidi?.[0]) {
    fc.emitAt("CP-SKILL-UNI-002", bidi[0].offset, fc.text.slice(bidi[0].offset, bidi[0].offset + 1), {
      excerpt: excerptAround(fc.text, bidi[0].offset, 1),
      detail: `${bidi.length} bidirectional control character(s)`,
      ...(opts.prose ? {} : { severity: "high" as Severity }),
    });
  }
  for (const kind of ["tag", "variation-run"] as const) {
    for (const issue of (byKind.get(kind) ?? []).slice(0, 10)) {
      const hidden = issue.hidden ?? "";
      const raw = fc.text.slice(issue.offset, issue.offset + issue.length);
      if (hidden.trim().length < 2) continue;
      fc.emitAt("CP-SKILL-UNI-003", issue.offset, raw, {
        excerpt: `hidden text: ${hidden}`,
        detail: `${kind === "tag" ? "Unicode tag characters" : "Variation selectors"} spell hidden text (${hidden.length} chars)`,
      });
      const budget: DecodeBudget = { bytes: 1 << 20, candidates: 1000 };
      const inner = normalise(hidden);
      scanLayer(
        fc,
        inner.text,
        () => issue.offset,
        true,
        { chain: kind === "tag" ? "unicode tags" : "variation selectors" },
        1,
        budget,
      );
    }
  }
  const homo = byKind.get("homoglyph");
  if (homo?.[0]) {
    let sensitive: string | null = null;
    for (const h of homo) {
      let s = h.offset;
      let e = h.offset + h.length;
      while (s > 0 && /[\p{L}\p{N}]/u.test(fc.text[s - 1]!)) s--;
      while (e < fc.text.length && /[\p{L}\p{N}]/u.test(fc.text[e]!)) e++;
      const word = foldWord(fc.text.slice(s, e));
      if (SENSITIVE_WORDS.test(word)) {
        sensitive = word;
        break;
      }
    }
    fc.emitAt(
      "CP-SKILL-UNI-004",
      homo[0].offset,
      fc.text.slice(homo[0].offset, homo[0].offset + homo[0].length),
      {
        excerpt: excerptAround(fc.text, homo[0].offset, homo[0].length),
        detail: sensitive
          ? `Look-alike letters spell "${sensitive}" (${homo.length} mixed-script letter(s))`
          : `${homo.length} look-alike letter(s) from another script inside Latin words`,
        ...(sensitive ? { severity: "high" as Severity, confidence: "high" as const } : {}),
      },
    );
  }
  for (const pad of (byKind.get("padding") ?? []).slice(0, 3)) {
    const after = fc.text.slice(pad.offset + pad.length).trim().length;
    fc.emitAt(
      "CP-SKILL-PAD-001",
      pad.offset,
      fc.text.slice(pad.offset, pad.offset + Math.min(pad.length, 64)),
      {
        excerpt: `[${pad.count} ${pad.unit === "lines" ? "blank lines" : "whitespace characters"}]`,
        detail: `${pad.count} ${pad.unit === "lines" ? "blank lines" : "whitespace characters"} in a row${after > 0 ? `, followed by ${after} more characters of content` : ""} (all of it was scanned)`,
      },
    );
  }
}

/** How far a rule window reaches before a keyword and after it, at most (in characters). */
const WINDOW_REACH = 1500;

/** Start of the line before the keyword's line (`at` is where the keyword starts), capped. */
function windowStart(text: string, at: number): number {
  // Bounded by hand: lastIndexOf would walk the whole of a minified file's single line.
  const lo = Math.max(0, at - WINDOW_REACH);
  let newlines = 0;
  for (let k = at - 1; k >= lo; k--) if (text.charCodeAt(k) === 10 && ++newlines === 2) return k + 1;
  return lo;
}

/** End of the second line after the keyword's line (the third newline after `at`), capped. */
function windowEnd(text: string, at: number, end: number): number {
  const hi = Math.min(text.length, end + WINDOW_REACH);
  let newlines = 0;
  for (let k = at + 1; k < hi; k++) if (text.charCodeAt(k) === 10 && ++newlines === 3) return k;
  return hi;
}

/**
 * The windows around one keyword's hits (flat start, end pairs), or null when it has too
 * many hits to list. Memoised per layer: many rules share keywords (curl, wget, …).
 */
function keywordWindows(
  text: string,
  id: number,
  positions: number[][],
  words: readonly string[],
  memo: (number[] | null | undefined)[],
): number[] | null {
  const known = memo[id];
  if (known !== undefined) return known;
  const list = positions[id] ?? [];
  const kwLen = words[id]!.length;
  let spans: number[] | null = [];
  for (const end of list) {
    if (end === -1) {
      spans = null;
      break;
    }
    const at = end - kwLen + 1;
    spans.push(windowStart(text, at), windowEnd(text, at, end));
  }
  memo[id] = spans;
  return spans;
}

/**
 * Where a rule needs to look: the lines around its keyword hits (one line before, two
 * after), merged; or null for "the whole text" when hits are many or cover most of it.
 * Every rule pattern matches within a line or two of one of its keywords.
 */
function ruleWindows(
  text: string,
  ids: number[],
  positions: number[][],
  words: readonly string[],
  memo: (number[] | null | undefined)[],
): [number, number][] | null {
  const spans: [number, number][] = [];
  const limit = text.length * 0.4;
  let covered = 0;
  for (const id of ids) {
    if (id < 0 || !positions[id]) continue;
    const kw = keywordWindows(text, id, positions, words, memo);
    if (kw === null) return null;
    for (let k = 0; k < kw.length; k += 2) {
      spans.push([kw[k]!, kw[k + 1]!]);
      covered += kw[k + 1]! - kw[k]!;
    }
    // Covered only grows: once past the limit the answer is "the whole text".
    if (covered > limit) return null;
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp[0] <= last[1]) last[1] = Math.max(last[1], sp[1]);
    else merged.push([sp[0], sp[1]]);
  }
  return merged;
}

/** Run a global regex over the windows (or the whole text); match indexes are absolute. */
function* windowedMatches(
  re: RegExp,
  text: string,
  windows: [number, number][] | null,
): Generator<RegExpExecArray> {
  const parts: [number, number][] = windows ?? [[0, text.length]];
  for (const [s, e] of parts) {
    const sub = s === 0 && e === text.length ? text : text.slice(s, e);
    re.lastIndex = 0;
    for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      m.index += s;
      yield m;
    }
  }
}

interface LayerChain {
  chain: string;
}

/**
 * Run the rules over `text`. `toOriginal` maps an offset in `text` to the file's original
 * text. Returns the findings this layer (and its sub-layers) produced.
 */
/**
 * Rules whose matches can be quotations. A real key (CRED-005) is a key wherever it is written, and
 * an instruction to keep something from the user (LURE-005) is itself phrased as a prohibition.
 */
const QUOTABLE = (ruleId: string) => ruleId !== "CP-SKILL-CRED-005" && ruleId !== "CP-SKILL-LURE-005";

/** A quoted match: low severity and confidence, the reason in the detail, no chained findings. */
function asQuoted(v: JudgeResult, ruleId: string, why: string): JudgeResult {
  const base = v.detail ?? rule(ruleId).title;
  return {
    ...v,
    severity: "low",
    confidence: "low",
    detail: `${base} (quoted as an indicator: ${why})`,
    also: [],
  };
}

function scanLayer(
  fc: FileContext,
  text: string,
  toOriginal: (pos: number) => number,
  prose: boolean,
  layer: LayerChain | null,
  depth: number,
  budget: DecodeBudget,
): SkillFinding[] {
  const c = compile(fc);
  const positions: number[][] = [];
  // The same pass finds the base64/hex runs that decoding (below) starts from.
  const runs = { member: ALPHABET, min: MIN_RUN, out: [] as number[] };
  const seen = c.keywords.scan(text, positions, depth < MAX_DECODE_DEPTH ? runs : undefined);
  const windowMemo: (number[] | null | undefined)[] = [];
  const produced: SkillFinding[] = [];
  const env: JudgeEnv = { text, iocs: fc.skill.iocs, prose };
  const prefix = layer ? `decoded from ${layer.chain}: ` : "";
  const push = (f: SkillFinding | null) => {
    if (f) produced.push(f);
  };
  for (const { rule, any, all } of c.rules) {
    if (rule.scope === "prose" && !prose) continue;
    if (!any.some((id) => id >= 0 && seen[id] === 1)) continue;
    if (!all.every((g) => g.some((id) => id >= 0 && seen[id] === 1))) continue;
    const re = rule.re;
    let n = 0;
    for (const m of windowedMatches(
      re,
      text,
      ruleWindows(text, any, positions, c.keywords.keywords, windowMemo),
    )) {
      if (++n > MAX_MATCHES_PER_RULE) break;
      let verdict = rule.judge ? rule.judge(m, env) : {};
      if (verdict === null) continue;
      const quote = layer || !QUOTABLE(rule.id) ? null : quotedAsIndicator(text, m.index, m[0].length, prose);
      if (quote) verdict = asQuoted(verdict, rule.id, quote);
      const at = toOriginal(m.index);
      const opts = {
        ...(verdict.severity ? { severity: verdict.severity } : {}),
        ...(verdict.confidence ? { confidence: verdict.confidence } : {}),
        ...(verdict.detail || layer ? { detail: `${prefix}${verdict.detail ?? ""}`.replace(/: $/, "") } : {}),
        ...(verdict.excerpt ? { excerpt: verdict.excerpt } : {}),
      };
      push(fc.emitAt(rule.id, at, m[0], opts));
      for (const extra of verdict.also ?? []) {
        push(
          fc.emitAt(extra.ruleId, at, m[0], {
            detail: `${prefix}${extra.detail}`,
            ...(extra.severity ? { severity: extra.severity } : {}),
            ...(extra.confidence ? { confidence: extra.confidence } : {}),
          }),
        );
      }
    }
  }
  // Hosts: paste sites, capture endpoints, tunnels, shorteners, chat webhooks, IOCs.
  const present = c.hosts.filter((_, i) => seen[c.hostKeywordIds[i]!] === 1);
  if (present.length > 0) {
    // A small alternation of only the hosts this text contains; boundaries checked by hand.
    const key = present.join("\n");
    let re = c.hostRes.get(key);
    if (!re) {
      re = new RegExp(present.map((h) => h.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "gi");
      if (c.hostRes.size > 500) c.hostRes.clear();
      c.hostRes.set(key, re);
    }
    re.lastIndex = 0;
    let n = 0;
    for (let m = re.exec(text); m !== null && n < MAX_MATCHES_PER_RULE; m = re.exec(text)) {
      let start = m.index;
      let end = m.index + m[0].length;
      const before = start > 0 ? text[start - 1]! : "";
      if (/[\w-]/.test(before)) continue;
      if (before === ".") {
        while (start > 0 && m.index - start < 253 && /[\w.-]/.test(text[start - 1]!)) start--;
      }
      if (end < text.length && /[\w-]/.test(text[end]!)) continue;
      while (end < text.length && end - m.index < 200 && !/[\s"'<>`)\]]/.test(text[end]!)) end++;
      re.lastIndex = Math.max(re.lastIndex, end);
      n++;
      const hit = text.slice(start, end);
      const host = (hit.split(/[/:?#]/, 1)[0] ?? "").toLowerCase();
      const ioc =
        fc.skill.iocs.hosts.get(host) ??
        fc.skill.iocs.urls.find((u) => hit.toLowerCase().includes(u.value.replace(/^[a-z]+:\/\//, "")));
      const at = toOriginal(start);
      // A host listed as an indicator (a blocklist, a threat table) is reported low, with why.
      const quote = layer ? null : quotedAsIndicator(text, start, end - start, prose);
      const quotedOpts = quote ? { severity: "low" as const, confidence: "low" as const } : {};
      const quotedNote = quote ? ` (quoted as an indicator: ${quote})` : "";
      if (ioc) {
        push(
          fc.emitAt("CP-SKILL-IOC-001", at, hit, {
            ...quotedOpts,
            detail: `${prefix}${ioc.type} ${ioc.value}: ${ioc.source}${quotedNote}`,
          }),
        );
        continue;
      }
      const cls = classifyHost(hit);
      if (cls === "capture")
        push(
          fc.emitAt("CP-SKILL-EXFIL-002", at, hit, {
            ...quotedOpts,
            detail: `${prefix}request-capture endpoint ${host}${quotedNote}`,
          }),
        );
      else if (cls === "tunnel")
        push(
          fc.emitAt("CP-SKILL-EXFIL-002", at, hit, {
            severity: "medium",
            confidence: "medium",
            ...quotedOpts,
            detail: `${prefix}tunnel endpoint ${host}${quotedNote}`,
          }),
        );
      else if (cls === "paste" || cls === "fileshare")
        push(
          fc.emitAt("CP-SKILL-EXFIL-001", at, hit, {
            ...quotedOpts,
            detail: `${prefix}${cls === "paste" ? "paste site" : "anonymous file host"} ${host}${quotedNote}`,
          }),
        );
      else if (cls === "shortener")
        push(
          fc.emitAt("CP-SKILL-EXFIL-001", at, hit, {
            severity: "low",
            confidence: "low",
            detail: `${prefix}URL shortener ${host} hides the real destination`,
          }),
        );
      else if (cls === "chat")
        push(
          fc.emitAt("CP-SKILL-EXFIL-005", at, hit, {
            ...quotedOpts,
            detail: `${prefix}${host}${quotedNote}`,
          }),
        );
    }
  }
  // IOC IPs are host keywords too, so the pass above already found them anywhere in the text.
  // Encoded blobs: decode and rescan, bounded.
  if (depth < MAX_DECODE_DEPTH) {
    const mayContain = (probe: string) => seen[c.probeIds.get(probe) ?? -1] !== 0;
    for (const blob of findEncoded(text, budget, { mayContain, runs: runs.out })) {
      const inner = normalise(blob.text);
      const blobAt = toOriginal(blob.offset);
      const chain = layer ? `${layer.chain} → ${blob.encoding}` : blob.encoding;
      const sub = scanLayer(fc, inner.text, () => blobAt, true, { chain }, depth + 1, budget);
      produced.push(...sub);
      const worst = sub.reduce<Severity | null>(
        (acc, f) => (acc === null || severityRank(f.severity) > severityRank(acc) ? f.severity : acc),
        null,
      );
      const decisive = sub.some((f) => f.severity === "critical" && f.confidence === "high");
      if (worst !== null && severityRank(worst) >= severityRank("medium")) {
        const titles = [...new Set(sub.map((f) => f.ruleId))].join(", ");
        push(
          fc.emitAt("CP-SKILL-OBF-001", blobAt, text.slice(blob.offset, blob.offset + blob.length), {
            severity: decisive ? "critical" : "high",
            detail: `${chain} layer (depth ${depth + 1}) decodes to content that triggers ${titles}`,
            excerpt: `${text.slice(blob.offset, blob.offset + 60)}… ⇒ ${blob.text.slice(0, 160)}`,
          }),
        );
      }
    }
  }
  return produced;
}
