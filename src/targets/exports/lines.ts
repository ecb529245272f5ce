// Lines of a file in constant memory: a line longer than the cap is reported as too long and
// skipped to its end, never buffered whole (a file with no line break must not exhaust memory).
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { NumberedLine } from "./types.ts";

/** Long enough for a Shodan banner with its HTML body; short enough to keep memory flat. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export const TOO_LONG = "\u0000too-long";

/** Numbered lines of chunks; an over-long line arrives as TOO_LONG so the reader can count it. */
export async function* splitLines(
  chunks: AsyncIterable<Buffer | string>,
  maxLine = MAX_LINE_BYTES,
): AsyncGenerator<NumberedLine> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let overLong = false;
  let n = 0;
  const finish = (text: string): NumberedLine => {
    n++;
    const t = overLong ? TOO_LONG : text.endsWith("\r") ? text.slice(0, -1) : text;
    overLong = false;
    return { n, text: t };
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    let from = 0;
    for (;;) {
      const nl = text.indexOf("\n", from);
      if (nl < 0) break;
      const piece = text.slice(from, nl);
      yield finish(overLong ? "" : pending + piece);
      pending = "";
      from = nl + 1;
    }
    if (!overLong) {
      pending += text.slice(from);
      if (pending.length > maxLine) {
        overLong = true;
        pending = "";
      }
    }
  }
  const rest = pending + decoder.end();
  if (rest !== "" || overLong) yield finish(overLong ? "" : rest);
}

export function fileLines(path: string): AsyncGenerator<NumberedLine> {
  return splitLines(createReadStream(path, { highWaterMark: 256 * 1024 }));
}
