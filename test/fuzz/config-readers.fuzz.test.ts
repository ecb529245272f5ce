// Fuzz pass over every reader of a user's config file: the OpenClaw config loader
// (src/audit/config.ts) and its position reader (json5-tree.ts), the in-place editor
// (src/fix/json5-edit.ts), the monitor config reader and the skills ignore-file reader, and
// `fix --apply` end to end. Inputs: sizes up to 64 MB (a few fixed cases), 100,000 levels of
// nesting, invalid UTF-8, byte-order marks, and JSON5's corners (comments, trailing commas,
// unquoted and quoted keys, Infinity/NaN, hex and signed numbers, line continuations,
// duplicate keys, U+2028 line breaks). Property: each reader gives a correct result or its
// own clear error (never a raw exception, never a hang), and a fix never leaves a config
// with less in it than before.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import JSON5 from "json5";
import { afterAll, describe, expect, it } from "vitest";
import { isObject, type Json, type JsonObject, loadConfig } from "../../src/audit/config.ts";
import { findNode, Json5SyntaxError, parseTree } from "../../src/audit/json5-tree.ts";
import { fixAction } from "../../src/cli/fix.ts";
import { RunError, UsageError } from "../../src/core/errors.ts";
import { applyPlan } from "../../src/fix/apply.ts";
import { applyEdit, EditError } from "../../src/fix/json5-edit.ts";
import { planFixes } from "../../src/fix/plan.ts";
import { loadMonitorConfig } from "../../src/monitor/config.ts";
import { loadSuppressions, SuppressionError } from "../../src/skills/suppressions.ts";
import { buildContextFor } from "../fix/support/ctx.ts";

const root = mkdtempSync(join(tmpdir(), "cp-readers-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function dir(): string {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
}

/** What a reader did: its result, or the class of what it threw. */
function outcome(f: () => unknown): { ok: true } | { ok: false; err: unknown } {
  try {
    f();
    return { ok: true };
  } catch (err) {
    return { ok: false, err };
  }
}

function expectOnly(f: () => unknown, ...allowed: (abstract new (...a: never[]) => Error)[]): void {
  const o = outcome(f);
  if (!o.ok) {
    const ok = allowed.some((c) => o.err instanceof c);
    expect(ok, `threw ${(o.err as Error)?.name}: ${String((o.err as Error)?.message).slice(0, 200)}`).toBe(
      true,
    );
    // clear: one line, no stack in the message
    expect((o.err as Error).message.length).toBeGreaterThan(0);
  }
}

// ------------------------------------------------------------------ fixed hostile inputs

const MiB = 1024 * 1024;
const padded = (bytes: number) => {
  const head = '{ gateway: { bind: "lan", auth: { mode: "none" } }, notes: "';
  return `${head}${"p".repeat(Math.max(0, bytes - head.length - 4))}" }\n`;
};
const HOSTILE: [string, () => string | Buffer][] = [
  ["empty file", () => ""],
  ["one byte", () => "{"],
  ["just under the 8 MiB limit, valid", () => padded(8 * MiB - 16)],
  ["one byte over 8 MiB", () => padded(8 * MiB + 1)],
  ["64 MB of one JSON string", () => JSON.stringify("s".repeat(64 * MiB))],
  ["64 MB comment then a config", () => `/*${" ".repeat(64 * MiB)}*/ { gateway: { bind: "lan" } }`],
  ["100k nested objects", () => `{"a":${'{"a":'.repeat(100_000)}1${"}".repeat(100_001)}`],
  ["100k nested arrays", () => `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`],
  ["100k nested YAML flow sequences", () => `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
  [
    "3k nested YAML block sequences",
    () => Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i)}- `).join("\n"),
  ],
  [
    "invalid UTF-8 inside a string",
    () =>
      Buffer.concat([
        Buffer.from('{ gateway: { bind: "lan" }, x: "'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('" }'),
      ]),
  ],
  [
    "overlong UTF-8 and a lone surrogate",
    () =>
      Buffer.concat([Buffer.from("{ x: '"), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from("' }")]),
  ],
  ["UTF-8 BOM", () => '\uFEFF{ gateway: { bind: "lan", auth: { mode: "none" } } }'],
  [
    "UTF-16LE BOM and text",
    () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{ gateway: { bind: "lan" } }', "utf16le")]),
  ],
  [
    "UTF-16BE BOM and text",
    () =>
      Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from('{ gateway: { bind: "lan" } }', "utf16le").swap16(),
      ]),
  ],
  ["UTF-32LE BOM", () => Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x7b, 0, 0, 0, 0x7d, 0, 0, 0])],
  ["NUL bytes", () => Buffer.from([0x7b, 0, 0, 0x7d])],
  [
    "JSON5 corners",
    () =>
      `// c\n{ a: Infinity, b: -Infinity, c: NaN, d: 0x1F, e: +1, f: .5, g: 5., 'h': 'line\\\ncont', "i": [1,2,], j: 1, j: 2, k: "\\x41\\u0042", \u2028 l: /* x */ null, }`,
  ],
  ["unterminated block comment", () => '{ gateway: { bind: "lan" } } /*'],
  [
    "__proto__ and constructor keys",
    () => '{ "__proto__": { "polluted": 1 }, constructor: { prototype: 1 }, gateway: { bind: "lan" } }',
  ],
];

const APPLIES = new Set(["just under the 8 MiB limit, valid", "UTF-8 BOM"]);

describe("every config reader on hostile inputs: a correct result or its own clear error", () => {
  for (const [name, make] of HOSTILE) {
    it(name, { timeout: 120_000 }, async () => {
      const d = dir();
      const path = join(d, "openclaw.json");
      const content = make();
      writeFileSync(path, content);
      const bytes = readFileSync(path);
      const text = bytes.toString("utf8");

      // the OpenClaw config loader never throws; a file it could not read whole says so
      const cfg = loadConfig(path, { env: {} });
      expect(cfg.exists).toBe(true);
      const valid = outcome(() => JSON5.parse(text));
      const fitsAndValid =
        bytes.length <= 8 * MiB && valid.ok && !cfg.problems.some((p) => p.kind === "invalid-utf8");
      if (!fitsAndValid) expect(cfg.problems.length, "a problem is recorded").toBeGreaterThan(0);
      if (bytes.length > 8 * MiB) expect(cfg.problems[0]!.kind).toBe("too-large");
      for (const p of cfg.problems) expect(p.message).not.toMatch(/\n/);
      expect(Object.getPrototypeOf({}).polluted).toBeUndefined();

      if (bytes.length <= 8 * MiB) {
        expectOnly(() => parseTree(text), Json5SyntaxError);
        expectOnly(() => applyEdit(text, ["gateway", "bind"], "loopback"), EditError);
      }
      expectOnly(() => loadMonitorConfig(path, {}), UsageError);
      expectOnly(() => loadSuppressions(path, d), SuppressionError);

      // fix --apply in process: refused with a UsageError/RunError, or applied keeping everything
      let threw: unknown = null;
      try {
        await fixAction({ config: path, home: join(d, "home"), apply: true, allowLockout: true }, () => {});
      } catch (err) {
        threw = err;
      }
      if (threw !== null) {
        expect(threw instanceof UsageError || threw instanceof RunError, String(threw)).toBe(true);
        expect(readFileSync(path).equals(bytes), "a refused fix changes nothing").toBe(true);
      } else {
        const after = readFileSync(path, "utf8");
        // these two hold an exposed gateway within the limits: the fix must really happen
        if (APPLIES.has(name)) expect(after).not.toBe(text);
        if (after !== text) {
          const before = JSON5.parse(text) as JsonObject;
          const now = JSON5.parse(after) as JsonObject;
          expectKept(before, now);
          expect((now.gateway as JsonObject).bind).toBe("loopback");
          expect(after.startsWith("\uFEFF")).toBe(text.startsWith("\uFEFF"));
        }
      }
    });
  }
});

/** Keys a fix may set or remove; everything else must come through unchanged. */
const FIXABLE = new Set(["gateway", "hooks", "discovery", "logging", "browser", "tools", "plugins"]);
function expectKept(before: JsonObject, after: JsonObject): void {
  for (const [k, v] of Object.entries(before)) {
    if (FIXABLE.has(k)) continue;
    expect(isDeepStrictEqual(after[k], v), `key ${k} kept`).toBe(true);
  }
}

// ------------------------------------------------------------------ JSON5 corner-case documents

interface Doc {
  text: string;
  value: JsonObject;
}

const gap = fc.constantFrom(
  "",
  " ",
  "\n",
  "\r\n",
  "  ",
  "\t",
  "// note\n",
  "/* c */",
  " /* a\nb */ ",
  "\u2028",
);
const identKey = fc
  .stringMatching(/^[a-z_$][a-z0-9_$]{0,6}$/)
  .filter((k) => k !== "$include" && k !== "__proto__");
const keyText = (k: string) =>
  fc
    .constantFrom<"bare" | "single" | "double">("bare", "single", "double")
    .map((s) => (s === "bare" ? k : s === "single" ? `'${k}'` : JSON.stringify(k)));

/** A number with its JSON5 spelling. */
const num: fc.Arbitrary<[string, number]> = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }).map((v): [string, number] => [String(v), v]),
  fc.integer({ min: 0, max: 0xffff }).map((v): [string, number] => [`0x${v.toString(16).toUpperCase()}`, v]),
  fc.integer({ min: 0, max: 999 }).map((v): [string, number] => [`+${v}`, v]),
  fc.integer({ min: 0, max: 9 }).map((v): [string, number] => [`.${v}5`, Number(`0.${v}5`)]),
  fc.integer({ min: 0, max: 99 }).map((v): [string, number] => [`${v}.`, v]),
  fc.constantFrom<[string, number]>(["Infinity", Infinity], ["-Infinity", -Infinity], ["NaN", Number.NaN]),
);
/** A string with its JSON5 spelling (quotes, escapes, line continuations). */
const str: fc.Arbitrary<[string, string]> = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(..."abc XYZ-_./é€"), maxLength: 12 }),
    fc.constantFrom("dq", "sq", "cont", "esc"),
  )
  .map(([s, style]): [string, string] => {
    if (style === "sq") return [`'${s.replace(/'/g, "\\'")}'`, s];
    if (style === "cont") return [`"${s.slice(0, 3)}\\\n${s.slice(3)}"`, s];
    if (style === "esc") return [`"\\x41\\u0042${JSON.stringify(s).slice(1, -1)}"`, `AB${s}`];
    return [JSON.stringify(s), s];
  });

const docOf: fc.Arbitrary<Doc> = fc
  .letrec<{ value: [string, Json]; object: [string, JsonObject] }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      num as fc.Arbitrary<[string, Json]>,
      str as fc.Arbitrary<[string, Json]>,
      fc.constantFrom<[string, Json]>(["true", true], ["false", false], ["null", null]),
      fc
        .tuple(fc.array(tie("value"), { maxLength: 3 }), fc.boolean(), gap)
        .map(([els, trailing, g]): [string, Json] => [
          `[${g}${els.map((e) => e[0]).join(`,${g}`)}${trailing && els.length ? "," : ""}]`,
          els.map((e) => e[1]),
        ]),
      tie("object") as fc.Arbitrary<[string, Json]>,
    ),
    object: fc
      .tuple(
        fc.array(fc.tuple(identKey, tie("value"), gap), { maxLength: 4 }),
        fc.boolean(),
        fc.option(fc.tuple(tie("value")), { nil: undefined }),
      )
      .chain(([members, trailing, dup]) =>
        fc.tuple(...members.map(([k]) => keyText(k))).map((keys): [string, JsonObject] => {
          const parts = members.map(
            ([, v, g], i) => `${g}${keys[i]}${g === "\u2028" ? " " : ""}:${g}${v[0]}`,
          );
          const value: JsonObject = {};
          for (const [k, v] of members) value[k] = v[1];
          // a duplicate key: JSON5 keeps the last one
          if (dup && members.length > 0) {
            const k = members[0]![0];
            parts.push(`${keys[0]}: ${dup[0][0]}`);
            value[k] = dup[0][1];
          }
          return [`{${parts.join(",")}${trailing && parts.length ? "," : ""}}`, value];
        }),
      ),
  }))
  .object.chain(([text, value]) =>
    fc.constantFrom("", "\uFEFF", "// header\n", "\r\n").map((pre) => ({ text: `${pre}${text}\n`, value })),
  );

describe("JSON5 corner cases (properties)", () => {
  it("the loader reads exactly what json5 reads, with positions for every top-level key", () => {
    fc.assert(
      fc.property(docOf, (doc) => {
        expect(isDeepStrictEqual(JSON5.parse(doc.text), doc.value)).toBe(true);
        const path = join(dir(), "openclaw.json");
        writeFileSync(path, doc.text);
        const cfg = loadConfig(path, { env: {} });
        expect(cfg.problems).toEqual([]);
        expect(isDeepStrictEqual(cfg.resolved, doc.value)).toBe(true);
        const tree = parseTree(doc.text);
        for (const [k, v] of Object.entries(doc.value)) {
          const hit = findNode(tree, [k]);
          expect(hit).not.toBeNull();
          expect(isDeepStrictEqual(JSON5.parse(doc.text.slice(hit!.node.start, hit!.node.end)), v)).toBe(
            true,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("edits of corner-case documents are exact or refused as EditError", () => {
    const path = fc.array(fc.constantFrom("gateway", "bind", "a", "b", "_"), { minLength: 1, maxLength: 3 });
    const val = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom<Json>("loopback", 1, true, null, { x: [1] }),
    );
    fc.assert(
      fc.property(docOf, fc.array(fc.tuple(path, val), { maxLength: 4 }), (doc, edits) => {
        let text = doc.text;
        let expected: JsonObject = structuredClone(doc.value);
        for (const [p, v] of edits) {
          try {
            text = applyEdit(text, p, v);
          } catch (err) {
            expect(err).toBeInstanceOf(EditError);
            return;
          }
          expected = setIn(expected, p, v);
          expect(isDeepStrictEqual(JSON5.parse(text), expected)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("arbitrary bytes: every reader returns or throws its own error", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
      docOf.chain((d) =>
        fc
          .tuple(fc.nat({ max: d.text.length }), fc.uint8Array({ minLength: 1, maxLength: 4 }))
          .map(([at, junk]) =>
            Buffer.concat([
              Buffer.from(d.text.slice(0, at)),
              Buffer.from(junk),
              Buffer.from(d.text.slice(at)),
            ]),
          ),
      ),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const d = dir();
        const path = join(d, "cfg");
        writeFileSync(path, b);
        const text = b.toString("utf8");
        const cfg = loadConfig(path, { env: {} });
        const jsonOk = outcome(() => JSON5.parse(text)).ok;
        if (!jsonOk)
          expect(cfg.problems.some((p) => p.kind === "syntax" || p.kind === "invalid-utf8")).toBe(true);
        expectOnly(() => parseTree(text), Json5SyntaxError);
        expectOnly(() => applyEdit(text, ["gateway", "bind"], "loopback"), EditError);
        expectOnly(() => loadMonitorConfig(path, {}), UsageError);
        expectOnly(() => loadSuppressions(path, d), SuppressionError);
      }),
      { numRuns: 200 },
    );
  });
});

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

describe("fix --apply on corner-case configs (property)", () => {
  it("the applied config parses, keeps every key it did not fix, and keeps its comments", async () => {
    const RESERVED = new Set([...FIXABLE, "meta", "agents", "$include"]);
    const dangerous = docOf
      .filter((d) => !Object.keys(d.value).some((k) => RESERVED.has(k)))
      .map((d) => {
        // put an exposed, unauthenticated gateway in front of the generated members
        const at = d.text.indexOf("{") + 1;
        const text = `${d.text.slice(0, at)} gateway: { bind: "lan", auth: { mode: "none" } },${d.text.slice(at)}`;
        const extra = Object.fromEntries(Object.entries(d.value).filter(([k]) => k !== "gateway"));
        return { text, extra };
      });
    await fc.assert(
      fc.asyncProperty(dangerous, async ({ text, extra }) => {
        if (!outcome(() => JSON5.parse(text)).ok) return; // a duplicate "gateway" key may have been generated away
        const d = dir();
        mkdirSync(join(d, "state"));
        const path = join(d, "state/openclaw.json");
        writeFileSync(path, text);
        const { ctx, findings } = await buildContextFor(join(d, "state"), path);
        const plan = planFixes(ctx, findings, { allowLockout: true });
        if (plan.files.length === 0) return;
        applyPlan(plan);
        const after = readFileSync(path, "utf8");
        const now = JSON5.parse(after) as JsonObject;
        expect((now.gateway as JsonObject).bind).toBe("loopback");
        for (const [k, v] of Object.entries(extra)) expect(isDeepStrictEqual(now[k], v), k).toBe(true);
        for (const c of text.match(/\/\/ [a-z]+|\/\* c \*\//g) ?? []) expect(after).toContain(c);
        expect(after.length).toBeGreaterThanOrEqual(text.length);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
