// A position-keeping JSON5 reader. The `json5` package gives us values; this gives us
// *where* each key and value sits in the text (for evidence with line/column, and for
// edits that keep comments and formatting). It accepts the JSON5 grammar: comments,
// trailing commas, unquoted identifier keys, single-quoted strings, hex/Infinity/NaN.

export interface Span {
  start: number;
  end: number;
}

export interface ScalarNode extends Span {
  kind: "scalar";
  raw: string;
}

export interface Member {
  key: string;
  keySpan: Span;
  /** Whether the key was written with quotes (and which). */
  keyQuote: '"' | "'" | null;
  value: Node;
  /** Offset of the comma that follows the value, or -1 when none. */
  commaAt: number;
}

export interface ObjectNode extends Span {
  kind: "object";
  members: Member[];
}

export interface ArrayNode extends Span {
  kind: "array";
  elements: { value: Node; commaAt: number }[];
}

export type Node = ScalarNode | ObjectNode | ArrayNode;

export class Json5SyntaxError extends Error {
  override name = "Json5SyntaxError";
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const ID_START = /[A-Za-z_$\u00c0-\uffff]/;
const ID_PART = /[A-Za-z0-9_$\u00c0-\uffff\u200c\u200d]/;

/** Parse text into a tree of spans. Throws Json5SyntaxError with an offset on bad input. */
export function parseTree(text: string): Node {
  let i = 0;
  const n = text.length;

  function fail(msg: string): never {
    throw new Json5SyntaxError(msg, i);
  }

  function skip(): void {
    while (i < n) {
      const c = text.charCodeAt(i);
      // whitespace incl. JSON5's extra line terminators and BOM/NBSP
      if (
        c === 0x20 ||
        c === 0x09 ||
        c === 0x0a ||
        c === 0x0d ||
        c === 0x0b ||
        c === 0x0c ||
        c === 0xa0 ||
        c === 0xfeff ||
        c === 0x2028 ||
        c === 0x2029
      ) {
        i++;
        continue;
      }
      if (c === 0x2f /* / */ && text[i + 1] === "/") {
        i += 2;
        while (i < n && text[i] !== "\n" && text[i] !== "\r" && text[i] !== "\u2028" && text[i] !== "\u2029")
          i++;
        continue;
      }
      if (c === 0x2f && text[i + 1] === "*") {
        const close = text.indexOf("*/", i + 2);
        if (close < 0) fail("unterminated comment");
        i = close + 2;
        continue;
      }
      break;
    }
  }

  /** Move past a quoted string; returns its quote. Values are not decoded (only keys need to be). */
  function skipString(): '"' | "'" {
    const quote = text[i] as '"' | "'";
    i++;
    while (i < n) {
      const ch = text[i];
      if (ch === "\\") {
        i += 2;
        continue;
      }
      if (ch === quote) {
        i++;
        return quote;
      }
      if (ch === "\n" || ch === "\r") fail("unterminated string");
      i++;
    }
    return fail("unterminated string");
  }

  function readString(): { value: string; quote: '"' | "'" } {
    const start = i;
    const quote = skipString();
    return { value: decodeString(text.slice(start, i)), quote };
  }

  function readKey(): { key: string; quote: '"' | "'" | null; span: Span } {
    const start = i;
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const s = readString();
      return { key: s.value, quote: s.quote, span: { start, end: i } };
    }
    if (ch !== undefined && (ID_START.test(ch) || ch === "\\")) {
      i++;
      while (i < n && ID_PART.test(text[i]!)) i++;
      return { key: text.slice(start, i), quote: null, span: { start, end: i } };
    }
    return fail("expected a key");
  }

  function readValue(depth: number): Node {
    if (depth > 200) fail("nesting too deep");
    skip();
    const start = i;
    const ch = text[i];
    if (ch === "{") {
      i++;
      const members: Member[] = [];
      for (;;) {
        skip();
        if (text[i] === "}") {
          i++;
          return { kind: "object", start, end: i, members };
        }
        const k = readKey();
        skip();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        const value = readValue(depth + 1);
        skip();
        let commaAt = -1;
        if (text[i] === ",") {
          commaAt = i;
          i++;
        } else if (text[i] !== "}") fail("expected ',' or '}'");
        members.push({ key: k.key, keySpan: k.span, keyQuote: k.quote, value, commaAt });
      }
    }
    if (ch === "[") {
      i++;
      const elements: { value: Node; commaAt: number }[] = [];
      for (;;) {
        skip();
        if (text[i] === "]") {
          i++;
          return { kind: "array", start, end: i, elements };
        }
        const value = readValue(depth + 1);
        skip();
        let commaAt = -1;
        if (text[i] === ",") {
          commaAt = i;
          i++;
        } else if (text[i] !== "]") fail("expected ',' or ']'");
        elements.push({ value, commaAt });
      }
    }
    if (ch === '"' || ch === "'") {
      skipString();
      return { kind: "scalar", start, end: i, raw: text.slice(start, i) };
    }
    // literals and numbers: read a run of non-delimiters
    while (i < n && !/[\s,:\]}[{/"']/.test(text[i]!)) i++;
    if (i === start) fail("unexpected character");
    return { kind: "scalar", start, end: i, raw: text.slice(start, i) };
  }

  const root = readValue(0);
  skip();
  if (i < n) fail("unexpected text after the value");
  return root;
}

function decodeString(quoted: string): string {
  const body = quoted.slice(1, -1);
  let out = "";
  for (let k = 0; k < body.length; k++) {
    const ch = body[k]!;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const e = body[++k];
    switch (e) {
      case "n":
        out += "\n";
        break;
      case "t":
        out += "\t";
        break;
      case "r":
        out += "\r";
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "v":
        out += "\v";
        break;
      case "0":
        out += "\0";
        break;
      case "x":
        out += String.fromCharCode(Number.parseInt(body.slice(k + 1, k + 3), 16));
        k += 2;
        break;
      case "u":
        out += String.fromCharCode(Number.parseInt(body.slice(k + 1, k + 5), 16));
        k += 4;
        break;
      case "\r":
        if (body[k + 1] === "\n") k++;
        break;
      case "\n":
      case "\u2028":
      case "\u2029":
        break;
      default:
        out += e ?? "";
    }
  }
  return out;
}

/** Find the member at `path` (object keys; numeric strings index arrays). */
export function findNode(root: Node, path: readonly string[]): { node: Node; member: Member | null } | null {
  let node: Node = root;
  let member: Member | null = null;
  for (const seg of path) {
    if (node.kind === "object") {
      // JSON5 objects keep the last duplicate key, like JSON.parse
      let found: Member | undefined;
      for (const m of node.members) if (m.key === seg) found = m;
      if (!found) return null;
      member = found;
      node = found.value;
    } else if (node.kind === "array") {
      const idx = Number(seg);
      const el = Number.isInteger(idx) ? node.elements[idx] : undefined;
      if (!el) return null;
      member = null;
      node = el.value;
    } else return null;
  }
  return { node, member };
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(offset, text.length);
  for (let k = 0; k < stop; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: stop - lineStart + 1 };
}
