// One pass over a text to learn which of many keywords occur in it (Aho–Corasick over
// ASCII, as a dense DFA). Rules name the keywords they need; only rules whose keywords
// occur run their regular expressions. This keeps the per-byte cost flat no matter how
// many rules there are.

export const MAX_POSITIONS = 32;
const ZERO_CLASS = new Uint8Array(128);

/** Collects runs of characters of one class table (flat start, end, flag triples). */
export interface RunCollector {
  cls: Uint8Array;
  min: number;
  out: number[];
}

export class KeywordSet {
  readonly keywords: readonly string[];
  private readonly delta: Uint16Array | Uint32Array;
  private readonly shift: number;
  private readonly charMap: Uint8Array;
  /** For each state, the keyword ids that end there (including via failure links). */
  private readonly outputs: (number[] | null)[];

  constructor(keywords: Iterable<string>) {
    const list = [...new Set([...keywords].map((k) => k.toLowerCase()))].filter((k) => k.length > 0);
    for (const k of list) {
      for (let i = 0; i < k.length; i++)
        if (k.charCodeAt(i) > 127) throw new Error(`keyword must be ASCII: ${k}`);
    }
    this.keywords = list;
    // Trie.
    const goto: Map<number, number>[] = [new Map()];
    const out: number[][] = [[]];
    list.forEach((k, id) => {
      let s = 0;
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i);
        let next = goto[s]!.get(c);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          out.push([]);
          goto[s]!.set(c, next);
        }
        s = next;
      }
      out[s]!.push(id);
    });
    // Compact alphabet: every character used by a keyword gets a symbol, the rest share 0.
    const charMap = new Uint8Array(128);
    let symbols = 1;
    for (const k of list)
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i);
        if (charMap[c] === 0) charMap[c] = symbols++;
      }
    // Upper-case ASCII letters share their lower-case symbol.
    for (let c = 65; c <= 90; c++) charMap[c] = charMap[c + 32]!;
    this.charMap = charMap;
    // BFS to build failure links and the full transition table.
    const n = goto.length;
    const delta = new Int32Array(n * 128);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const next = goto[0]!.get(c);
      if (next !== undefined) {
        delta[c] = next;
        fail[next] = 0;
        queue.push(next);
      } else delta[c] = 0;
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      const f = fail[s]!;
      if (out[f]!.length > 0) out[s] = [...out[s]!, ...out[f]!];
      for (let c = 0; c < 128; c++) {
        const next = goto[s]!.get(c);
        if (next !== undefined) {
          fail[next] = delta[f * 128 + c]!;
          delta[s * 128 + c] = next;
          queue.push(next);
        } else delta[s * 128 + c] = delta[f * 128 + c]!;
      }
    }
    // Re-pack the table over the compact alphabet, rows padded to a power of two so the
    // index is a shift. Each entry is (next state << 1) | (next state has output).
    let shift = 0;
    while (1 << shift < symbols) shift++;
    const hasOutArr = out.map((o) => (o.length > 0 ? 1 : 0));
    // 16-bit entries while states fit (they do for hundreds of keywords): half the cache.
    const packed = n < 32768 ? new Uint16Array(n << shift) : new Uint32Array(n << shift);
    for (let st = 0; st < n; st++)
      for (let c = 0; c < 128; c++) {
        const sym = charMap[c]!;
        if (sym === 0) continue;
        const next = delta[st * 128 + (c >= 65 && c <= 90 ? c + 32 : c)]!;
        packed[(st << shift) | sym] = (next << 1) | hasOutArr[next]!;
      }
    this.shift = shift;
    this.delta = packed;
    this.outputs = out.map((o) => (o.length > 0 ? o : null));
  }

  /**
   * Which keywords occur in `text` (matched case-insensitively for ASCII letters). With
   * `positions`, also records where: the end offsets of the first MAX_POSITIONS hits per
   * keyword; a keyword with more hits gets -1 appended (meaning "many").
   */
  scan(text: string, positions?: number[][], runs?: RunCollector): Uint8Array {
    return this.scanAutomaton(text, positions, runs);
  }

  private combFor: Uint8Array | null = null;
  private comb: Uint16Array | null = null;

  /** Symbol and run class of each ASCII code in one table: fewer loads per character. */
  private combined(cls: Uint8Array): Uint16Array {
    if (this.comb && this.combFor === cls) return this.comb;
    const comb = new Uint16Array(128);
    for (let c = 0; c < 128; c++) comb[c] = this.charMap[c]! | (cls[c]! << 8);
    this.comb = comb;
    this.combFor = cls;
    return comb;
  }

  private scanAutomaton(text: string, positions?: number[][], runs?: RunCollector): Uint8Array {
    const seen = new Uint8Array(this.keywords.length);
    const delta = this.delta;
    const outputs = this.outputs;
    const shift = this.shift;
    // Second job in the same pass: runs of the collector's character class (see decode.ts).
    const comb = this.combined(runs ? runs.cls : ZERO_CLASS);
    const collect = runs !== undefined;
    const minRun = runs ? runs.min : 0;
    let runStart = -1;
    let hexOnly = 1;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      const t = c < 128 ? comb[c]! : 0;
      const v = delta[(s << shift) | (t & 0xff)]!;
      s = v >>> 1;
      if (collect) {
        const k = t >> 8;
        if (k !== 0) {
          if (runStart < 0) runStart = i;
          if (k === 1) hexOnly = 0;
        } else if (runStart >= 0) {
          if (i - runStart >= minRun) runs!.out.push(runStart, i, hexOnly);
          runStart = -1;
          hexOnly = 1;
        }
      }
      if ((v & 1) === 1) {
        const o = outputs[s]!;
        for (let k = 0; k < o.length; k++) {
          const id = o[k]!;
          seen[id] = 1;
          if (positions) {
            let list = positions[id];
            if (list === undefined) {
              list = [];
              positions[id] = list;
            }
            if (list.length < MAX_POSITIONS) list.push(i);
            else if (list[list.length - 1] !== -1) list.push(-1);
          }
        }
      }
    }
    if (runs && runStart >= 0 && text.length - runStart >= minRun)
      runs.out.push(runStart, text.length, hexOnly);
    return seen;
  }

  idOf(keyword: string): number {
    return this.keywords.indexOf(keyword.toLowerCase());
  }
}
