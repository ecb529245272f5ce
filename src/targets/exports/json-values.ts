// JSON values of a file, one at a time: NDJSON (one value a line), or one top-level array of
// objects however it is laid out (masscan -oJ, a Censys or Shodan download saved as an array).
// Each value is parsed on its own, so a bad one is counted with its line, never a crash.
import { MAX_LINE_BYTES, TOO_LONG } from "./lines.ts";
import type { Malformed, NumberedLine } from "./types.ts";

export type JsonItem = { line: number; text: string; value: unknown } | { malformed: Malformed };

function parsed(line: number, text: string): JsonItem {
  try {
    return { line, text, value: JSON.parse(text) };
  } catch (err) {
    return { malformed: { line, reason: `not JSON (${(err as Error).message.slice(0, 120)})` } };
  }
}

const tooLong = (line: number): JsonItem => ({
  malformed: { line, reason: `longer than ${MAX_LINE_BYTES} bytes` },
});

export async function* jsonValues(lines: AsyncIterable<NumberedLine>): AsyncGenerator<JsonItem> {
  let mode: "unknown" | "lines" | "array" = "unknown";
  // Array mode: where we are inside the element being collected.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = "";
  let startLine = 0;
  let closed = false;
  for await (const { n, text } of lines) {
    if (text === TOO_LONG) {
      if (mode === "array" && depth > 0) {
        // The element cannot be finished; what follows it is read afresh.
        depth = 0;
        inString = false;
        element = "";
      }
      yield tooLong(n);
      continue;
    }
    if (mode === "unknown") {
      const t = text.trimStart();
      if (t === "") continue;
      mode = t.startsWith("[") ? "array" : "lines";
    }
    if (mode === "lines") {
      const t = text.trim();
      if (t !== "") yield parsed(n, t);
      continue;
    }
    if (closed) {
      if (text.trim() !== "") yield { malformed: { line: n, reason: "text after the closing ]" } };
      continue;
    }
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (depth === 0) {
        if (c === "{") {
          depth = 1;
          from = i;
          startLine = n;
          inString = false;
          escaped = false;
        } else if (c === "]") {
          closed = true;
          const after = text.slice(i + 1).trim();
          if (after !== "") yield { malformed: { line: n, reason: "text after the closing ]" } };
          break;
        } else if (c !== "[" && c !== "," && c.trim() !== "") {
          yield { malformed: { line: n, reason: `unexpected ${JSON.stringify(c)} between array elements` } };
          break;
        }
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) {
          element += text.slice(from, i + 1);
          yield parsed(startLine, element);
          element = "";
        }
      }
    }
    if (depth > 0) {
      element += `${text.slice(from)}\n`;
      if (element.length > MAX_LINE_BYTES) {
        yield tooLong(startLine);
        depth = 0;
        element = "";
      }
    }
    // from is only meaningful on the line an element starts; later lines are taken whole.
  }
  if (mode === "array" && depth > 0)
    yield { malformed: { line: startLine, reason: "element cut off at end of file" } };
}
