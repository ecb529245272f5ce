// Every reader on arbitrary input: it never throws (except ZMap CSV's documented refusal of a
// header without saddr/sport), every item it yields names a line that exists, and every entry
// has a real address and port. Inputs mix random text with mutated lines of the real fixtures.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { splitLines } from "../../src/targets/exports/lines.ts";
import { READERS } from "../../src/targets/exports/registry.ts";
import { EXPORT_FORMATS, type ExportItem } from "../../src/targets/exports/types.ts";

const FIX = new URL("./fixtures/", import.meta.url).pathname;
const fixtureLines = [
  "masscan.json",
  "masscan.list",
  "masscan.xml",
  "masscan.grep",
  "nmap.xml",
  "nmap.gnmap",
  "zmap.csv",
  "zmap.json",
  "shodan.json",
  "censys-search.json",
  "censys-platform.ndjson",
].flatMap((f) => readFileSync(FIX + f, "utf8").split("\n"));

const line = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(...fixtureLines),
  // A real line cut short or with a slice of it repeated.
  fc
    .tuple(fc.constantFrom(...fixtureLines), fc.nat(), fc.nat())
    .map(([l, a, b]) => l.slice(0, a % (l.length + 1)) + l.slice(b % (l.length + 1))),
);

async function run(format: (typeof EXPORT_FORMATS)[number], text: string): Promise<ExportItem[]> {
  async function* chunks() {
    // Odd chunk sizes so that lines and UTF-8 sequences are split across chunks.
    const b = Buffer.from(text);
    for (let i = 0; i < b.length; i += 7) yield b.subarray(i, i + 7);
  }
  const out: ExportItem[] = [];
  for await (const item of READERS[format](splitLines(chunks(), 4096))) out.push(item);
  return out;
}

describe("export readers on arbitrary input", () => {
  it.each(EXPORT_FORMATS)("%s never throws and yields only real lines and endpoints", async (format) => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), async (lines) => {
        const text = lines.join("\n");
        const count = text === "" ? 0 : text.split("\n").length;
        let items: ExportItem[];
        try {
          items = await run(format, text);
        } catch (err) {
          // ZMap CSV refuses a file whose header has no saddr/sport, as a usage error.
          expect(format).toBe("zmap-csv");
          expect(err).toBeInstanceOf(UsageError);
          return;
        }
        for (const item of items) {
          const n =
            "entry" in item ? item.entry.line : "skipped" in item ? item.skipped.line : item.malformed.line;
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(Math.max(count, 1));
          if ("entry" in item) {
            expect(isIP(item.entry.ip)).not.toBe(0);
            expect(item.entry.port).toBeGreaterThanOrEqual(1);
            expect(item.entry.port).toBeLessThanOrEqual(65535);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
