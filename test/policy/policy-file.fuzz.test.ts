// The policy file fuzzed: arbitrary text, and the starter policy with one key set to an
// arbitrary value (or an unknown key added). Every policy is either valid or refused with one
// line that names the file and the key, never a stack trace; through the real CLI that is exit 2.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { UsageError } from "../../src/core/errors.ts";
import { parsePolicy } from "../../src/policy/load.ts";
import { STARTER_POLICY } from "../../src/policy/starter.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const FILE = "team/policy.yml";
const dir = mkdtempSync(join(tmpdir(), "cp-policy-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parse; a refusal must be one UsageError line starting with the file name. Returns the key it names. */
function outcome(text: string): { ok: true } | { ok: false; key: string } {
  try {
    parsePolicy(text, FILE);
    return { ok: true };
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(msg.startsWith(`${FILE}: `)).toBe(true);
    expect(msg.length).toBeLessThan(700);
    return { ok: false, key: msg.slice(FILE.length + 2).split(": ")[0]! };
  }
}

const starter = YAML.parse(STARTER_POLICY) as Record<string, unknown>;
/** Every key path in the starter policy (objects only; list items count as their list). */
function paths(o: unknown, at: string[] = []): string[][] {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return [at];
  return [at, ...Object.entries(o).flatMap(([k, v]) => paths(v, [...at, k]))];
}
const KEYS = paths(starter).filter((p) => p.length > 0);

const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

function withValue(path: string[], v: unknown, add: boolean): Record<string, unknown> {
  const doc = structuredClone(starter);
  let o = doc as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[add ? `${path[path.length - 1]}X` : path[path.length - 1]!] = v;
  return doc;
}

describe("policy file fuzz", () => {
  it("arbitrary text is a policy or one line naming the file", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 })),
        (t) => {
          outcome(t);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("one key changed to any value, or an unknown key added: valid, or refused naming that key", () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), value, fc.boolean(), (path, v, add) => {
        const o = outcome(YAML.stringify(withValue(path, v, add)));
        if (o.ok) return;
        const named = o.key === "(top)" ? [] : o.key.split(".");
        const changed = add ? path.slice(0, -1) : path;
        // zod names the key it refused: the changed key, a key inside it, or its parent (an unknown key)
        const related =
          named.slice(0, changed.length).join(".") === changed.join(".") ||
          changed.slice(0, named.length).join(".") === named.join(".");
        expect(related, `${o.key} vs ${changed.join(".")}`).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it("through the CLI every refused policy is exit 2 and one line", async () => {
    const samples = fc.sample(
      fc
        .tuple(fc.constantFrom(...KEYS), value)
        .filter(([p, v]) => !outcome(YAML.stringify(withValue(p, v, false))).ok),
      { numRuns: 4, seed: 20 },
    );
    const texts = [
      ...samples.map(([p, v]) => YAML.stringify(withValue(p, v, false))),
      "a: [1, 2\n",
      "&a [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
      "version: 1\norganisation: x\norganisation: y\n",
      "%NOPE directive\n!weird-tag 3\n",
    ];
    for (const [i, t] of texts.entries()) {
      const f = join(dir, `p${i}.yml`);
      writeFileSync(f, t);
      const r = await runClawpatrol(["policy", "markdown", "--policy", f]);
      expect(r.code, t).toBe(2);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toContain(f);
    }
  });
});
