// Property tests for target parsing: whatever the user types, parsing either yields a plan
// or a UsageError (never another exception); addresses round-trip; plans equal a brute-force
// model of "targets minus excludes"; the endpoint stream covers the plan exactly once.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { cidrInterval, type Family, formatIp, type Interval, parseIp } from "../../src/targets/ip.ts";
import { parsePorts } from "../../src/targets/ports.ts";
import { buildPlan, parseTarget, splitTargetText } from "../../src/targets/spec.ts";
import { canShareWalk, plannedEndpointCount, sharedWalk, streamEndpoints } from "../../src/targets/stream.ts";

const MAX4 = 2n ** 32n - 1n;
const MAX6 = 2n ** 128n - 1n;

/** Either a value or a UsageError; anything else thrown is a bug. */
function usageOr<T>(fn: () => T): T | UsageError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
}

/** Text that looks like targets: digits, dots, colons, slashes, dashes, letters, brackets, schemes. */
/** Names every plain object inherits: a lookup keyed by user text must not find them. */
const PROTO_KEYS = fc.constantFrom(
  "toString",
  "constructor",
  "__proto__",
  "hasOwnProperty",
  "valueOf",
  "prototype",
);

const targetish = fc.oneof(
  PROTO_KEYS,
  fc.string({ maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(..."0123456789.:/-abcdefABCDEF[]%xz"), maxLength: 45 }),
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.domain(),
  fc.webUrl(),
  fc.tuple(fc.ipV4(), fc.integer({ min: -2, max: 40 })).map(([ip, p]) => `${ip}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: -2, max: 140 })).map(([ip, p]) => `${ip}/${p}`),
  fc
    .tuple(fc.ipV4(), fc.oneof(fc.ipV4(), fc.integer({ min: -1, max: 300 }).map(String), fc.ipV6()))
    .map(([a, b]) => `${a}-${b}`),
  fc
    .tuple(fc.constantFrom("http", "https", "ftp", "HTTP", "ws", "file"), fc.string({ maxLength: 30 }))
    .map(([s, r]) => `${s}://${r}`),
);

const v4 = fc.bigInt({ min: 0n, max: MAX4 });
/** IPv6 values biased towards runs of zero groups (what compression is about). */
const v6 = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX6 }),
  fc
    .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    })
    .map((groups) => groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)),
);

function groupsOf(value: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
}

describe("target parsing (properties)", () => {
  it("any text parses or fails with a UsageError, never another exception", () => {
    fc.assert(
      fc.property(targetish, (text) => {
        const r = usageOr(() => parseTarget(text));
        if (r instanceof UsageError) {
          expect(r.message.length).toBeGreaterThan(0);
          return;
        }
        if (r.kind === "interval") {
          expect(r.interval.start <= r.interval.end).toBe(true);
          expect(r.interval.end <= (r.interval.family === 4 ? MAX4 : MAX6)).toBe(true);
        } else if (r.kind === "url") {
          expect(r.url.tls === r.url.url.startsWith("https:")).toBe(true);
          expect(r.url.basePath.endsWith("/")).toBe(false);
        } else if (r.kind === "endpoint") {
          expect(r.endpoint.port >= 1 && r.endpoint.port <= 65535).toBe(true);
          expect(r.endpoint.host).toBe(r.endpoint.host.toLowerCase());
          if (r.endpoint.family !== null) expect(parseIp(r.endpoint.host)?.family).toBe(r.endpoint.family);
        } else {
          expect(r.hostname).toBe(r.hostname.toLowerCase());
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("a list of such texts builds a plan or fails with a UsageError", () => {
    fc.assert(
      fc.property(
        fc.array(targetish, { maxLength: 6 }),
        fc.array(targetish, { maxLength: 3 }),
        (targets, excludes) => {
          const plan = usageOr(() => buildPlan(targets, excludes));
          if (plan instanceof UsageError) return;
          expect(plan.addressCount >= 0n).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("IPv4 addresses round-trip through format and parse", () => {
    fc.assert(
      fc.property(v4, (value) => {
        const text = formatIp(4, value);
        expect(parseIp(text)).toEqual({ family: 4, value });
        expect(parseTarget(text)).toEqual({
          kind: "interval",
          interval: { family: 4, start: value, end: value },
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("IPv6 formatting is canonical (RFC 5952, same as the WHATWG URL serializer) and round-trips", () => {
    fc.assert(
      fc.property(v6, (value) => {
        const text = formatIp(6, value);
        expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
        expect(parseIp(text)).toEqual({ family: 6, value });
        expect(parseIp(`[${text}]`)).toEqual({ family: 6, value });
      }),
      { numRuns: 2000 },
    );
  });

  it("every textual IPv6 form (leading zeros, upper case, any zero run compressed, IPv4 tail) parses to the same value", () => {
    fc.assert(
      fc.property(
        v6,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        (value, upper, pad, v4tail, pick) => {
          const groups = groupsOf(value);
          let parts = groups.map((g) => {
            const h = g.toString(16);
            const t = pad ? h.padStart(4, "0") : h;
            return upper ? t.toUpperCase() : t;
          });
          let tail = "";
          if (v4tail) {
            tail = `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
            parts = parts.slice(0, 6);
          }
          // Compress one run of zero groups (any of them, not only the longest).
          const runs: [number, number][] = [];
          for (let i = 0; i < parts.length; i++) {
            if (groups[i] !== 0) continue;
            let j = i;
            while (j < parts.length && groups[j] === 0) j++;
            for (let a = i; a < j; a++) for (let b = a + 1; b <= j; b++) runs.push([a, b]);
            i = j;
          }
          let text: string;
          if (runs.length > 0 && pick % 3 !== 0) {
            const [a, b] = runs[pick % runs.length]!;
            const left = parts.slice(0, a).join(":");
            const right = parts.slice(b).join(":");
            text = `${left}::${right}${tail ? (right ? `:${tail}` : tail) : ""}`;
          } else {
            text = `${parts.join(":")}${tail ? `:${tail}` : ""}`;
          }
          expect(parseIp(text), text).toEqual({ family: 6, value });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a CIDR is the aligned block of 2^(bits-prefix) addresses that contains its base", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.constant(4 as Family), v4, fc.integer({ min: 0, max: 32 })),
          fc.tuple(fc.constant(6 as Family), v6, fc.integer({ min: 0, max: 128 })),
        ),
        ([family, base, prefix]) => {
          const text = `${formatIp(family, base)}/${prefix}`;
          const r = parseTarget(text);
          if (r.kind !== "interval") throw new Error("not an interval");
          const size = 1n << BigInt((family === 4 ? 32 : 128) - prefix);
          expect(r.interval.end - r.interval.start + 1n).toBe(size);
          expect(r.interval.start % size).toBe(0n);
          expect(r.interval.start <= base && base <= r.interval.end).toBe(true);
          expect(r.interval).toEqual(cidrInterval(family, base, prefix));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("a range a-b is exactly [a, b], and b < a is a usage error", () => {
    fc.assert(
      fc.property(v4, v4, (a, b) => {
        const r = usageOr(() => parseTarget(`${formatIp(4, a)}-${formatIp(4, b)}`));
        if (b < a) expect(r).toBeInstanceOf(UsageError);
        else expect(r).toEqual({ kind: "interval", interval: { family: 4, start: a, end: b } });
        const last = Number(b & 255n);
        const short = usageOr(() => parseTarget(`${formatIp(4, a)}-${last}`));
        const end = (a & ~255n) | BigInt(last);
        if (end < a) expect(short).toBeInstanceOf(UsageError);
        else expect(short).toEqual({ kind: "interval", interval: { family: 4, start: a, end } });
      }),
      { numRuns: 1500 },
    );
  });

  it("target files split into clean tokens whatever they contain", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        for (const token of splitTargetText(text)) {
          expect(token).not.toBe("");
          expect(token).not.toMatch(/[\s,#]/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("port lists parse to 1-65535 without duplicates, or fail with a UsageError", () => {
    const portish = fc.oneof(
      PROTO_KEYS,
      fc.constantFrom("default", "extended"),
      fc.string({ maxLength: 30 }),
      fc.string({ unit: fc.constantFrom(..."0123456789,- "), maxLength: 30 }),
      fc
        .array(
          fc.oneof(
            fc.integer({ min: -5, max: 70_000 }).map(String),
            fc
              .tuple(fc.integer({ min: 0, max: 66_000 }), fc.integer({ min: -20, max: 300 }))
              .map(([a, w]) => `${a}-${a + w}`),
          ),
          { minLength: 1, maxLength: 5 },
        )
        .map((l) => l.join(",")),
    );
    fc.assert(
      fc.property(portish, (spec) => {
        const r = usageOr(() => parsePorts(spec));
        if (r instanceof UsageError) return;
        expect(new Set(r).size).toBe(r.length);
        for (const p of r) expect(Number.isInteger(p) && p >= 1 && p <= 65535).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

// --- plans and the endpoint stream against a brute-force model ------------------------------

/** A small universe: 127.9.0.0-127.9.0.63 and 2001:db8::0-2001:db8::3f. */
const BASE4 = parseIp("127.9.0.0")!.value;
const BASE6 = parseIp("2001:db8::")!.value;

type Piece = { family: Family; kind: "single" | "cidr" | "range"; a: number; b: number };

const piece = fc.record({
  family: fc.constantFrom<Family>(4, 6),
  kind: fc.constantFrom<"single" | "cidr" | "range">("single", "cidr", "range"),
  a: fc.integer({ min: 0, max: 63 }),
  b: fc.integer({ min: 0, max: 63 }),
});

const v4piece: fc.Arbitrary<Piece> = piece.map((p) => ({ ...p, family: 4 as Family }));

function pieceText(p: Piece): string {
  const base = p.family === 4 ? BASE4 : BASE6;
  const ip = (n: number) => formatIp(p.family, base + BigInt(n));
  if (p.kind === "single") return ip(p.a);
  if (p.kind === "range") return `${ip(Math.min(p.a, p.b))}-${ip(Math.max(p.a, p.b))}`;
  // A prefix that stays inside the 64-address universe: /26../32 (v4), /122../128 (v6).
  const bits = p.family === 4 ? 32 : 128;
  return `${ip(p.a)}/${bits - (p.b % 7)}`;
}

function pieceAddresses(p: Piece): string[] {
  const base = p.family === 4 ? BASE4 : BASE6;
  let lo: number;
  let hi: number;
  if (p.kind === "single") [lo, hi] = [p.a, p.a];
  else if (p.kind === "range") [lo, hi] = [Math.min(p.a, p.b), Math.max(p.a, p.b)];
  else {
    const size = 1 << (p.b % 7);
    lo = p.a - (p.a % size);
    hi = lo + size - 1;
  }
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) out.push(formatIp(p.family, base + BigInt(n)));
  return out;
}

function modelAddresses(targets: Piece[], excludes: Piece[]): Set<string> {
  const cut = new Set(excludes.flatMap(pieceAddresses));
  return new Set(targets.flatMap(pieceAddresses).filter((a) => !cut.has(a)));
}

function expectNormalised(list: Interval[]): void {
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1]!;
    const cur = list[i]!;
    if (prev.family !== cur.family) {
      expect(prev.family).toBeLessThan(cur.family);
      continue;
    }
    // Sorted, disjoint and not adjacent (adjacent intervals are merged).
    expect(prev.end + 1n < cur.start).toBe(true);
  }
}

describe("plans and the endpoint stream (properties)", () => {
  it("a plan is exactly the targets minus the excludes, merged", () => {
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 6 }),
        fc.array(piece, { maxLength: 4 }),
        (targets, excludes) => {
          const plan = buildPlan(targets.map(pieceText), excludes.map(pieceText));
          const model = modelAddresses(targets, excludes);
          expectNormalised(plan.intervals);
          expect(plan.addressCount).toBe(BigInt(model.size));
          const fromPlan = new Set<string>();
          for (const iv of plan.intervals)
            for (let v = iv.start; v <= iv.end; v++) fromPlan.add(formatIp(iv.family, v));
          expect(fromPlan).toEqual(model);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("two walkers sharing one walk split it: every address × port exactly once between them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(v4piece, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
        fc.integer(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }),
        async (targets, ports, seed, turns) => {
          const plan = buildPlan(targets.map(pieceText), []);
          expect(canShareWalk(plan, ports)).toBe(true);
          const state = new SharedArrayBuffer(8);
          const walkers = [0, 1].map((i) =>
            streamEndpoints(plan, ports, { seed, claim: sharedWalk(state), names: i === 0 })[
              Symbol.asyncIterator
            ](),
          );
          const seen: string[] = [];
          const done = [false, false];
          // The two take turns in a random pattern, as two threads racing would.
          for (let t = 0; !done[0] || !done[1]; t++) {
            let w = turns[t % turns.length] ? 1 : 0;
            if (done[w]) w = 1 - w;
            const next = await walkers[w]!.next();
            if (next.done) done[w] = true;
            else if ("endpoint" in next.value)
              seen.push(`${next.value.endpoint.ip} ${next.value.endpoint.port}`);
          }
          const expected = [...modelAddresses(targets, [])].flatMap((a) => ports.map((p) => `${a} ${p}`));
          expect(seen.length).toBe(expected.length);
          expect(new Set(seen)).toEqual(new Set(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the stream yields every address × port of the plan exactly once, for any seed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 1, maxLength: 5 }),
        fc.array(piece, { maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
        fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })),
        async (targets, excludes, ports, seed) => {
          const plan = buildPlan(targets.map(pieceText), excludes.map(pieceText));
          const seen: string[] = [];
          for await (const item of streamEndpoints(plan, ports, { seed, resolve: async () => [] })) {
            if (!("endpoint" in item)) throw new Error("unexpected unresolved item");
            const e = item.endpoint;
            expect(e.hostHeader).toBe(e.family === 6 ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
            seen.push(`${e.ip} ${e.port}`);
          }
          const expected = [...modelAddresses(targets, excludes)].flatMap((a) =>
            ports.map((p) => `${a} ${p}`),
          );
          expect(seen.length).toBe(expected.length);
          expect(new Set(seen)).toEqual(new Set(expected));
          expect(BigInt(seen.length)).toBe(plannedEndpointCount(plan, ports));
        },
      ),
      { numRuns: 300 },
    );
  });
});
