// In-place edits of JSON5 text that keep comments, key order, quoting and indentation.
// Every edit is checked afterwards: the edited text must parse, and parse to exactly the
// old value with the one change applied; otherwise the edit is refused.
import { isDeepStrictEqual } from "node:util";
import JSON5 from "json5";
import { isObject, type Json, type JsonObject } from "../audit/config.ts";
import { findNode, type Member, type Node, type ObjectNode, parseTree } from "../audit/json5-tree.ts";

export class EditError extends Error {
  override name = "EditError";
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quoteStyle(obj: ObjectNode): '"' | "'" | null {
  const m = obj.members.find((x) => x.keyQuote !== null);
  if (!m) return null;
  return obj.members.every((x) => x.keyQuote !== null) ? m.keyQuote : null;
}

function keyText(key: string, quote: '"' | "'" | null): string {
  if (quote === null && IDENT.test(key)) return key;
  if (quote === "'") return `'${key.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return JSON.stringify(key);
}

/** Serialise a value inline, JSON5-style keys matching the file's quoting. */
export function inline(value: Json, quote: '"' | "'" | null): string {
  if (Array.isArray(value)) return `[${value.map((v) => inline(v, quote)).join(", ")}]`;
  if (isObject(value)) {
    const parts = Object.entries(value).map(([k, v]) => `${keyText(k, quote)}: ${inline(v, quote)}`);
    return parts.length ? `{ ${parts.join(", ")} }` : "{}";
  }
  return JSON.stringify(value);
}

function lineStart(text: string, at: number): number {
  const i = text.lastIndexOf("\n", at - 1);
  return i + 1;
}

function indentAt(text: string, at: number): string {
  const ls = lineStart(text, at);
  return /^[ \t]*/.exec(text.slice(ls))![0];
}

/** End of the line after `from` if the rest of it is only spaces, a comma or a // comment; else -1. */
function restOfLineIsTrivia(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  const end = nl < 0 ? text.length : nl;
  const rest = text.slice(from, end);
  return /^[ \t,]*(\/\/.*)?\r?$/.test(rest) ? end : -1;
}

function setIn(obj: JsonObject, path: readonly string[], value: Json | undefined): JsonObject {
  const out = structuredClone(obj);
  let cur: JsonObject = out;
  for (const seg of path.slice(0, -1)) {
    if (!isObject(cur[seg])) {
      if (value === undefined) return out;
      cur[seg] = {};
    }
    cur = cur[seg] as JsonObject;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return out;
}

function insertMember(text: string, obj: ObjectNode, key: string, value: Json): string {
  const q = quoteStyle(obj);
  const memberText = `${keyText(key, q)}: ${inline(value, q)}`;
  const multiline = text.slice(obj.start, obj.end).includes("\n");
  const last: Member | undefined = obj.members[obj.members.length - 1];
  if (!last) {
    if (!multiline) return `${text.slice(0, obj.start)}{ ${memberText} }${text.slice(obj.end)}`;
    const ind = indentAt(text, obj.start);
    return `${text.slice(0, obj.start)}{\n${ind}  ${memberText},\n${ind}}${text.slice(obj.end)}`;
  }
  const afterValue = last.commaAt >= 0 ? last.commaAt + 1 : last.value.end;
  const eol = multiline ? restOfLineIsTrivia(text, afterValue) : -1;
  if (multiline && eol >= 0) {
    const ind = indentAt(text, last.keySpan.start);
    const trailing = last.commaAt >= 0 ? "," : "";
    let head = text.slice(0, eol);
    if (last.commaAt < 0) head = `${text.slice(0, last.value.end)},${text.slice(last.value.end, eol)}`;
    return `${head}\n${ind}${memberText}${trailing}${text.slice(eol)}`;
  }
  // single-line object (or something follows on the same line): insert inline
  if (last.commaAt >= 0)
    return `${text.slice(0, last.commaAt + 1)} ${memberText},${text.slice(last.commaAt + 1)}`;
  return `${text.slice(0, last.value.end)}, ${memberText}${text.slice(last.value.end)}`;
}

function removeMember(text: string, obj: ObjectNode, m: Member): string {
  const idx = obj.members.indexOf(m);
  const multiline = text.slice(obj.start, obj.end).includes("\n");
  if (!multiline && obj.members.length === 1) return `${text.slice(0, obj.start)}{}${text.slice(obj.end)}`;
  const end = m.commaAt >= 0 ? m.commaAt + 1 : m.value.end;
  if (multiline) {
    const ls = lineStart(text, m.keySpan.start);
    const onOwnLine = /^[ \t]*$/.test(text.slice(ls, m.keySpan.start));
    const eol = restOfLineIsTrivia(text, end);
    if (onOwnLine && eol >= 0) {
      const cut = eol < text.length ? eol + 1 : eol;
      return text.slice(0, ls) + text.slice(cut);
    }
  }
  if (m.commaAt >= 0) {
    let e = end;
    while (text[e] === " " || text[e] === "\t") e++;
    return text.slice(0, m.keySpan.start) + text.slice(e);
  }
  // last member without a comma: drop the comma before it too
  const prev = obj.members[idx - 1];
  if (prev && prev.commaAt >= 0) return text.slice(0, prev.commaAt) + text.slice(m.value.end);
  return text.slice(0, m.keySpan.start) + text.slice(m.value.end);
}

function edit(text: string, path: readonly string[], value: Json | undefined): string {
  const tree: Node = parseTree(text);
  if (tree.kind !== "object") throw new EditError("the top level is not an object");
  const hit = findNode(tree, path);
  if (value === undefined) {
    if (!hit?.member) return text;
    const parent = findNode(tree, path.slice(0, -1));
    if (parent?.node.kind !== "object") return text;
    return removeMember(text, parent.node, hit.member);
  }
  if (hit) {
    const q = tree.kind === "object" ? quoteStyle(tree) : null;
    return text.slice(0, hit.node.start) + inline(value, q) + text.slice(hit.node.end);
  }
  // find the deepest existing object on the path and insert the rest there
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const anc = depth === 0 ? { node: tree as Node } : findNode(tree, path.slice(0, depth));
    if (!anc) continue;
    if (anc.node.kind !== "object") {
      // a scalar sits where an object is needed: replace it
      let v: Json = value;
      for (let i = path.length - 1; i > depth; i--) v = { [path[i]!]: v };
      return text.slice(0, anc.node.start) + inline(v, quoteStyle(tree)) + text.slice(anc.node.end);
    }
    let v: Json = value;
    for (let i = path.length - 1; i > depth; i--) v = { [path[i]!]: v };
    return insertMember(text, anc.node, path[depth]!, v);
  }
  throw new EditError(`cannot place ${path.join(".")}`);
}

/** Set (or, with `undefined`, remove) a key; verifies the result parses to the expected value. */
export function applyEdit(text: string, path: readonly string[], value: Json | undefined): string {
  return applyEdits(text, [{ path, value }]);
}

/**
 * Apply several edits in order, then verify once that the result parses to exactly the old
 * value with every change applied (one parse before and one after, whatever the number of
 * edits: a config of megabytes is parsed twice, not twice per edit). Anything the reader or
 * the position reader rejects is refused as an EditError, never thrown raw.
 */
export function applyEdits(
  text: string,
  edits: readonly { path: readonly string[]; value: Json | undefined }[],
): string {
  let before: Json;
  try {
    before = JSON5.parse(text) as Json;
  } catch (err) {
    throw new EditError(`the document is not valid JSON5: ${(err as Error).message}`);
  }
  if (!isObject(before)) throw new EditError("the top level is not an object");
  let next = text;
  let expected: JsonObject = before;
  for (const { path, value } of edits) {
    try {
      next = edit(next, path, value);
    } catch (err) {
      if (err instanceof EditError) throw err;
      throw new EditError(`cannot edit ${path.join(".")} in place: ${(err as Error).message}`);
    }
    expected = setIn(expected, path, value);
  }
  const what = edits.map((e) => e.path.join(".")).join(", ");
  let after: Json;
  try {
    after = JSON5.parse(next) as Json;
  } catch (err) {
    throw new EditError(`edit of ${what} produced invalid JSON5: ${(err as Error).message}`);
  }
  if (!isDeepStrictEqual(after, expected)) throw new EditError(`edit of ${what} changed more than intended`);
  return next;
}
