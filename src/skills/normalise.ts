// Text normalisation before matching. Attackers split keywords with invisible characters,
// swap Latin letters for Cyrillic look-alikes, use full-width or mathematical letters, hide
// instructions in Unicode tag characters, and push payloads out of sight with padding.
// We undo all of that in one linear pass, keep a map back to the original offsets so every
// finding points at the real bytes, and report each trick as an issue of its own.
//
// ASCII runs are copied wholesale; only non-ASCII characters and long whitespace runs take
// the slow path, so plain text costs one regex scan.

export type NormIssueKind = "zero-width" | "bidi" | "tag" | "variation-run" | "homoglyph" | "padding";

export interface NormIssue {
  kind: NormIssueKind;
  /** Offset and length in the original text. */
  offset: number;
  length: number;
  /** For tag / variation-selector smuggling: the hidden text they spell. */
  hidden?: string;
  /** Padding: how many blank lines or spaces. */
  count?: number;
  unit?: "lines" | "spaces";
}

export interface Normalised {
  text: string;
  changed: boolean;
  issues: NormIssue[];
  /** Map an offset in `text` back to the original text. */
  toOriginal(pos: number): number;
}

/** Horizontal runs at least this long are collapsed to one space. */
const COLLAPSE_SPACES = 64;
/** Runs of more blank lines than this are collapsed to one blank line. */
const COLLAPSE_LINES = 16;
/** Runs this long are reported as padding. */
export const PAD_SPACES = 256;
export const PAD_LINES = 100;

const ZERO_WIDTH = new Set([
  0x00ad, 0x034f, 0x115f, 0x1160, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
  0x3164, 0xfeff, 0xffa0,
]);
const BIDI_REPORT = (cp: number) => (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
const BIDI_SILENT = new Set([0x200e, 0x200f, 0x061c]);
const UNICODE_SPACE = /[\u00a0\u2000-\u200a\u202f\u205f\u3000]/;

// Letters from other scripts that render like Latin ones (a practical subset of UTS #39
// confusables: Cyrillic, Greek, Armenian and a few Latin-extended forms).
const HOMOGLYPHS: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  о: "o",
  р: "p",
  с: "c",
  у: "y",
  х: "x",
  ѕ: "s",
  і: "i",
  ј: "j",
  ԁ: "d",
  һ: "h",
  ԛ: "q",
  ԝ: "w",
  ӏ: "l",
  ո: "n",
  ս: "u",
  օ: "o",
  հ: "h",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  Х: "X",
  У: "Y",
  І: "I",
  Ј: "J",
  Ѕ: "S",
  α: "a",
  ο: "o",
  ρ: "p",
  ν: "v",
  ι: "i",
  κ: "k",
  υ: "u",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
  ı: "i",
  ɑ: "a",
  ɡ: "g",
};

/** Latin-script letters (Turkish ı, IPA ɑ/ɡ) are folded for matching but are not a script mix. */
const LATIN_EXTENDED = new Set(["ı", "ɑ", "ɡ"]);

/** A look-alike matters when the word around it is mostly ASCII Latin (pаypal), not mostly Cyrillic. */
function mostlyLatinWord(src: string, at: number): boolean {
  let s = at;
  let e = at + 1;
  while (s > 0 && at - s < 64 && /[\p{L}\p{N}]/u.test(src[s - 1]!)) s--;
  while (e < src.length && e - at < 64 && /[\p{L}\p{N}]/u.test(src[e]!)) e++;
  let ascii = 0;
  let other = 0;
  for (const ch of src.slice(s, e)) {
    if (/[A-Za-z]/.test(ch)) ascii++;
    else if (/\p{L}/u.test(ch)) other++;
  }
  return ascii > other;
}

const nfkcCache = new Map<string, string>();
/** BMP code points: 0 unknown, 1 unchanged by NFKC and not a look-alike, 2 needs work. */
const bmpStable = new Uint8Array(0x10000);
function nfkc(ch: string): string {
  let out = nfkcCache.get(ch);
  if (out === undefined) {
    out = ch.normalize("NFKC");
    if (nfkcCache.size < 50_000) nfkcCache.set(ch, out);
  }
  return out;
}
function isStable(cp: number, ch: string): boolean {
  if (cp < 0x10000) {
    const v = bmpStable[cp]!;
    if (v !== 0) return v === 1;
    const ok = nfkc(ch) === ch && HOMOGLYPHS[ch] === undefined;
    bmpStable[cp] = ok ? 1 : 2;
    return ok;
  }
  return nfkc(ch) === ch;
}

function isAsciiWordCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isAsciiLetterCode(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

const IDENTITY = (pos: number) => pos;

/**
 * Append `text` to the output as the image of src[origStart, origStart + origLen). `copy`
 * says text is exactly that source slice; anything else counts as a change.
 */
type Emit = (text: string, origStart: number, origLen: number, copy?: boolean) => void;

/** Shortest whitespace run that can hold an event: COLLAPSE_LINES + 1 newlines. */
const MIN_WS_RUN = COLLAPSE_LINES + 1;

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/**
 * Whitespace padding runs (start, end, kind). Every event lies inside a run of spaces,
 * tabs, CRs and LFs at least MIN_WS_RUN long (COLLAPSE_SPACES blanks, or more than
 * COLLAPSE_LINES blank lines), and such a run covers one of every MIN_WS_RUN consecutive
 * positions: only those are probed, and only the runs found there are walked.
 */
function whitespaceEvents(src: string): number[] {
  const ev: number[] = [];
  const n = src.length;
  let p = MIN_WS_RUN - 1;
  while (p < n) {
    if (!isWs(src.charCodeAt(p))) {
      p += MIN_WS_RUN;
      continue;
    }
    let start = p;
    while (start > 0 && isWs(src.charCodeAt(start - 1))) start--;
    let end = p + 1;
    while (end < n && isWs(src.charCodeAt(end))) end++;
    // The character after the run (if any) closes it.
    if (end - start >= MIN_WS_RUN) runEvents(src, start, Math.min(end + 1, n), ev);
    p = end + MIN_WS_RUN;
  }
  // Events must be in order and not overlap (a space run inside a blank-line run is absorbed).
  const sorted: number[] = [];
  const idx = [...Array(ev.length / 3).keys()].sort((x, y) => ev[x * 3]! - ev[y * 3]!);
  let lastEnd = -1;
  for (const k of idx) {
    if (ev[k * 3]! < lastEnd) continue;
    sorted.push(ev[k * 3]!, ev[k * 3 + 1]!, ev[k * 3 + 2]!);
    lastEnd = ev[k * 3 + 1]!;
  }
  return sorted;
}

/**
 * The events of src[from, to): a maximal whitespace run plus the character that ends it.
 * A run starts at the start of the text or after a non-blank character, where no
 * horizontal or blank-line run is open and the state below is the right one (lineBlank
 * only matters once a newline has opened a blank-line run), so runs are walked one by one.
 */
function runEvents(src: string, from: number, to: number, ev: number[]): void {
  let hStart = -1;
  // Blank-line run: from the first newline of the run to just after its last newline.
  let vStart = -1;
  let vLast = -1;
  let vCount = 0;
  let lineBlank = true;
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (c > 32) {
      // The common case: a visible character ends any run.
      if (hStart >= 0) {
        if (i - hStart >= COLLAPSE_SPACES && !(vStart >= 0 && lineBlank)) ev.push(hStart, i, 0);
        hStart = -1;
      }
      if (lineBlank) {
        if (vCount >= COLLAPSE_LINES) ev.push(vStart, vLast + 1, 1);
        vStart = -1;
        vCount = 0;
        lineBlank = false;
      }
      continue;
    }
    if (c === 32 || c === 9) {
      if (hStart < 0) hStart = i;
      continue;
    }
    if (hStart >= 0) {
      if (i - hStart >= COLLAPSE_SPACES && !(vStart >= 0 && lineBlank)) ev.push(hStart, i, 0);
      hStart = -1;
    }
    if (c === 10) {
      if (lineBlank && vStart >= 0) {
        vLast = i;
        vCount++;
      } else {
        if (vCount >= COLLAPSE_LINES) ev.push(vStart, vLast + 1, 1);
        vStart = i;
        vLast = i;
        vCount = 0;
      }
      lineBlank = true;
      continue;
    }
    if (c === 13) continue;
    if (lineBlank) {
      if (vCount >= COLLAPSE_LINES) ev.push(vStart, vLast + 1, 1);
      vStart = -1;
      vCount = 0;
      lineBlank = false;
    }
  }
  // End of text (a run followed by a visible character has already been closed above).
  if (hStart >= 0 && src.length - hStart >= COLLAPSE_SPACES) ev.push(hStart, src.length, 0);
  if (vCount >= COLLAPSE_LINES) ev.push(vStart, vLast + 1, 1);
}

const NON_ASCII = /[^\x00-\x7f]+/g;

/**
 * Normalise `src`. `ascii`: the caller already knows src is pure ASCII (e.g. its file's bytes
 * are), which saves a scan for non-ASCII characters.
 */
export function normalise(src: string, ascii = false): Normalised {
  NON_ASCII.lastIndex = 0;
  const hasNonAscii = !ascii && NON_ASCII.test(src);
  const ws = whitespaceEvents(src);
  if (!hasNonAscii && ws.length === 0) return { text: src, changed: false, issues: [], toOriginal: IDENTITY };

  const out: string[] = [];
  // Segments: normStart, origStart, origLen (flat). A segment maps a run of output back
  // to a run of input of the same length, or (for replacements) to one input span.
  const segs: number[] = [];
  const issues: NormIssue[] = [];
  let normLen = 0;
  let last = 0;
  // Whether some output differs from the input it replaces (see Emit).
  let replaced = false;

  const emit: Emit = (text, origStart, origLen, copy = false) => {
    if (!copy) replaced = true;
    if (text.length === 0) return;
    segs.push(normLen, origStart, origLen);
    out.push(text);
    normLen += text.length;
  };

  let wi = 0;
  NON_ASCII.lastIndex = 0;
  let m = hasNonAscii ? NON_ASCII.exec(src) : null;
  for (;;) {
    const wStart = wi < ws.length ? ws[wi]! : Number.POSITIVE_INFINITY;
    const uStart = m ? m.index : Number.POSITIVE_INFINITY;
    if (wStart === Number.POSITIVE_INFINITY && uStart === Number.POSITIVE_INFINITY) break;
    if (wStart <= uStart) {
      const end = ws[wi + 1]!;
      const kind = ws[wi + 2]!;
      wi += 3;
      if (wStart < last) continue;
      if (wStart > last) emit(src.slice(last, wStart), last, wStart - last, true);
      const len = end - wStart;
      if (kind === 0) {
        emit(" ", wStart, len);
        if (len >= PAD_SPACES)
          issues.push({ kind: "padding", offset: wStart, length: len, count: len, unit: "spaces" });
      } else {
        let lines = 0;
        for (let i = wStart; i < end; i++) if (src.charCodeAt(i) === 10) lines++;
        emit("\n\n", wStart, len);
        if (lines >= PAD_LINES)
          issues.push({ kind: "padding", offset: wStart, length: len, count: lines, unit: "lines" });
      }
      last = end;
      // Skip non-ASCII runs swallowed by this whitespace event.
      while (m && m.index + m[0].length <= last) m = NON_ASCII.exec(src);
    } else {
      const run = m!;
      const start = Math.max(run.index, last);
      const end = run.index + run[0].length;
      if (start > last) emit(src.slice(last, start), last, start - last, true);
      if (end > start) foldRun(src, start, end, emit, issues);
      last = Math.max(last, end);
      m = NON_ASCII.exec(src);
    }
  }
  if (last < src.length) emit(src.slice(last), last, src.length - last, true);

  // Every segment copied its source unchanged and nothing was dropped (e.g. emoji only):
  // the output is the input, with nothing to map.
  if (issues.length === 0 && ws.length === 0 && !replaced && normLen === src.length)
    return { text: src, changed: false, issues, toOriginal: IDENTITY };
  const text = out.join("");
  const segArr = Int32Array.from(segs);
  const nSegs = segArr.length / 3;
  const toOriginal = (pos: number): number => {
    let lo = 0;
    let hi = nSegs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segArr[mid * 3]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    if (nSegs === 0) return pos;
    const nStart = segArr[lo * 3]!;
    const oStart = segArr[lo * 3 + 1]!;
    const oLen = segArr[lo * 3 + 2]!;
    return oStart + Math.min(Math.max(pos - nStart, 0), Math.max(oLen - 1, 0));
  };
  return { text, changed: true, issues, toOriginal };
}

/** Fold a run of non-ASCII (or Unicode-space) characters in src[from, to). */
function foldRun(src: string, from: number, to: number, emit: Emit, issues: NormIssue[]): void {
  let i = from;
  let spaceRunStart = -1;
  let spaceRunLen = 0;
  const flushSpaces = () => {
    if (spaceRunStart < 0) return;
    emit(" ", spaceRunStart, spaceRunLen);
    if (spaceRunLen >= PAD_SPACES)
      issues.push({
        kind: "padding",
        offset: spaceRunStart,
        length: spaceRunLen,
        count: spaceRunLen,
        unit: "spaces",
      });
    spaceRunStart = -1;
    spaceRunLen = 0;
  };
  while (i < to) {
    const cp = src.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = width === 2 ? src.slice(i, i + 2) : src[i]!;
    if (UNICODE_SPACE.test(ch)) {
      if (spaceRunStart < 0) spaceRunStart = i;
      spaceRunLen += width;
      i += width;
      continue;
    }
    flushSpaces();
    if (ZERO_WIDTH.has(cp)) {
      // Skip the whole run of invisible characters, then decide if it sat inside a word.
      let j = i;
      while (j < to) {
        const c = src.codePointAt(j)!;
        if (!ZERO_WIDTH.has(c) && !BIDI_SILENT.has(c)) break;
        j += c > 0xffff ? 2 : 1;
      }
      const before = i > 0 ? src.charCodeAt(i - 1) : 0;
      const after = j < src.length ? src.charCodeAt(j) : 0;
      const leading = i === 0 && cp === 0xfeff;
      if (!leading && isAsciiWordCode(before) && isAsciiWordCode(after))
        issues.push({ kind: "zero-width", offset: i, length: j - i });
      i = j;
      continue;
    }
    if (BIDI_SILENT.has(cp)) {
      i += width;
      continue;
    }
    if (BIDI_REPORT(cp)) {
      issues.push({ kind: "bidi", offset: i, length: width });
      i += width;
      continue;
    }
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      let j = i;
      let hidden = "";
      while (j < to) {
        const c = src.codePointAt(j)!;
        if (c < 0xe0000 || c > 0xe007f) break;
        if (c >= 0xe0020 && c <= 0xe007e) hidden += String.fromCharCode(c - 0xe0000);
        j += 2;
      }
      // Subdivision flags (🏴 + tag letters + cancel tag) are legitimate emoji.
      const flag = i >= 2 && src.codePointAt(i - 2) === 0x1f3f4 && hidden.length <= 7;
      if (!flag) issues.push({ kind: "tag", offset: i, length: j - i, hidden });
      i = j;
      continue;
    }
    if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) {
      // Variation selectors: one after an emoji is normal; a run encodes bytes.
      let j = i;
      const bytes: number[] = [];
      while (j < to) {
        const c = src.codePointAt(j)!;
        if (c >= 0xfe00 && c <= 0xfe0f) bytes.push(c - 0xfe00);
        else if (c >= 0xe0100 && c <= 0xe01ef) bytes.push(c - 0xe0100 + 16);
        else break;
        j += c > 0xffff ? 2 : 1;
      }
      if (bytes.length >= 4) {
        const hidden = new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(bytes));
        issues.push({ kind: "variation-run", offset: i, length: j - i, hidden });
      }
      i = j;
      continue;
    }
    if (isStable(cp, ch)) {
      // Unchanged characters are copied as one slice with the rest of their run.
      let j = i + width;
      while (j < to) {
        const c2 = src.codePointAt(j)!;
        const w2 = c2 > 0xffff ? 2 : 1;
        const ch2 = w2 === 2 ? src.slice(j, j + 2) : src[j]!;
        if (
          ZERO_WIDTH.has(c2) ||
          BIDI_SILENT.has(c2) ||
          BIDI_REPORT(c2) ||
          (c2 >= 0xe0000 && c2 <= 0xe01ef) ||
          (c2 >= 0xfe00 && c2 <= 0xfe0f) ||
          UNICODE_SPACE.test(ch2) ||
          !isStable(c2, ch2)
        )
          break;
        j += w2;
      }
      emit(src.slice(i, j), i, j - i, true);
      i = j;
      continue;
    }
    const folded = nfkc(ch);
    let text = "";
    for (const c of folded) {
      const h = HOMOGLYPHS[c];
      if (h !== undefined) {
        const before = i > 0 ? src.charCodeAt(i - 1) : 0;
        const after = i + width < src.length ? src.charCodeAt(i + width) : 0;
        if (
          !LATIN_EXTENDED.has(c) &&
          (isAsciiLetterCode(before) || isAsciiLetterCode(after)) &&
          mostlyLatinWord(src, i)
        )
          issues.push({ kind: "homoglyph", offset: i, length: width });
        text += h;
      } else text += c;
    }
    emit(text, i, width, text === ch);
    i += width;
  }
  flushSpaces();
}

/** 1-based line/column lookup for one text, built lazily. */
export class LineIndex {
  private starts: Int32Array | null = null;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  private build(): Int32Array {
    // Count, then fill: no growing array and no copy into the typed one.
    const text = this.text;
    let count = 1;
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
    const starts = new Int32Array(count);
    let k = 1;
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) starts[k++] = at + 1;
    this.starts = starts;
    return starts;
  }
  position(offset: number): { line: number; column: number } {
    const starts = this.starts ?? this.build();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
  lineStart(line: number): number {
    const starts = this.starts ?? this.build();
    return starts[Math.min(Math.max(line - 1, 0), starts.length - 1)]!;
  }
}

/** Fold look-alike letters of one word to Latin (for judging what a homoglyph word spells). */
export function foldWord(word: string): string {
  let out = "";
  for (const ch of word.normalize("NFKC")) out += HOMOGLYPHS[ch] ?? ch;
  return out;
}

const INVISIBLE =
  /[\u00ad\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0]|\u034f|[\ufe00-\ufe0f]|[\u{e0000}-\u{e01ef}]/gu;

/** Show invisible characters as \u{...} escapes so an analyst can see them. */
export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}
