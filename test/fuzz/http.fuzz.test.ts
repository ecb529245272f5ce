// Property tests for the hand-written HTTP/1.1 client: the head parser on any text, and whole
// exchanges against a raw server fed random bytes, mutated responses, or well-formed
// responses (Content-Length, chunked with extensions and trailers, close-delimited) cut at
// random points. Every exchange ends by its deadline, within its caps, keeps exactly the
// bytes received as evidence, and decodes well-formed responses exactly. Pipelined answers,
// cut anywhere, are split into their messages exactly.
import net from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HttpLane, httpExchange, parseHead } from "../../src/net/http.ts";
import { DEFAULT_LIMITS, type ExchangeLimits } from "../../src/net/limits.ts";
import { DEADLINE, SLACK, splitAt, useScriptedServer } from "./scripted-server.ts";

const { server, target } = useScriptedServer();

const limitsArb: fc.Arbitrary<ExchangeLimits> = fc.record({
  connectTimeoutMs: fc.constant(1000),
  exchangeTimeoutMs: fc.constant(DEADLINE),
  maxHeaderBytes: fc.oneof(fc.integer({ min: 8, max: 512 }), fc.constant(DEFAULT_LIMITS.maxHeaderBytes)),
  maxHeaderCount: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(DEFAULT_LIMITS.maxHeaderCount)),
  maxBodyBytes: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.constant(DEFAULT_LIMITS.maxBodyBytes)),
  maxFrameBytes: fc.constant(DEFAULT_LIMITS.maxFrameBytes),
  maxFrames: fc.constant(DEFAULT_LIMITS.maxFrames),
});

const cuts = fc.array(fc.nat({ max: 1 << 16 }), { maxLength: 12 });

/** Run one exchange against `bytes`; check what must hold whatever the bytes were. */
async function exchange(
  bytes: Buffer,
  cutPoints: number[],
  end: "fin" | "reset" | "open",
  limits: ExchangeLimits,
) {
  server().push({ segments: splitAt(bytes, cutPoints), end });
  const started = performance.now();
  const x = await httpExchange(target(), { method: "GET", path: "/" }, limits);
  const ms = performance.now() - started;
  expect(ms).toBeLessThanOrEqual(limits.exchangeTimeoutMs + SLACK);
  // Evidence is exactly what was received, in order, capped.
  expect(x.raw.length).toBeLessThanOrEqual(limits.maxHeaderBytes + limits.maxBodyBytes + 1024);
  expect(x.raw.equals(bytes.subarray(0, x.raw.length))).toBe(true);
  if (x.response) {
    expect(x.response.status).toBeGreaterThanOrEqual(100);
    expect(x.response.status).toBeLessThanOrEqual(999);
    expect(x.response.headers.length).toBeLessThanOrEqual(limits.maxHeaderCount);
    expect(x.response.body.length).toBeLessThanOrEqual(limits.maxBodyBytes);
    expect(x.nonHttp).toBeNull();
  } else {
    expect(x.error).not.toBeNull();
    if (x.nonHttp) expect(x.nonHttp.length).toBeLessThanOrEqual(limits.maxBodyBytes);
  }
  if (x.timedOut) expect(end).toBe("open");
  return x;
}

// --- well-formed responses ------------------------------------------------------------------

const token = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
  minLength: 1,
  maxLength: 12,
});
const fieldValue = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)),
    maxLength: 40,
  })
  .map((v) => v.trim());

interface Model {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
  framing: "length" | "chunked" | "close";
  chunkCuts: number[];
  upperHex: boolean;
  extensions: boolean;
  trailers: [string, string][];
}

const modelArb: fc.Arbitrary<Model> = fc.record({
  status: fc.oneof(
    fc.constantFrom(200, 204, 301, 304, 400, 401, 404, 500, 503),
    fc.integer({ min: 200, max: 999 }),
  ),
  reason: fc.oneof(fc.constant(""), fieldValue),
  headers: fc
    .array(fc.tuple(token, fieldValue), { maxLength: 6 })
    .map((hs) => hs.filter(([k]) => !/^(content-length|transfer-encoding)$/i.test(k))),
  // Lengths spread evenly (fast-check would favour tiny arrays), so caps and long chunks are hit.
  body: fc
    .integer({ min: 0, max: 3000 })
    .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
    .map((u) => Buffer.from(u)),
  framing: fc.constantFrom<"length" | "chunked" | "close">("length", "chunked", "close"),
  chunkCuts: fc.array(fc.nat({ max: 3000 }), { maxLength: 12 }),
  upperHex: fc.boolean(),
  extensions: fc.boolean(),
  trailers: fc.array(fc.tuple(token, fieldValue), { maxLength: 2 }),
});

function encode(m: Model): { bytes: Buffer; headers: [string, string][] } {
  const headers: [string, string][] = [...m.headers];
  if (m.framing === "length") headers.push(["Content-Length", String(m.body.length)]);
  if (m.framing === "chunked") headers.push(["Transfer-Encoding", "chunked"]);
  const head = Buffer.from(
    `HTTP/1.1 ${m.status}${m.reason ? ` ${m.reason}` : ""}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`,
    "latin1",
  );
  let body: Buffer = m.body;
  if (m.framing === "chunked") {
    const parts: Buffer[] = [];
    for (const piece of splitAt(m.body, m.chunkCuts)) {
      if (piece.length === 0) continue;
      const size = piece.length.toString(16);
      parts.push(
        Buffer.from(`${m.upperHex ? size.toUpperCase() : size}${m.extensions ? ';ext="x"' : ""}\r\n`),
        piece,
        Buffer.from("\r\n"),
      );
    }
    parts.push(Buffer.from(`0\r\n${m.trailers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`));
    body = Buffer.concat(parts);
  }
  return { bytes: Buffer.concat([head, body]), headers };
}

const bodyless = (status: number) => status === 204 || status === 304;

describe("HTTP head parser (properties)", () => {
  it("never throws on any text, and bounds what it returns", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc
            .tuple(
              fc.constantFrom("HTTP/1.1 ", "HTTP/1.0 ", "HTTP/1.1 200", "HTTP/2 200 "),
              fc.string({ maxLength: 300 }),
            )
            .map(([a, b]) => a + b),
          fc
            .array(fc.string({ maxLength: 30 }), { maxLength: 40 })
            .map((lines) => `HTTP/1.1 200 OK\r\n${lines.join("\r\n")}`),
        ),
        fc.integer({ min: 0, max: 50 }),
        (text, max) => {
          const r = parseHead(text, max);
          if (r === null) return;
          if ("error" in r) {
            expect(r.error).toMatch(/more than/);
            return;
          }
          expect(r.headers.length).toBeLessThanOrEqual(max);
          expect(r.status).toBeGreaterThanOrEqual(100);
          expect(["1.0", "1.1"]).toContain(r.httpVersion);
          for (const [k, v] of r.headers) {
            expect(k).not.toBe("");
            expect(k).toBe(k.trim());
            expect(v).toBe(v.trim());
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("reads back every well-formed head exactly", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { bytes, headers } = encode(m);
        const text = bytes.toString("latin1");
        const r = parseHead(text.slice(0, text.indexOf("\r\n\r\n")), 128);
        expect(r).toEqual({ httpVersion: "1.1", status: m.status, reason: m.reason, headers });
      }),
      { numRuns: 1000 },
    );
  });
});

describe("HTTP exchanges against a raw server (properties)", () => {
  it("random bytes, random splits, any ending: ends in time, within caps, evidence exact", async () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }).map((u) => Buffer.from(u)),
      fc
        .tuple(
          fc.constantFrom("HTTP/1.1 200 OK\r\n", "HTTP/1.0 404 x\r\n", "HTTP/1.1 "),
          fc.uint8Array({ maxLength: 2000 }),
          fc.boolean(),
          fc.uint8Array({ maxLength: 2000 }),
        )
        .map(([a, b, blank, c]) =>
          Buffer.concat([
            Buffer.from(a),
            Buffer.from(b),
            Buffer.from(blank ? "\r\n\r\n" : ""),
            Buffer.from(c),
          ]),
        ),
    );
    await fc.assert(
      fc.asyncProperty(
        bytesArb,
        cuts,
        fc.constantFrom<"fin" | "reset" | "open">("fin", "fin", "fin", "reset", "open"),
        limitsArb,
        async (bytes, c, end, limits) => {
          await exchange(bytes, c, end, limits);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("well-formed responses cut anywhere decode exactly, or are truncated at the cap and say so", async () => {
    await fc.assert(
      fc.asyncProperty(modelArb, cuts, limitsArb, async (m, c, lim) => {
        const limits = {
          ...lim,
          maxHeaderBytes: DEFAULT_LIMITS.maxHeaderBytes,
          maxHeaderCount: DEFAULT_LIMITS.maxHeaderCount,
          exchangeTimeoutMs: 2000,
        };
        const { bytes, headers } = encode(m);
        const x = await exchange(bytes, c, "fin", limits);
        expect(x.error).toBeNull();
        expect(x.timedOut).toBe(false);
        const r = x.response!;
        expect([r.httpVersion, r.status, r.reason, r.headers]).toEqual(["1.1", m.status, m.reason, headers]);
        const body = bodyless(m.status) ? Buffer.alloc(0) : m.body;
        if (body.length <= limits.maxBodyBytes) {
          expect(r.body.equals(body)).toBe(true);
          expect(r.bodyTruncated).toBe(false);
        } else {
          expect(r.body.equals(body.subarray(0, limits.maxBodyBytes))).toBe(true);
          expect(r.bodyTruncated).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
  });

  it("mutated well-formed responses still end in time, within caps, evidence exact", async () => {
    const mutation = fc.record({
      at: fc.nat(),
      op: fc.constantFrom("flip", "insert-crlf", "insert-lf", "delete", "truncate", "nul"),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    await fc.assert(
      fc.asyncProperty(
        modelArb,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        cuts,
        fc.constantFrom<"fin" | "reset" | "open">("fin", "fin", "reset", "open"),
        limitsArb,
        async (m, muts, c, end, limits) => {
          let bytes = encode(m).bytes;
          for (const mu of muts) {
            const at = bytes.length ? mu.at % bytes.length : 0;
            if (mu.op === "flip")
              bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([mu.byte]), bytes.subarray(at + 1)]);
            else if (mu.op === "insert-crlf")
              bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from("\r\n"), bytes.subarray(at)]);
            else if (mu.op === "insert-lf")
              bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from("\n"), bytes.subarray(at)]);
            else if (mu.op === "delete")
              bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
            else if (mu.op === "truncate") bytes = bytes.subarray(0, at);
            else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.alloc(1), bytes.subarray(at)]);
          }
          await exchange(bytes, c, end, limits);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("pipelined HTTP answers (properties)", () => {
  /**
   * A server that answers the first request alone (so the lane keeps its connection), then
   * the `n` pipelined requests with `bytes`, written in `segments` one event-loop turn apart.
   */
  async function pipelineServer(n: number, segments: Buffer[]): Promise<{ port: number; close: () => void }> {
    const server = net.createServer((socket) => {
      socket.on("error", () => {});
      let heads = 0;
      let buf = "";
      socket.on("data", (d) => {
        buf += d.toString("latin1");
        for (let end = buf.indexOf("\r\n\r\n"); end >= 0; end = buf.indexOf("\r\n\r\n")) {
          buf = buf.slice(end + 4);
          heads++;
          if (heads === 1) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
          if (heads === n + 1) {
            let i = 0;
            const next = () => {
              if (i < segments.length && !socket.destroyed) {
                socket.write(segments[i++]!);
                setImmediate(next);
              }
            };
            next();
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
  }

  // Length- or chunk-framed answers that allow another after them (a body on 204/304 would
  // not be part of the message, and "Connection: close" ends the connection).
  const keptModel = modelArb
    .filter((m) => m.framing !== "close" && !bodyless(m.status))
    .map((m) => ({ ...m, headers: m.headers.filter(([k]) => k.toLowerCase() !== "connection") }));

  it("answers cut anywhere are split exactly: each exchange's evidence is its own message", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(keptModel, { minLength: 1, maxLength: 4 }),
        cuts,
        async (models, cutPoints) => {
          const messages = models.map((m) => encode(m).bytes);
          const s = await pipelineServer(models.length, splitAt(Buffer.concat(messages), cutPoints));
          const t = { ip: "127.0.0.1", port: s.port, tls: false, servername: null, hostHeader: "x" };
          const lane = new HttpLane();
          try {
            const first = await lane.exchange(t, { method: "GET", path: "/" }, DEFAULT_LIMITS);
            expect(first.response?.body.toString()).toBe("first");
            const xs = await lane.pipeline(
              t,
              models.map((_, i) => ({ method: "GET", path: `/${i}` })),
              DEFAULT_LIMITS,
              DEADLINE,
            );
            expect(xs.length).toBe(models.length);
            xs.forEach((x, i) => {
              expect(x.request.path).toBe(`/${i}`);
              expect(x.raw.equals(messages[i]!)).toBe(true);
              expect(x.response?.status).toBe(models[i]!.status);
              expect(x.response?.body.equals(models[i]!.body)).toBe(true);
              expect(x.error).toBeNull();
            });
          } finally {
            lane.close();
            s.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
