// Property tests for the WebSocket frame reader: after a valid 101, a raw server sends random
// bytes, or a well-formed sequence of messages (text and binary, fragmented at random,
// pings and pongs between fragments, optionally masked, every length encoding, an optional
// close frame), cut at random points. The exchange ends in time and within its frame budget,
// keeps exactly the bytes received, and reads well-formed sequences exactly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, type ExchangeLimits } from "../../src/net/limits.ts";
import { wsExchange } from "../../src/net/websocket.ts";
import { DEADLINE, SLACK, splitAt, upgradeHead, useScriptedServer } from "./scripted-server.ts";

const { server, target } = useScriptedServer();

const limitsArb: fc.Arbitrary<ExchangeLimits> = fc.record({
  connectTimeoutMs: fc.constant(1000),
  exchangeTimeoutMs: fc.constant(DEADLINE),
  maxHeaderBytes: fc.constant(DEFAULT_LIMITS.maxHeaderBytes),
  maxHeaderCount: fc.constant(DEFAULT_LIMITS.maxHeaderCount),
  maxBodyBytes: fc.constant(DEFAULT_LIMITS.maxBodyBytes),
  maxFrameBytes: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constant(DEFAULT_LIMITS.maxFrameBytes)),
  maxFrames: fc.integer({ min: 1, max: 10 }),
});

/** A server frame with the given length encoding (7-bit, 16-bit or 64-bit, even when a shorter one would do). */
function frame(
  fin: boolean,
  opcode: number,
  payload: Buffer,
  mask: Buffer | null,
  encoding: 0 | 1 | 2,
): Buffer {
  const len = payload.length;
  const enc = len > 65535 ? 2 : len > 125 ? Math.max(encoding, 1) : encoding;
  const b0 = (fin ? 0x80 : 0) | opcode;
  const m = mask ? 0x80 : 0;
  let head: Buffer;
  if (enc === 0) head = Buffer.from([b0, m | len]);
  else if (enc === 1) head = Buffer.from([b0, m | 126, len >> 8, len & 255]);
  else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = m | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  return Buffer.concat([head, mask, masked]);
}

interface Message {
  text: boolean;
  payload: Buffer;
  /** Cut points of the payload into fragments. */
  fragments: number[];
  /** Pings/pongs after fragment i (control frames may sit between fragments). */
  controls: number[];
}

const messageArb: fc.Arbitrary<Message> = fc.record({
  text: fc.boolean(),
  payload: fc.oneof(
    fc.string({ maxLength: 200 }).map((s) => Buffer.from(s, "utf8")),
    fc
      .integer({ min: 0, max: 400 })
      .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
      .map((u) => Buffer.from(u)),
  ),
  fragments: fc.array(fc.nat({ max: 400 }), { maxLength: 3 }),
  controls: fc.array(fc.nat({ max: 3 }), { maxLength: 2 }),
});

const sequenceArb = fc.record({
  messages: fc.array(messageArb, { maxLength: 5 }),
  masked: fc.boolean(),
  encoding: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
  close: fc.option(
    fc.record({ code: fc.integer({ min: 1000, max: 4999 }), reason: fc.string({ maxLength: 40 }) }),
  ),
  cuts: fc.array(fc.nat({ max: 1 << 14 }), { maxLength: 10 }),
});

describe("WebSocket frame reader (properties)", () => {
  it("random bytes after the 101: ends in time, within the frame budget, evidence exact", async () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }).map((u) => Buffer.from(u)),
      // Plausible frame headers followed by junk: opcodes, FIN bits and lengths of every size.
      fc
        .array(
          fc.tuple(
            fc.integer({ min: 0, max: 255 }),
            fc.integer({ min: 0, max: 255 }),
            fc.uint8Array({ maxLength: 300 }),
          ),
          { maxLength: 12 },
        )
        .map((parts) =>
          Buffer.concat(
            parts.map(([b0, b1, rest]) => Buffer.concat([Buffer.from([b0, b1]), Buffer.from(rest)])),
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(
        bytesArb,
        fc.array(fc.nat({ max: 4096 }), { maxLength: 8 }),
        fc.constantFrom<"fin" | "reset" | "open">("fin", "fin", "reset", "open"),
        limitsArb,
        async (bytes, cuts, end, limits) => {
          let sent = Buffer.alloc(0);
          server().push({
            segments: (head) => {
              sent = Buffer.concat([upgradeHead(head), bytes]);
              return [upgradeHead(head), ...splitAt(bytes, cuts)];
            },
            end,
          });
          const started = performance.now();
          const x = await wsExchange(target(), { path: "/" }, limits);
          expect(performance.now() - started).toBeLessThanOrEqual(limits.exchangeTimeoutMs + SLACK);
          expect(x.acceptValid).toBe(true);
          const raw = Buffer.concat(x.rawSegments);
          expect(raw.length).toBeLessThanOrEqual(
            limits.maxHeaderBytes + limits.maxFrames * (limits.maxFrameBytes + 16),
          );
          expect(raw.equals(sent.subarray(0, raw.length))).toBe(true);
          const incoming = x.frames.filter((f) => f.dir === "in");
          expect(incoming.length).toBeLessThanOrEqual(limits.maxFrames);
          for (const f of incoming) expect(f.bytes).toBeLessThanOrEqual(limits.maxFrameBytes);
          expect(x.frames.filter((f) => f.dir === "out")).toEqual([]);
          if (x.timedOut) expect(end).toBe("open");
        },
      ),
      { numRuns: 150 },
    );
  });

  it("well-formed message sequences cut anywhere are read exactly", async () => {
    const limits: ExchangeLimits = {
      ...DEFAULT_LIMITS,
      exchangeTimeoutMs: 2000,
      maxFrames: 8,
      maxFrameBytes: 64 * 1024,
    };
    await fc.assert(
      fc.asyncProperty(
        sequenceArb,
        fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
        async (seq, maskSeed) => {
          const mask = seq.masked ? Buffer.from(maskSeed.map((n) => n & 255)) : null;
          const frames: Buffer[] = [];
          for (const m of seq.messages) {
            const pieces = splitAt(m.payload, m.fragments);
            pieces.forEach((p, i) => {
              frames.push(
                frame(i === pieces.length - 1, i === 0 ? (m.text ? 1 : 2) : 0, p, mask, seq.encoding),
              );
              if (m.controls.includes(i))
                frames.push(frame(true, i % 2 === 0 ? 9 : 10, Buffer.from("k"), mask, 0));
            });
          }
          if (seq.close) {
            const reason = Buffer.from(seq.close.reason, "utf8").subarray(0, 123);
            frames.push(
              frame(
                true,
                8,
                Buffer.concat([Buffer.from([seq.close.code >> 8, seq.close.code & 255]), reason]),
                mask,
                0,
              ),
            );
          }
          const bytes = Buffer.concat(frames);
          server().push({ segments: (head) => [upgradeHead(head), ...splitAt(bytes, seq.cuts)], end: "fin" });
          const x = await wsExchange(target(), { path: "/" }, limits);
          expect(x.timedOut).toBe(false);
          const got = x.frames.filter((f) => f.dir === "in");
          const want = seq.messages.map((m) => ({
            opcode: m.text ? 1 : 2,
            text: m.text ? m.payload.toString("utf8") : null,
            bytes: m.payload.length,
          }));
          if (seq.close) {
            const reason = Buffer.from(seq.close.reason, "utf8").subarray(0, 123);
            want.push({ opcode: 8, text: reason.toString("utf8"), bytes: reason.length + 2 });
          }
          expect(got.map((f) => ({ opcode: f.opcode, text: f.text, bytes: f.bytes }))).toEqual(want);
          if (seq.close) {
            expect(x.error).toBeNull();
            expect(x.close?.code).toBe(seq.close.code);
          } else {
            expect(x.error).toMatch(/closed without a close frame/);
          }
        },
      ),
      { numRuns: 250 },
    );
  });
});
