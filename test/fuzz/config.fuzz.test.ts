// Property tests for the JSON5 config loader (src/audit/config.ts, public loadConfig only):
// any file content loads or is reported, never thrown; JSON values round-trip; ${VAR}
// substitution follows its rules; hostile keys never pollute prototypes; include graphs
// (cycles, fan-out, paths outside the config directory) terminate and stay confined.
// Two known bugs are pinned with it.fails (see the comments there).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import JSON5 from "json5";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/audit/config.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const root = mkdtempSync(join(tmpdir(), "clawpatrol-config-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function dir(): string {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
}

function write(text: string | Buffer, name = "openclaw.json"): string {
  const path = join(dir(), name);
  writeFileSync(path, text);
  return path;
}

const key = fc.oneof(
  fc
    .string({ unit: fc.constantFrom(..."abcdefgxyz_$0123456789"), minLength: 1, maxLength: 8 })
    .filter((k) => k !== "$include"),
  fc.constantFrom("gateway", "auth", "bind", "constructor", "toString", "hasOwnProperty", "valueOf"),
);
const plain = fc.string({ maxLength: 20 }).filter((s) => !s.includes("${"));
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    plain,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
})).value;
const topObject = fc.dictionary(key, jsonish, { maxKeys: 6 });

describe("JSON5 config loader (properties)", () => {
  it("any file content loads or reports errors, never throws", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.string({ unit: fc.constantFrom(..."{}[]:,\"'/*\n\\ $abc01.-+eE"), maxLength: 300 }),
      topObject
        .map((o) => JSON5.stringify(o))
        .chain((s) => fc.nat({ max: s.length }).map((cut) => s.slice(0, cut))),
      fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u).toString("latin1")),
    );
    fc.assert(
      fc.property(text, (t) => {
        const cfg = loadConfig(write(t), { env: {} });
        expect(cfg.exists).toBe(true);
        for (const e of cfg.errors) expect(typeof e).toBe("string");
        expect(typeof cfg.effective).toBe("object");
      }),
      { numRuns: 300 },
    );
  });

  it("a JSON5 object without includes or variables round-trips exactly", () => {
    fc.assert(
      fc.property(
        topObject,
        fc.constantFrom<"json" | "json5" | "pretty">("json", "json5", "pretty"),
        (obj, style) => {
          const text =
            style === "json"
              ? JSON.stringify(obj)
              : style === "json5"
                ? JSON5.stringify(obj)
                : JSON5.stringify(obj, null, 2);
          const cfg = loadConfig(write(text), { env: {} });
          expect(cfg.errors).toEqual([]);
          expect(cfg.resolved).toEqual(JSON.parse(JSON.stringify(obj)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("$\u007bVAR} becomes its value, an undefined one stays and is reported, $$\u007bVAR} is a literal", () => {
    const name = fc.constantFrom("TOKEN", "PORT", "_X1", "EMPTY", "UNSET");
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            plain.filter((s) => !s.includes("$")),
            name.map((v) => ({ v, escaped: false })),
            name.map((v) => ({ v, escaped: true })),
          ),
          { maxLength: 5 },
        ),
        (parts) => {
          const env: Record<string, string> = {
            TOKEN: "s3cr3t",
            PORT: "18789",
            _X1: "$\u007bTOKEN}",
            EMPTY: "",
          };
          const raw = parts
            .map((p) => (typeof p === "string" ? p : `${p.escaped ? "$" : ""}\${${p.v}}`))
            .join("");
          const expected = parts
            .map((p) => {
              if (typeof p === "string") return p;
              if (p.escaped) return `\${${p.v}}`;
              const value = env[p.v];
              return value === undefined || value === "" ? `\${${p.v}}` : value;
            })
            .join("");
          const cfg = loadConfig(write(JSON.stringify({ gateway: { auth: { token: raw } } })), { env });
          expect(cfg.resolved).toEqual({ gateway: { auth: { token: expected } } });
          const unresolved = parts.some((p) => typeof p !== "string" && !p.escaped && !env[p.v]);
          expect(cfg.unresolvedEnv.includes("gateway.auth.token")).toBe(unresolved);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keys such as __proto__ and constructor never pollute prototypes", () => {
    const hostileKey = fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "__defineGetter__",
      "toString",
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hostileKey, hostileKey), { minLength: 1, maxLength: 3 }),
        ([...pairs]) => {
          const text = `{${pairs.map(([a, b]) => `"${a}": {"${b}": {"polluted": "yes"}, "polluted": "yes"}`).join(",")}, "gateway": {"mode": "local"}}`;
          const cfg = loadConfig(write(text), { env: {} });
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.getPrototypeOf(cfg.resolved)).toBe(Object.prototype);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("include graphs (cycles, missing files, paths outside the directory) terminate and stay confined", () => {
    const target = fc.oneof(
      fc.constantFrom(
        "a.json5",
        "b.json5",
        "c.json5",
        "missing.json5",
        "../outside.json5",
        "/nonexistent/abs.json5",
        "sub/../a.json5",
      ),
    );
    const file = fc.record({
      top: fc.array(target, { maxLength: 2 }),
      nested: fc.option(fc.tuple(key, target)),
      value: topObject,
    });
    fc.assert(
      fc.property(fc.tuple(file, file, file), (files) => {
        const d = dir();
        writeFileSync(join(root, "outside.json5"), '{"leaked": true}');
        files.forEach((f, i) => {
          const obj: Record<string, unknown> = { ...f.value };
          if (f.top.length) obj.$include = f.top.length === 1 ? f.top[0] : f.top;
          if (f.nested) obj[f.nested[0]] = { $include: f.nested[1] };
          writeFileSync(join(d, ["a.json5", "b.json5", "c.json5"][i]!), JSON5.stringify(obj));
        });
        const cfg = loadConfig(join(d, "a.json5"), { env: {} });
        expect(JSON.stringify(cfg.resolved)).not.toContain("leaked");
        for (const f of cfg.files) expect(f.path.startsWith(d)).toBe(true);
        if (files[0]!.top.includes("../outside.json5")) expect(cfg.errors.join("\n")).toMatch(/outside/);
      }),
      { numRuns: 60 },
    );
  });

  // KNOWN BUG (src/audit/config.ts, reported): resolveIncludes and substituteEnv recurse once per
  // nesting level, so a config nested ~2,000 levels deep throws RangeError out of loadConfig
  // (an internal error for `clawpatrol audit`) instead of being reported in `errors`.
  // When fixed, change it.fails to it.
  it("a config nested 5,000 levels deep is reported, not thrown", () => {
    const depth = 5000;
    const cfg = loadConfig(write(`{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`), { env: {} });
    expect(cfg.exists).toBe(true);
  });

  // KNOWN BUG (src/audit/config.ts, reported): an include cycle is only caught when the same
  // file comes back at the same mount point, so a file that includes itself under k keys loads
  // k^10 files (10 levels allowed): 4 keys = about a million loads, and `clawpatrol audit` hangs
  // on a 150-byte config. Run in a child process with a deadline. When fixed, change it.fails to it.
  it("a self-including file under four keys finishes within 3 s", () => {
    const path = write(
      `{${["a", "b", "c", "d"].map((k) => `"${k}": {"$include": "openclaw.json"}`).join(",")}}`,
    );
    const script = `import { loadConfig } from ${JSON.stringify(`${REPO_ROOT}/src/audit/config.ts`)}; loadConfig(${JSON.stringify(path)}, { env: {} });`;
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { timeout: 3000, stdio: "ignore" });
  }, 15_000);
});
