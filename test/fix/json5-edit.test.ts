import fc from "fast-check";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { applyEdit, EditError } from "../../src/fix/json5-edit.ts";

const DOC = `// my gateway
{
  gateway: {
    mode: "local", // keep
    bind: "lan",
    auth: { mode: "token", token: "abc" },
    /* origins */
    controlUi: { allowedOrigins: ["*"] },
  },
  discovery: { mdns: { mode: "full" } },
}
`;

describe("JSON5 editor", () => {
  it("replaces a value in place and keeps comments and layout", () => {
    const out = applyEdit(DOC, ["gateway", "bind"], "loopback");
    expect(out).toBe(DOC.replace('bind: "lan"', 'bind: "loopback"'));
  });

  it("inserts a key into a multi-line object on its own line with the same indent", () => {
    const out = applyEdit(DOC, ["gateway", "allowRealIpFallback"], false);
    expect(out).toContain('    controlUi: { allowedOrigins: ["*"] },\n    allowRealIpFallback: false,\n  },');
    expect(out).toContain("// keep");
  });

  it("inserts into a single-line object inline and creates missing parents", () => {
    const a = applyEdit(DOC, ["gateway", "auth", "rateLimit"], { maxAttempts: 10 });
    expect(a).toContain('auth: { mode: "token", token: "abc", rateLimit: { maxAttempts: 10 } }');
    const b = applyEdit(DOC, ["hooks", "path"], "/hooks");
    expect(JSON5.parse(b).hooks).toEqual({ path: "/hooks" });
    expect(b).toContain('  hooks: { path: "/hooks" },');
  });

  it("removes keys (own line, inline, last member) and leaves valid JSON5", () => {
    const a = applyEdit(DOC, ["gateway", "bind"], undefined);
    expect(a).not.toContain("bind");
    expect(a).toContain('    mode: "local", // keep\n    auth:');
    const b = applyEdit(DOC, ["gateway", "auth", "token"], undefined);
    expect(b).toContain('auth: { mode: "token" }');
    const c = applyEdit(DOC, ["discovery", "mdns", "mode"], undefined);
    expect(c).toContain("mdns: {}");
    expect(applyEdit(DOC, ["nope", "x"], undefined)).toBe(DOC);
  });

  it("keeps the quoting style of strict JSON files", () => {
    const json = `{\n  "gateway": {\n    "port": 18789\n  }\n}\n`;
    const out = applyEdit(json, ["gateway", "bind"], "loopback");
    expect(out).toBe(`{\n  "gateway": {\n    "port": 18789,\n    "bind": "loopback"\n  }\n}\n`);
    expect(JSON.parse(out)).toEqual({ gateway: { port: 18789, bind: "loopback" } });
  });

  it("refuses non-object documents", () => {
    expect(() => applyEdit("[1]", ["a"], 1)).toThrow(EditError);
  });

  it("any sequence of set/remove edits keeps the document parseable and exactly as intended", () => {
    const key = fc.constantFrom("gateway", "bind", "auth", "token", "mode", "hooks", "x");
    const path = fc.array(key, { minLength: 1, maxLength: 3 });
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(fc.tuple(path, value), { maxLength: 6 }), fc.boolean(), (ops, strict) => {
        let text = strict ? `${JSON.stringify(JSON5.parse(DOC), null, 2)}\n` : DOC;
        for (const [p, v] of ops) {
          try {
            text = applyEdit(text, p, v);
          } catch (err) {
            // only "would change more than intended" (e.g. a path through a scalar) may refuse
            expect(err).toBeInstanceOf(EditError);
          }
          expect(() => JSON5.parse(text)).not.toThrow();
        }
      }),
      { numRuns: 300 },
    );
  });
});
