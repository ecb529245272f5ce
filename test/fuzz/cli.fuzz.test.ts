// CLI argument fuzzing: every invalid invocation of every registered command exits 2 with
// exactly one line on stderr, no stack trace and no raw control bytes (messages quote what
// the user typed). The command tree is read from the real program, so a new command or flag
// is fuzzed without touching this file. Invocations are made invalid at parse level (unknown
// options, missing option values, values a flag's parser rejects, missing or extra
// arguments, unknown commands), so no action ever starts; scan also gets action-level errors
// (bad targets, ports, --json with --sarif) that it must refuse before any network I/O.
// Guards make any connection, name lookup or child process in this test process fail loudly.
import childProcess from "node:child_process";
import dns from "node:dns";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";
import type { Command, Option } from "commander";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram, runCli } from "../../src/cli/main.ts";
import { EXIT, reportError, UsageError } from "../../src/core/errors.ts";
import { parsePorts } from "../../src/targets/ports.ts";
import { parseTarget } from "../../src/targets/spec.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

// --- guards: this process must not touch the network or run programs ------------------------

const violations: string[] = [];
const saved: { connect: typeof net.Socket.prototype.connect; lookups: [object, string, unknown][] } = {
  connect: net.Socket.prototype.connect,
  lookups: [],
};

/** Off only while this file itself starts real CLI child processes. */
let guarding = true;

function guard(obj: Record<string, unknown>, name: string): void {
  const original = obj[name] as (...args: unknown[]) => unknown;
  saved.lookups.push([obj, name, original]);
  obj[name] = (...args: unknown[]) => {
    if (!guarding) return original.apply(obj, args);
    violations.push(`${name}(${JSON.stringify(args[0])})`);
    throw new Error(`CLI fuzz guard: ${name} must not be called`);
  };
}

let stdinWasTty: boolean | undefined;
beforeAll(() => {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    violations.push(`connect(${JSON.stringify(args[0])})`);
    throw new Error("CLI fuzz guard: no connections");
  } as typeof net.Socket.prototype.connect;
  guard(dns as unknown as Record<string, unknown>, "lookup");
  guard(dns.promises as unknown as Record<string, unknown>, "lookup");
  for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"])
    guard(childProcess as unknown as Record<string, unknown>, name);
  syncBuiltinESMExports();
  // A test worker's stdin is not a terminal; scan would read targets from it. Say it is one.
  stdinWasTty = process.stdin.isTTY;
  process.stdin.isTTY = true;
});

afterAll(() => {
  net.Socket.prototype.connect = saved.connect;
  for (const [obj, name, fn] of saved.lookups) (obj as Record<string, unknown>)[name] = fn;
  syncBuiltinESMExports();
  process.stdin.isTTY = stdinWasTty as true;
  process.exitCode = undefined;
  expect(violations).toEqual([]);
});

/** Run the CLI in this process; capture what it writes. */
async function runInProcess(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = "";
  let stdout = "";
  const realErr = process.stderr.write;
  const realOut = process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.exitCode = undefined;
  try {
    const code = await runCli(["node", "clawpatrol", ...argv]);
    return { code, stderr, stdout };
  } finally {
    process.stderr.write = realErr;
    process.stdout.write = realOut;
    process.exitCode = undefined;
  }
}

function expectUsageError(r: { code: number; stderr: string; stdout: string }, argv: string[]): void {
  const label = JSON.stringify(argv);
  expect(r.code, `${label}\n${r.stderr}`).toBe(EXIT.usage);
  const lines = r.stderr.trimEnd().split("\n");
  if (argv[0] === "scan" && lines.length > 1) {
    // Several targets none of which can be scanned: one line each, then one that sums up.
    expect(lines.at(-1), `${label}\n${r.stderr}`).toMatch(/^clawpatrol: no target could be scanned \(/);
    for (const l of lines) expect(isOneLineError(`${l}\n`), `${label}\n${r.stderr}`).toBe(true);
  } else expect(isOneLineError(r.stderr), `${label}\n${r.stderr}`).toBe(true);
  expect(r.stderr, label).not.toMatch(/\n\s+at /);
  expect(r.stderr.trimEnd(), label).not.toMatch(TERMINAL_UNSAFE);
  expect(r.stderr.length, label).toBeLessThan(2200);
  expect(r.stdout, label).toBe("");
}

// --- the command tree ---------------------------------------------------------------------------

interface Leaf {
  path: string[];
  cmd: Command;
}

function leaves(cmd: Command, path: string[] = []): Leaf[] {
  const out: Leaf[] = [];
  for (const sub of cmd.commands) {
    const p = [...path, sub.name()];
    if ((sub as unknown as { _actionHandler: unknown })._actionHandler) out.push({ path: p, cmd: sub });
    out.push(...leaves(sub, p));
  }
  return out;
}

const program = await buildProgram("all");
const LEAVES = leaves(program);
const TOP = program.commands.map((c) => c.name());

function longFlag(o: Option): string {
  return o.long ?? o.short!;
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

function registeredFlags(cmd: Command): Set<string> {
  const s = new Set<string>(["-h", "--help"]);
  for (const o of cmd.options) {
    if (o.long) s.add(o.long);
    if (o.short) s.add(o.short);
  }
  return s;
}

function rejects(o: Option, value: string): boolean {
  if (o.argChoices) return !o.argChoices.includes(value);
  if (!o.parseArg) return false;
  try {
    o.parseArg(value, undefined as never);
    return false;
  } catch {
    return true;
  }
}

/** A harmless value that does not look like a flag (paths that do not exist, short words). */
const value = fc.oneof(
  fc.constantFrom("/nonexistent/clawpatrol-fuzz", "x", "1", "0", "5s", "high", "127.0.0.1", "openclaw"),
  fc.string({ unit: fc.constantFrom(..."abcxyz0123456789./:_"), minLength: 1, maxLength: 12 }),
);

/** Arbitrary text, hostile bytes included, never starting with "-". */
const anyText = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom(
        "\u001b",
        "]",
        "[",
        "\u0007",
        "\u009b",
        "\u202e",
        "\n",
        "\r",
        "\t",
        "a",
        "0",
        ";",
      ),
      maxLength: 20,
    }),
    fc.constantFrom("toString", "constructor", "__proto__", ""),
  )
  .filter((s) => !s.startsWith("-"));

/** Valid-looking tokens for one command: its flags with values, positional words. */
function filler(leaf: Leaf): fc.Arbitrary<string[][]> {
  const opts = leaf.cmd.options.filter((o) => !o.hidden);
  const flagGroup: fc.Arbitrary<string[]> = fc
    .constantFrom(...(opts.length > 0 ? opts : [null]))
    .chain((o): fc.Arbitrary<string[]> => {
      if (o === null) return fc.constant([]);
      return takesValue(o) ? value.map((v) => [longFlag(o), v]) : fc.constant([longFlag(o)]);
    });
  const group: fc.Arbitrary<string[]> = fc.oneof(flagGroup, fc.constant<string[]>([]));
  return fc.array(group, { maxLength: 4 });
}

function positionals(leaf: Leaf): string[] {
  return leaf.cmd.registeredArguments.filter((a) => a.required).map(() => "x");
}

function insert(groups: string[][], bad: string[], at: number): string[] {
  const i = groups.length === 0 ? 0 : at % (groups.length + 1);
  return [...groups.slice(0, i), bad, ...groups.slice(i)].flat();
}

/** An invocation of `leaf` that must fail at parse level. */
function invalidFor(leaf: Leaf): fc.Arbitrary<string[]> {
  const flags = registeredFlags(leaf.cmd);
  const unknownLong = fc
    .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz-"), minLength: 1, maxLength: 12 })
    .map((s) => `--zz${s}`)
    .filter((f) => !flags.has(f));
  const unknownShort = fc
    .constantFrom(..."ABCDEFGIJKLMNQRSTUWXYZbcdegjkmnqrstuwxyz")
    .map((c) => `-${c}`)
    .filter((f) => !flags.has(f));
  const valued = leaf.cmd.options.filter((o) => o.required);
  // Flags whose parser rejects something (a parser that accepts everything, like a collector, cannot be fuzzed invalid).
  const probes = ["", "x", "-1", "1.5", "999999999999999", "\u001b[2J", "toString", "abc def", "0"];
  const parsed = leaf.cmd.options.filter((o) => takesValue(o) && probes.some((v) => rejects(o, v)));
  const kinds: fc.Arbitrary<{
    groups: string[][];
    bad: string[];
    at: number;
    tail?: string[];
    omitArgs?: boolean;
  }>[] = [
    fc.record({ groups: filler(leaf), bad: unknownLong.map((f) => [f]), at: fc.nat() }),
    fc.record({ groups: filler(leaf), bad: unknownShort.map((f) => [f]), at: fc.nat() }),
  ];
  if (valued.length > 0)
    kinds.push(
      fc.record({
        groups: filler(leaf),
        bad: fc.constant([] as string[]),
        at: fc.nat(),
        tail: fc.constantFrom(...valued).map((o) => [longFlag(o)]),
      }),
    );
  if (parsed.length > 0)
    kinds.push(
      fc.record({
        groups: filler(leaf),
        bad: fc
          .constantFrom(...parsed)
          .chain((o) => anyText.filter((v) => rejects(o, v)).map((v) => [longFlag(o), v])),
        at: fc.nat(),
      }),
    );
  const required = leaf.cmd.registeredArguments.filter((a) => a.required);
  const variadic = leaf.cmd.registeredArguments.some((a) => a.variadic);
  if (required.length > 0)
    kinds.push(
      fc.record({
        groups: filler(leaf),
        bad: fc.constant([] as string[]),
        at: fc.nat(),
        omitArgs: fc.constant(true),
      }),
    );
  if (!variadic)
    kinds.push(
      fc.record({
        groups: filler(leaf),
        bad: fc.constant([] as string[]),
        at: fc.nat(),
        tail: value.map((v) => ["--", v, "extra"]),
      }),
    );
  return fc.oneof(...kinds).map((k) => {
    const args = k.omitArgs ? [] : positionals(leaf);
    return [...leaf.path, ...args, ...insert(k.groups, k.bad, k.at), ...(k.tail ?? [])];
  });
}

function throwsUsage(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return err instanceof UsageError;
  }
}

/** An --exclude value scan must refuse: split like scan does, one piece is not an address. */
function badExclude(text: string): boolean {
  const pieces = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return pieces.some((p) => {
    try {
      return parseTarget(p).kind !== "interval";
    } catch (err) {
      return err instanceof UsageError;
    }
  });
}

/** Scan invocations whose action must refuse them before any network I/O. */
const scanLeaf = LEAVES.find((l) => l.path.join(" ") === "scan");
const invalidScanAction: fc.Arbitrary<string[]> = fc.oneof(
  fc
    .tuple(
      fc.array(
        anyText.filter((t) => t !== "" && t.trim() !== "-" && throwsUsage(() => parseTarget(t))),
        { minLength: 1, maxLength: 3 },
      ),
      fc.constantFrom([], ["--json"], ["--sarif"], ["--all"]),
    )
    .map(([ts, extra]) => ["scan", ...ts, ...extra]),
  fc
    .tuple(
      fc.constantFrom("127.0.0.1", "127.0.0.0/30", "::1"),
      anyText.filter((p) => throwsUsage(() => parsePorts(p))),
    )
    .map(([t, p]) => ["scan", t, "-p", p]),
  fc.constantFrom("127.0.0.1", "127.0.0.0/30").map((t) => ["scan", t, "--json", "--sarif"]),
  fc
    .tuple(fc.constantFrom("127.0.0.1"), anyText.filter(badExclude))
    .map(([t, e]) => ["scan", t, "--exclude", e]),
  fc.constant<string[]>(["scan", "--no-progress"]),
  fc.constant<string[]>(["scan", "10.0.0.0/8"]),
);

const unknownCommand = fc
  .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"), minLength: 1, maxLength: 10 })
  .filter((c) => !TOP.includes(c) && c !== "help")
  .map((c) => [c]);

describe("CLI argument fuzzing", () => {
  it("knows the registered commands", () => {
    expect(LEAVES.map((l) => l.path.join(" "))).toContain("scan");
    expect(LEAVES.length).toBeGreaterThan(0);
  });

  for (const leaf of LEAVES) {
    it(`every invalid invocation of \`${leaf.path.join(" ")}\` exits 2 with one line`, async () => {
      await fc.assert(
        fc.asyncProperty(invalidFor(leaf), async (argv) => {
          expectUsageError(await runInProcess(argv), argv);
        }),
        { numRuns: 150 },
      );
    });
  }

  it("unknown commands exit 2 with one line", async () => {
    await fc.assert(
      fc.asyncProperty(unknownCommand, async (argv) => {
        expectUsageError(await runInProcess(argv), argv);
      }),
      { numRuns: 50 },
    );
  });

  it("scan refuses bad targets, ports, excludes and flag combinations before any network I/O", async () => {
    expect(scanLeaf).toBeDefined();
    await fc.assert(
      fc.asyncProperty(invalidScanAction, async (argv) => {
        expectUsageError(await runInProcess(argv), argv);
      }),
      { numRuns: 200 },
    );
  });

  it("a sample of invalid invocations, run as real child processes, behaves the same", async () => {
    const all = fc.oneof(...LEAVES.map(invalidFor), unknownCommand, invalidScanAction);
    const sample = fc.sample(all, { seed: 4242, numRuns: 8 });
    guarding = false;
    let results: Awaited<ReturnType<typeof runClawpatrol>>[];
    try {
      results = await Promise.all(sample.map((argv) => runClawpatrol(argv)));
    } finally {
      guarding = true;
    }
    results.forEach((r, i) => {
      expectUsageError({ code: r.code ?? -1, stderr: r.stderr, stdout: r.stdout }, sample[i]!);
    });
  }, 30_000);
});

describe("internal errors", () => {
  it("anything thrown becomes one line with where the details were written, never a stack trace", () => {
    const written: string[] = [];
    try {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.anything({
              withNullPrototype: true,
              withBigInt: true,
              withMap: true,
              withSet: true,
              maxDepth: 2,
            }),
            fc.string().map((m) => new Error(m)),
            fc.string().map((m) => new TypeError(`${m}\n    at fake (file.js:1:1)\n\u001b[31mred`)),
            fc.constant(
              Object.defineProperty(new Error("x"), "message", {
                get() {
                  throw new Error("hostile getter");
                },
              }),
            ),
            fc.constant({
              toString() {
                throw new Error("hostile toString");
              },
            }),
          ),
          (thrown) => {
            let out = "";
            const code = reportError(thrown, (line) => {
              out += line;
            });
            expect(code).toBe(EXIT.error);
            expect(isOneLineError(out), out).toBe(true);
            expect(out.trimEnd()).not.toMatch(TERMINAL_UNSAFE);
            const file = /\(details in (.+)\)$/.exec(out.trimEnd())?.[1];
            expect(file, out).toBeDefined();
            written.push(file!);
            expect(existsSync(file!)).toBe(true);
            expect(readFileSync(file!, "utf8").length).toBeGreaterThan(0);
          },
        ),
        { numRuns: 200 },
      );
    } finally {
      for (const f of written) rmSync(f, { force: true });
    }
  });
});
