// One bounded WebSocket exchange: upgrade, read what the server says first, optionally
// send exactly one text frame, read the answer, close. Hand-written for the same reasons
// as http.ts (raw evidence, deadlines, caps), and because a scanner must be able to close
// the instant a server says something it must not act on (OpenClaw's `hello-ok`).
import { createHash, randomFillSync } from "node:crypto";
import type net from "node:net";
import { openConnection, type TlsInfo } from "./connect.ts";
import { buildRequestBytes, type HttpTarget, type ParsedHead, parseHead } from "./http.ts";
import type { ExchangeLimits } from "./limits.ts";

export interface WsFrame {
  dir: "in" | "out";
  opcode: number;
  /** Text payload (UTF-8, lossy) for text/close frames; null for binary/control. */
  text: string | null;
  bytes: number;
  atMs: number;
}

export interface WsExchange {
  request: { path: string; headers: [string, string][] };
  /** The server's answer to the upgrade request (101 or anything else). */
  upgrade: ParsedHead | null;
  /** Sec-WebSocket-Accept matched our key. */
  acceptValid: boolean;
  frames: WsFrame[];
  close: { code: number | null; reason: string } | null;
  /** Server bytes, split where we sent our frame: [before, after]. Capped. */
  rawSegments: Buffer[];
  tls: TlsInfo | null;
  /** We closed on purpose because the server granted a session (`hello-ok`). */
  closedOnHelloOk: boolean;
  error: string | null;
  timedOut: boolean;
  ms: number;
}

export interface WsScript {
  path: string;
  /**
   * Decide, from a text frame the server sent, what to send back (at most once per exchange).
   * Returning null sends nothing.
   */
  reply?: (text: string) => string | null;
  /** If the server stays silent this long after the upgrade, send `reply("")` anyway. */
  silentReplyAfterMs?: number;
  /** Return true for a server frame that must end the exchange at once (e.g. a granted session). */
  mustClose?: (text: string) => boolean;
  /** Stop after the server answered our frame. */
  stopAfterReply?: boolean;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export function acceptFor(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

// Keys and masks come from one CSPRNG pool, refilled when used up: a call into the
// generator per handshake and per frame costs more than the bytes themselves.
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

function randomChunk(n: number): Buffer {
  if (poolUsed + n > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  // A copy: the pool is overwritten on refill, and callers may keep their bytes.
  const out = Buffer.from(pool.subarray(poolUsed, poolUsed + n));
  poolUsed += n;
  return out;
}

function encodeClientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomChunk(4);
  const len = payload.length;
  const header =
    len < 126
      ? Buffer.from([0x80 | opcode, 0x80 | len])
      : Buffer.from([0x80 | opcode, 0x80 | 126, (len >> 8) & 255, len & 255]);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, masked]);
}

/**
 * One upgrade and session. `reuse` is a connection the target kept open after an HTTP answer
 * (see HttpLane.takeForUpgrade): the upgrade is sent on it instead of a new connection; if
 * the target closed it without a byte, the upgrade is sent again on a fresh connection and
 * only that session is recorded.
 */
export async function wsExchange(
  target: HttpTarget,
  script: WsScript,
  limits: ExchangeLimits,
  reuse?: { socket: net.Socket; tls: TlsInfo | null } | null,
): Promise<WsExchange> {
  const started = performance.now();
  const key = randomChunk(16).toString("base64");
  const { bytes, headers } = buildRequestBytes(
    { ...target },
    {
      method: "GET",
      path: script.path,
      headers: [
        ["Upgrade", "websocket"],
        ["Sec-WebSocket-Key", key],
        ["Sec-WebSocket-Version", "13"],
      ],
    },
  );
  // buildRequestBytes adds "Connection: close"; an upgrade needs "Connection: Upgrade".
  const requestText = bytes.toString("latin1").replace("Connection: close\r\n", "Connection: Upgrade\r\n");
  const fixedHeaders = headers.map(([k, v]): [string, string] =>
    k === "Connection" ? [k, "Upgrade"] : [k, v],
  );
  const fresh = (): WsExchange => ({
    request: { path: script.path, headers: fixedHeaders },
    upgrade: null,
    acceptValid: false,
    frames: [],
    close: null,
    rawSegments: [],
    tls: null,
    closedOnHelloOk: false,
    error: null,
    timedOut: false,
    ms: 0,
  });
  const request = Buffer.from(requestText, "latin1");
  if (reuse) {
    const kept = fresh();
    kept.tls = reuse.tls;
    await runSession(reuse.socket, request, key, script, limits, limits.exchangeTimeoutMs, kept, started);
    kept.ms = Math.round(performance.now() - started);
    if (kept.timedOut || kept.rawSegments.some((b) => b.length > 0)) return kept;
  }
  const base = fresh();
  const elapsed = performance.now() - started;
  const left = Math.max(1, Math.floor(limits.exchangeTimeoutMs - elapsed));
  const conn = await openConnection(target, Math.min(limits.connectTimeoutMs, left));
  if (!conn.ok)
    return {
      ...base,
      error: `${conn.error}: ${conn.detail}`,
      timedOut: conn.error === "timeout",
      ms: conn.ms,
    };
  base.tls = conn.tls;
  await runSession(conn.socket, request, key, script, limits, Math.max(1, left - conn.ms), base, started);
  base.ms = Math.round(performance.now() - started);
  return base;
}

function runSession(
  socket: net.Socket,
  request: Buffer,
  key: string,
  script: WsScript,
  limits: ExchangeLimits,
  timeoutMs: number,
  out: WsExchange,
  started: number,
): Promise<void> {
  return new Promise((resolve) => {
    const rawCap = limits.maxHeaderBytes + limits.maxFrames * (limits.maxFrameBytes + 16);
    let rawBytes = 0;
    let segment: Buffer[] = [];
    let buf: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let replied = false;
    let totalFrames = 0;
    let fragments: Buffer[] = [];
    let fragmentOpcode = 0;
    let fragmentBytes = 0;
    let settled = false;
    let silentTimer: NodeJS.Timeout | null = null;

    const timer = setTimeout(() => finish("timeout", true), timeoutMs);
    const elapsed = () => Math.round(performance.now() - started);

    function finish(error: string | null, timedOut = false): undefined {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (silentTimer) clearTimeout(silentTimer);
      out.rawSegments.push(Buffer.concat(segment));
      out.error = error;
      out.timedOut = timedOut;
      socket.removeAllListeners("data");
      if (upgraded && !socket.destroyed) {
        // A polite close frame (1000); we do not wait for the echo.
        try {
          socket.write(encodeClientFrame(0x8, Buffer.from([0x03, 0xe8])));
        } catch {
          // Socket already gone.
        }
      }
      socket.destroy();
      resolve();
    }

    function send(text: string): void {
      if (replied) return;
      replied = true;
      out.rawSegments.push(Buffer.concat(segment));
      segment = [];
      const payload = Buffer.from(text, "utf8");
      out.frames.push({ dir: "out", opcode: 1, text, bytes: payload.length, atMs: elapsed() });
      socket.write(encodeClientFrame(0x1, payload));
    }

    function onMessage(opcode: number, payload: Buffer): boolean {
      const text = opcode === 1 || opcode === 8 ? payload.toString("utf8") : null;
      if (opcode === 8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : null;
        const reason = payload.length > 2 ? payload.subarray(2).toString("utf8") : "";
        out.frames.push({ dir: "in", opcode, text: reason, bytes: payload.length, atMs: elapsed() });
        out.close = { code, reason };
        finish(null);
        return false;
      }
      out.frames.push({ dir: "in", opcode, text, bytes: payload.length, atMs: elapsed() });
      if (text !== null && script.mustClose?.(text)) {
        out.closedOnHelloOk = true;
        finish(null);
        return false;
      }
      if (text !== null && replied && script.stopAfterReply) {
        finish(null);
        return false;
      }
      if (text !== null && !replied && script.reply) {
        const answer = script.reply(text);
        if (answer !== null) send(answer);
      }
      if (out.frames.filter((f) => f.dir === "in").length >= limits.maxFrames) {
        finish(`more than ${limits.maxFrames} frames`);
        return false;
      }
      return true;
    }

    function parseFrames(): undefined {
      while (!settled) {
        if (buf.length < 2) return;
        const b0 = buf[0]!;
        const b1 = buf[1]!;
        const fin = (b0 & 0x80) !== 0;
        const opcode = b0 & 0x0f;
        const masked = (b1 & 0x80) !== 0;
        let len = b1 & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          const big = buf.readBigUInt64BE(2);
          if (big > BigInt(limits.maxFrameBytes))
            return finish(`frame announces ${big} bytes (cap ${limits.maxFrameBytes})`);
          len = Number(big);
          offset = 10;
        }
        if (len > limits.maxFrameBytes)
          return finish(`frame announces ${len} bytes (cap ${limits.maxFrameBytes})`);
        const maskLen = masked ? 4 : 0;
        if (buf.length < offset + maskLen + len) return;
        let payload = buf.subarray(offset + maskLen, offset + maskLen + len);
        if (masked) {
          const m = buf.subarray(offset, offset + 4);
          payload = Buffer.from(payload.map((b, i) => b ^ m[i & 3]!));
        }
        buf = buf.subarray(offset + maskLen + len);
        totalFrames++;
        // Control frames (ping floods) and fragments also count against a hard frame budget.
        if (totalFrames > limits.maxFrames * 4) return finish(`more than ${limits.maxFrames * 4} frames`);
        if (opcode === 0x9 || opcode === 0xa) continue; // ping/pong: ignored, never answered
        if (opcode === 0x0) {
          fragments.push(payload);
          fragmentBytes += payload.length;
          if (fragmentBytes > limits.maxFrameBytes)
            return finish(`fragmented message over ${limits.maxFrameBytes} bytes`);
          if (fin) {
            const whole = Buffer.concat(fragments);
            fragments = [];
            fragmentBytes = 0;
            if (!onMessage(fragmentOpcode, whole)) return;
          }
          continue;
        }
        if (!fin) {
          fragmentOpcode = opcode;
          fragments = [payload];
          fragmentBytes = payload.length;
          continue;
        }
        if (!onMessage(opcode, payload)) return;
      }
    }

    socket.on("data", (data: Buffer) => {
      if (rawBytes < rawCap) {
        const take = data.subarray(0, rawCap - rawBytes);
        segment.push(take);
        rawBytes += take.length;
      }
      buf = buf.length ? Buffer.concat([buf, data]) : data;
      if (!upgraded) {
        if (buf.length >= 5 && buf.subarray(0, 5).toString("latin1") !== "HTTP/")
          return finish("response is not HTTP/1.x");
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) {
          if (buf.length > limits.maxHeaderBytes)
            finish(`upgrade response head larger than ${limits.maxHeaderBytes} bytes`);
          return;
        }
        const head = parseHead(buf.subarray(0, end).toString("latin1"), limits.maxHeaderCount);
        if (head === null) return finish("response is not HTTP/1.x");
        if ("error" in head) return finish(head.error);
        out.upgrade = head;
        buf = buf.subarray(end + 4);
        if (head.status !== 101) return finish(null);
        const accept = head.headers.find(([k]) => k.toLowerCase() === "sec-websocket-accept")?.[1];
        out.acceptValid = accept === acceptFor(key);
        upgraded = true;
        if (script.reply && script.silentReplyAfterMs !== undefined) {
          silentTimer = setTimeout(() => {
            if (!replied && !settled) {
              const answer = script.reply?.("");
              if (answer) send(answer);
            }
          }, script.silentReplyAfterMs);
        }
      }
      parseFrames();
    });
    socket.on("end", () => finish(upgraded ? "closed without a close frame" : "closed before upgrade"));
    socket.on("close", () =>
      finish(out.close ? null : upgraded ? "closed without a close frame" : "closed before upgrade"),
    );
    socket.on("error", (err: NodeJS.ErrnoException) => finish(`${err.code ?? "error"}: ${err.message}`));
    // A connection kept from an HTTP exchange waits paused.
    socket.resume();
    socket.write(request);
  });
}
