// One pass over a text to learn which of many keywords occur in it (Aho–Corasick over
// ASCII, as a dense DFA). Rules name the keywords they need; only rules whose keywords
// occur run their regular expressions. This keeps the per-byte cost flat no matter how
// many rules there are.
//
// The per-character loop is the scanner's hottest code, so it does as little as it can:
// rows are stored premultiplied (an entry is the next row's offset: no multiply or shift),
// "this state ends a keyword" is the entry's sign, one table gives both a character's
// symbol and its run class, and hits are buffered so that no call happens inside the loop.

export const MAX_POSITIONS = 32;

/** A second job for the same pass: maximal runs of characters of one class. */
export interface RunCollector {
  /** Per ASCII code: 1 in the class, 0 not (other code units never are). */
  member: Uint8Array;
  /** Shortest run worth reporting (at least 1). */
  min: number;
  /** Receives flat (start, end) pairs of the runs found, in text order. */
  out: number[];
}

/** Bit of a combined character entry that marks run membership (symbols use the low 7). */
const MEMBER_BIT = 128;
const NO_MEMBERS = new Uint8Array(128);
/** Scratch for KeywordSet.scan: (row or -1 for a run end, offset) pairs. */
const EVENTS = new Int32Array(1024);

export class KeywordSet {
  readonly keywords: readonly string[];
  /** Transitions: table[row + symbol] = next row offset, bitwise-negated when that state has output. */
  private readonly table: Int32Array;
  /** Symbols per row (the compact alphabet size). */
  private readonly stride: number;
  /** ASCII code → symbol; every code no keyword uses is symbol 0. */
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
    if (symbols > MEMBER_BIT) throw new Error("too many distinct keyword characters");
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
    // Re-pack over the compact alphabet with premultiplied row offsets (see the file comment).
    const table = new Int32Array(n * symbols);
    for (let st = 0; st < n; st++)
      for (let c = 0; c < 128; c++) {
        const sym = charMap[c]!;
        if (sym === 0 || (c >= 65 && c <= 90)) continue;
        const next = delta[st * 128 + c]!;
        table[st * symbols + sym] = out[next]!.length > 0 ? ~(next * symbols) : next * symbols;
      }
    this.stride = symbols;
    this.table = table;
    this.outputs = out.map((o) => (o.length > 0 ? o : null));
  }

  /**
   * Which keywords occur in `text` (matched case-insensitively for ASCII letters). With
   * `positions`, also records where: the end offsets of the first MAX_POSITIONS hits per
   * keyword; a keyword with more hits gets -1 appended (meaning "many"). With `runs`, also
   * collects that collector's runs.
   */
  scan(text: string, positions?: number[][], runs?: RunCollector): Uint8Array {
    const seen = new Uint8Array(this.keywords.length);
    const table = this.table;
    const chars = this.combined(runs ? runs.member : NO_MEMBERS);
    // Run ends are found without a branch per character: the run length resets to zero
    // outside the class, and a run is noted once, when its length reaches min.
    const min = runs ? runs.min : -1;
    const ends: number[] = [];
    // Hits and run ends go to a small typed buffer that is drained between chunks: with no
    // call inside the character loop, the engine keeps the tables' bounds and data pointers
    // in registers instead of reloading them for every character.
    const events = EVENTS;
    const full = events.length - 4;
    let run = 0;
    let row = 0;
    let i = 0;
    const n = text.length;
    while (i < n) {
      let e = 0;
      for (; i < n && e <= full; i++) {
        const c = text.charCodeAt(i);
        const t = chars[c]!;
        const next = table[row + (t & (MEMBER_BIT - 1))]!;
        run = (run + 1) * (t >> 7);
        if (run === min) {
          events[e++] = -1;
          events[e++] = i;
        }
        if (next < 0) {
          row = ~next;
          events[e++] = row;
          events[e++] = i;
        } else row = next;
      }
      for (let k = 0; k < e; k += 2) {
        const what = events[k]!;
        if (what === -1) ends.push(events[k + 1]!);
        else this.record(what / this.stride, events[k + 1]!, seen, positions);
      }
    }
    if (runs) this.runsFrom(text, ends, runs);
    return seen;
  }

  /** Combined character tables by run class (see combined). */
  private readonly combinedTables = new Map<Uint8Array, Uint8Array>();

  /**
   * Symbol and run membership of every UTF-16 code unit in one table: one load and no
   * compare per character (non-ASCII units are all zero, so non-ASCII text costs no
   * mispredicted branch either).
   */
  private combined(member: Uint8Array): Uint8Array {
    let chars = this.combinedTables.get(member);
    if (!chars) {
      chars = new Uint8Array(0x10000);
      for (let c = 0; c < 128; c++) chars[c] = this.charMap[c]! | (member[c] ? MEMBER_BIT : 0);
      this.combinedTables.set(member, chars);
    }
    return chars;
  }

  /** Each entry of `ends` is where a run reached runs.min characters: extend it to its end. */
  private runsFrom(text: string, ends: number[], runs: RunCollector): void {
    const member = runs.member;
    for (const at of ends) {
      let end = at + 1;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c >= 128 || member[c] === 0) break;
        end++;
      }
      runs.out.push(at - runs.min + 1, end);
    }
  }

  /** A state with output was entered at `i`: mark its keywords (out of the hot loop). */
  private record(state: number, i: number, seen: Uint8Array, positions: number[][] | undefined): void {
    const o = this.outputs[state]!;
    for (let k = 0; k < o.length; k++) {
      const id = o[k]!;
      seen[id] = 1;
      if (!positions) continue;
      let list = positions[id];
      if (list === undefined) {
        list = [];
        positions[id] = list;
      }
      if (list.length < MAX_POSITIONS) list.push(i);
      else if (list[list.length - 1] !== -1) list.push(-1);
    }
  }

  idOf(keyword: string): number {
    return this.keywords.indexOf(keyword.toLowerCase());
  }
}
