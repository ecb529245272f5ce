// Finds encoded blobs in text (base64, hex, URL-encoding, \x / \u / octal escapes,
// String.fromCharCode lists, gzip inside base64) and decodes those that turn into
// readable text, so the analyzers can rescan what was hidden. Bounded by a per-text
// candidate count and a decoded-byte budget; nesting is bounded by the caller.
import { gunzipSync } from "node:zlib";

export type Encoding = "base64" | "hex" | "url" | "escape" | "charcodes" | "gzip";

export interface DecodedBlob {
  offset: number;
  length: number;
  encoding: Encoding;
  text: string;
}

export interface DecodeBudget {
  bytes: number;
  candidates: number;
}

export const MIN_DECODED = 8;

const ESC_X = /(?:\\x[0-9a-fA-F]{2}){6,}/g;
const ESC_U = /(?:\\u[0-9a-fA-F]{4}){6,}/g;
const ESC_OCT = /(?:\\[0-3][0-7]{2}){6,}/g;
const URLENC =
  /%[0-9a-fA-F]{2}(?:[A-Za-z0-9._~!*'();:@&=+$,/?#[\]-]{0,16}%[0-9a-fA-F]{2}){4,}[A-Za-z0-9._~-]*/g;
const URL_PLAIN = /[A-Za-z0-9._~!*'();:@&=+$,/?#[\]-]/;
const CHARCODES =
  /fromCharCode\s*\(\s*((?:\d{1,3}\s*,\s*){5,}\d{1,3})\s*\)|\b(?:bytes|bytearray)\(\s*\[\s*((?:\d{1,3}\s*,\s*){5,}\d{1,3})\s*\]/g;

/** Share of characters that are printable text (ASCII printable, whitespace, or non-ASCII letters). */
export function printableRatio(s: string): number {
  if (s.length === 0) return 0;
  let good = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13) good++;
    else if (c >= 0xa0 && c !== 0xfffd) good += 0.5;
  }
  return good / s.length;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

function bytesToText(bytes: Uint8Array): { text: string; encoding: Encoding } | null {
  if (bytes.length >= 18 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const out = gunzipSync(bytes, { maxOutputLength: 1 << 20 });
      const text = utf8.decode(out);
      if (printableRatio(text) >= 0.9) return { text, encoding: "gzip" };
    } catch {
      return null;
    }
    return null;
  }
  const text = utf8.decode(bytes);
  if (text.length < MIN_DECODED || printableRatio(text) < 0.9) return null;
  return { text, encoding: "base64" };
}

/** Per ASCII code: 0 other, 1 base64 alphabet only, 2 also a hex digit. */
const CLS = new Uint8Array(128);
/** Per ASCII code: 1 in the base64 / hex alphabet (a run member), 0 not. */
export const ALPHABET = new Uint8Array(128);
/** Shorter runs of the alphabet are not worth decoding. */
export const MIN_RUN = 24;
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[0-9a-fA-F]/.test(ch)) CLS[c] = 2;
  else if (/[A-Za-z+/_-]/.test(ch)) CLS[c] = 1;
  ALPHABET[c] = CLS[c] === 0 ? 0 : 1;
}

function looksLikeBase64(s: string): boolean {
  const std = /[+/]/.test(s);
  const url = /[-_]/.test(s);
  if (std && url) return false; // mixed alphabets: a path or identifier
  if (!/[A-Z]/.test(s) || !/[a-z]/.test(s)) return false;
  if (/^[0-9a-fA-F]+$/.test(s)) return false; // hex: handled as hex
  // Paths like a/b/c/d and dotted identifiers have long letter-only segments.
  if (std && s.split("/").length > 3 && !/[0-9+]/.test(s)) return false;
  return true;
}

function push(out: DecodedBlob[], budget: DecodeBudget, blob: DecodedBlob): void {
  if (budget.bytes <= 0) return;
  budget.bytes -= blob.text.length;
  out.push(blob);
}

function take(budget: DecodeBudget): boolean {
  return budget.candidates-- > 0 && budget.bytes > 0;
}

/** Decode the alphabet run text[start, end) if it is hex or plausible base64. */
function decodeRun(text: string, start: number, end: number, out: DecodedBlob[], budget: DecodeBudget): void {
  let hexOnly = true;
  for (let i = start; i < end && hexOnly; i++) hexOnly = classAt(text, i) === 2;
  const len = end - start;
  let stop = end;
  while (stop < text.length && stop - end < 2 && text.charCodeAt(stop) === 61) stop++;
  const s = text.slice(start, stop);
  if (hexOnly && len % 2 === 0) {
    if (take(budget)) {
      const t = bytesToText(Buffer.from(s, "hex"));
      if (t)
        push(out, budget, {
          offset: start,
          length: s.length,
          encoding: t.encoding === "gzip" ? "gzip" : "hex",
          text: t.text,
        });
    }
  } else if (!hexOnly && looksLikeBase64(s.replace(/=+$/, "")) && take(budget)) {
    const t = bytesToText(Buffer.from(s, /[-_]/.test(s) ? "base64url" : "base64"));
    if (t) push(out, budget, { offset: start, length: s.length, encoding: t.encoding, text: t.text });
  }
}

/** Base64/hex alphabet class of the character at `i` (0 for anything else). */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? CLS[c]! : 0;
}

/**
 * Maximal runs of base64 / hex alphabet characters at least MIN_RUN long, as flat (start,
 * end) pairs in text order. A run that long always covers one of every MIN_RUN consecutive
 * positions, so only every MIN_RUN-th character is probed and only runs found there are
 * walked: a per-character loop would mispredict a branch at every word boundary. (The
 * text analyzer gets the same runs from its keyword pass instead; see ScanHints.)
 */
export function alphabetRuns(text: string): number[] {
  const out: number[] = [];
  const n = text.length;
  let p = MIN_RUN - 1;
  while (p < n) {
    if (classAt(text, p) === 0) {
      p += MIN_RUN;
      continue;
    }
    let start = p;
    while (start > 0 && classAt(text, start - 1) !== 0) start--;
    let end = p + 1;
    while (end < n && classAt(text, end) !== 0) end++;
    if (end - start >= MIN_RUN) out.push(start, end);
    // text[end] ends the run; any later run of MIN_RUN covers end + MIN_RUN or a later probe.
    p = end + MIN_RUN;
  }
  return out;
}

/** Literals (lower case) whose absence in every letter case lets findEncoded skip a regex. */
export const ESCAPE_PROBES: readonly string[] = [
  "\\",
  "\\x",
  "\\u",
  "\\0",
  "\\1",
  "\\2",
  "\\3",
  "%",
  ...[..."0123456789abcdef"].map((h) => `%${h}`),
  "fromcharcode",
  "bytes",
];

/** What a caller's keyword pass over the same text already learnt (see KeywordSet.scan). */
export interface ScanHints {
  /** For each of ESCAPE_PROBES: false only when the probe occurs in the text in no letter case. */
  mayContain(probe: string): boolean;
  /** alphabetRuns(text), collected during the pass. */
  runs: number[];
}

/** All decodable blobs in `text` (offsets are into `text`). */
export function findEncoded(text: string, budget: DecodeBudget, hints?: ScanHints): DecodedBlob[] {
  const out: DecodedBlob[] = [];
  const runs = hints ? hints.runs : alphabetRuns(text);
  for (let r = 0; r < runs.length; r += 2) decodeRun(text, runs[r]!, runs[r + 1]!, out, budget);
  return findEscaped(text, budget, out, hints ? (probe) => hints.mayContain(probe) : () => true);
}

/** The escape-style encodings (\x, \u, octal, %xx, char-code lists). */
function findEscaped(
  text: string,
  budget: DecodeBudget,
  out: DecodedBlob[],
  may: (probe: string) => boolean,
): DecodedBlob[] {
  // `may` is the caller's hint (any letter case); `has` confirms the exact probe.
  const has = (probe: string) => may(probe.toLowerCase()) && text.includes(probe);
  const hasBackslash = has("\\");
  for (const [re, enc, probes] of [
    [ESC_X, "escape", ["\\x"]],
    [ESC_U, "escape", ["\\u"]],
    [ESC_OCT, "escape", ["\\0", "\\1", "\\2", "\\3"]],
  ] as const) {
    // Every match starts with one of its probes.
    if (!hasBackslash || !probes.some(has)) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (!take(budget)) break;
      const s = m[0];
      let decoded: string;
      if (s.startsWith("\\x"))
        decoded = s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      else if (s.startsWith("\\u"))
        decoded = s.replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      else decoded = s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
      if (/[\x00-\x08\x0e-\x1f]/.test(decoded)) {
        // escape sequences of raw bytes: treat as UTF-8
        decoded = utf8.decode(Uint8Array.from([...decoded].map((c) => c.charCodeAt(0) & 0xff)));
      }
      if (decoded.length >= MIN_DECODED && printableRatio(decoded) >= 0.9)
        push(out, budget, { offset: m.index, length: s.length, encoding: enc, text: decoded });
    }
  }
  URLENC.lastIndex = 0;
  // Every match starts with % and a hex digit (the probes are case-insensitive for the caller's pass).
  const pct = has("%") && [..."0123456789abcdef"].some((h) => may(`%${h}`));
  for (let m = pct ? URLENC.exec(text) : null; m !== null; m = URLENC.exec(text)) {
    if (!take(budget)) break;
    // Extend back over plain URL characters so `curl%20...` keeps its `curl`.
    let from = m.index;
    while (from > 0 && m.index - from < 64 && URL_PLAIN.test(text[from - 1]!)) from--;
    const s = text.slice(from, m.index + m[0].length);
    let decoded: string;
    try {
      decoded = decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      continue;
    }
    if (decoded !== s && decoded.length >= MIN_DECODED && printableRatio(decoded) >= 0.9)
      push(out, budget, { offset: from, length: s.length, encoding: "url", text: decoded });
  }
  CHARCODES.lastIndex = 0;
  const codes = has("fromCharCode") || has("bytes");
  for (let m = codes ? CHARCODES.exec(text) : null; m !== null; m = CHARCODES.exec(text)) {
    if (!take(budget)) break;
    const list = (m[1] ?? m[2] ?? "").split(",").map((x) => Number(x.trim()));
    const decoded = String.fromCharCode(...list.filter((n) => n < 0x110000));
    if (decoded.length >= MIN_DECODED - 2 && printableRatio(decoded) >= 0.9)
      push(out, budget, { offset: m.index, length: m[0].length, encoding: "charcodes", text: decoded });
  }
  return out;
}
