// A hostile-server harness: one process serves every misbehaviour a scanned host can show,
// each on its own loopback address (127.3.R.N, R picked at random per harness so parallel
// runs do not collide) and on as many ports as asked. Everything binds inside 127.0.0.0/8.
//
// The behaviours are grouped:
//   transport  tarpits, drips, endless bodies, oversized heads, broken framing, compression
//              bombs, resets and half-open sockets, TLS garbage and oversized certificates;
//   websocket  a benign root page, then a hostile upgrade (ping floods, giant frame headers,
//              endless fragments, megabyte nonces, silence, garbage);
//   content    OpenClaw-looking gateways whose banners, titles and version fields carry
//              escape sequences, HTML/JS, invalid UTF-8, deep JSON, 10,000-character
//              versions, or claims crafted to look like another product or version;
//   control    a recorded real gateway replayed byte for byte, which must still be found.
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { gzipSync } from "node:zlib";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { acceptFor } from "../../src/net/websocket.ts";
import { handleReplayConnection } from "../support/replay-server.ts";
import { generateHostileCerts, type HostileCerts } from "./certs.ts";

export type Group = "transport" | "websocket" | "content" | "control";

export interface Behaviour {
  name: string;
  group: Group;
  what: string;
  /**
   * Ends on a byte cap, a frame budget or a protocol error, never on a deadline: the whole
   * endpoint must finish in less than one --timeout.
   */
  fast: boolean;
  /** How a connection is served. */
  serve: (socket: net.Socket, ctx: ServeContext) => void;
  /** Serve over real TLS with this certificate (plain connections are cut by the TLS layer). */
  tlsCert?: (certs: HostileCerts) => { key: Buffer; cert: Buffer };
  /** The server keeps its side open after the client's FIN (for half-open cases). */
  allowHalfOpen?: boolean;
}

export interface ServeContext {
  /** Register a timer to be cleared when the harness closes. */
  track(timer: NodeJS.Timeout): void;
}

export interface HostileEndpoint {
  behaviour: Behaviour;
  ip: string;
  port: number;
}

export interface Harness {
  /** 127.3.R — every behaviour N listens on 127.3.R.N (N from 1). */
  prefix: string;
  behaviours: Behaviour[];
  endpoints: HostileEndpoint[];
  ipOf(name: string): string;
  /** Connections accepted so far, per behaviour name. */
  accepted: Map<string, number>;
  close(): Promise<void>;
}

// --- small byte helpers ----------------------------------------------------------------------

/** Deterministic pseudo-random bytes (xorshift32), so every run serves the same garbage. */
export function junk(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 255;
  }
  return out;
}

/** An unmasked server frame; lengths up to 2^63 are encoded as announced, payload as given. */
export function wsFrame(opcode: number, payload: Buffer, fin = true, announced?: bigint): Buffer {
  const len = announced ?? BigInt(payload.length);
  const b0 = (fin ? 0x80 : 0) | opcode;
  let head: Buffer;
  if (len < 126n) head = Buffer.from([b0, Number(len)]);
  else if (len < 65536n) head = Buffer.from([b0, 126, Number(len >> 8n), Number(len & 255n)]);
  else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = 127;
    head.writeBigUInt64BE(len, 2);
  }
  return Buffer.concat([head, payload]);
}

function upgradeReply(head: string): Buffer {
  const key = /^sec-websocket-key:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? "";
  return Buffer.from(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
    "latin1",
  );
}

export function httpResponse(
  status: number,
  body: string | Buffer,
  headers: [string, string][] = [],
  reason = "OK",
): Buffer {
  const b = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    ...headers.map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${b.length}`,
    "Connection: close",
  ];
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), b]);
}

interface Request {
  method: string;
  path: string;
  head: string;
  upgrade: boolean;
}

/** Wait for a request head, then call back once. Heads over 64 KiB are dropped. */
function onRequest(socket: net.Socket, cb: (req: Request, socket: net.Socket) => void): void {
  let buf = Buffer.alloc(0);
  let fired = false;
  const onData = (d: Buffer) => {
    if (fired) return;
    buf = Buffer.concat([buf, d]);
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (buf.length > 65536) socket.destroy();
      return;
    }
    fired = true;
    socket.off("data", onData);
    const head = buf.subarray(0, end).toString("latin1");
    const [method = "GET", path = "/"] = (head.split("\r\n")[0] ?? "").split(" ");
    cb({ method, path, head, upgrade: /^upgrade:\s*websocket/im.test(head) }, socket);
  };
  socket.on("data", onData);
}

/** Write `next()` chunks as fast as the peer reads them, until it returns null or the socket dies. */
function pump(socket: net.Socket, next: () => Buffer | null): void {
  const go = () => {
    while (!socket.destroyed && socket.writable) {
      const b = next();
      if (b === null) {
        socket.end();
        return;
      }
      if (!socket.write(b)) {
        socket.once("drain", go);
        return;
      }
    }
  };
  go();
}

/** Write `bytes` one byte every `everyMs`. */
function drip(socket: net.Socket, ctx: ServeContext, bytes: Buffer, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= bytes.length) {
      clearInterval(timer);
      return;
    }
    socket.write(bytes.subarray(i, i + 1));
    i++;
  }, everyMs);
  ctx.track(timer);
  socket.once("close", () => clearInterval(timer));
  if (bytes.length > 0) {
    socket.write(bytes.subarray(0, 1));
    i = 1;
  }
}

// --- hostile content ---------------------------------------------------------------------------

const ESC =
  "\u001b]0;owned-title\u0007\u001b[2J\u001b[31;1m\u001b]8;;http://evil.test/\u0007click\u001b]8;;\u0007\u009b1m\u202egnp.exe";
/** Invalid UTF-8: a lone continuation byte, an overlong '/', a UTF-16 surrogate, 0xFF. */
const BAD_UTF8 = Buffer.from([0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff, 0xfe, 0xf8, 0x88, 0x80, 0x80, 0x80]);
const LONG = "2026.".padEnd(10_000, "9");
const DEEP_JSON_DEPTH = 20_000;

function deepJson(depth: number): string {
  return `{"ok":true,"status":"live","version":${"[".repeat(depth)}"2026.1.1"${"]".repeat(depth)}}`;
}

function gatewayPage(
  opts: { title?: string; element?: string; buildId?: string; extra?: string } = {},
): string {
  const title = opts.title ?? "OpenClaw Control";
  const element = opts.element ?? "openclaw";
  const build = opts.buildId !== undefined ? ` data-openclaw-control-ui-build-id="${opts.buildId}"` : "";
  return `<!doctype html>\n<html lang="en"${build}>\n<head><meta charset="UTF-8" /><title>${title}</title>${opts.extra ?? ""}</head>\n<body><${element}-app></${element}-app></body></html>\n`;
}

const challenge = (payload: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: "event",
    event: "connect.challenge",
    payload: { nonce: "n-1", ts: 1795512320540, ...payload },
  });

const mismatch = (message = "protocol mismatch", expected = 4) =>
  JSON.stringify({
    type: "res",
    id: "clawpatrol-1",
    ok: false,
    error: {
      code: "INVALID_REQUEST",
      message,
      details: { code: "PROTOCOL_MISMATCH", expectedProtocol: expected },
    },
  });

interface Site {
  /** Responses by "METHOD /path"; anything else gets a 404. */
  routes: Record<string, Buffer>;
  /** Frames sent right after the 101, and after the client's one frame. null: refuse the upgrade. */
  ws: { first: Buffer[]; answer: Buffer[] } | null;
}

function serveSite(site: Site): Behaviour["serve"] {
  return (socket) =>
    onRequest(socket, (req) => {
      if (req.upgrade) {
        if (!site.ws) {
          socket.end(httpResponse(404, "no", [], "Not Found"));
          return;
        }
        socket.write(Buffer.concat([upgradeReply(req.head), ...site.ws.first]));
        const answer = site.ws.answer;
        socket.once("data", () =>
          socket.end(Buffer.concat([...answer, wsFrame(8, Buffer.from([0x03, 0xea]))])),
        );
        return;
      }
      socket.end(site.routes[`${req.method} ${req.path}`] ?? httpResponse(404, "Not Found", [], "Not Found"));
    });
}

const json = (value: unknown) =>
  httpResponse(200, JSON.stringify(value), [["Content-Type", "application/json"]]);

function gatewaySite(over: {
  page?: string | Buffer;
  headers?: [string, string][];
  sw?: string | Buffer;
  healthz?: string | Buffer;
  readyz?: string | Buffer;
  startupz?: string | Buffer;
  config?: string | Buffer;
  tools?: Buffer;
  challenge?: string;
  answer?: string;
}): Site {
  const h = over.headers ?? [];
  const ok = (b: string | Buffer, type: string) => httpResponse(200, b, [["Content-Type", type], ...h]);
  const routes: Record<string, Buffer> = {
    "GET /": ok(over.page ?? gatewayPage(), "text/html; charset=utf-8"),
    "POST /tools/invoke":
      over.tools ??
      httpResponse(401, '{"error":{"message":"Unauthorized","type":"unauthorized"}}', h, "Unauthorized"),
  };
  if (over.sw !== undefined) routes["GET /sw.js"] = ok(over.sw, "application/javascript");
  if (over.healthz !== undefined) routes["GET /healthz"] = ok(over.healthz, "application/json");
  if (over.readyz !== undefined) routes["GET /readyz"] = ok(over.readyz, "application/json");
  if (over.startupz !== undefined) routes["GET /startupz"] = ok(over.startupz, "application/json");
  if (over.config !== undefined)
    routes["GET /__openclaw/control-ui-config.json"] = ok(over.config, "application/json");
  return {
    routes,
    ws: {
      first: [wsFrame(1, Buffer.from(over.challenge ?? challenge()))],
      answer: [wsFrame(1, Buffer.from(over.answer ?? mismatch()))],
    },
  };
}

/** A recorded gateway with some exchanges replaced: realistic UI assets, crafted claims. */
function replayWith(fixture: string, replace: Record<string, Buffer>): Behaviour["serve"] {
  const t: Transcript = transcriptFromJson(
    readFileSync(new URL(`../fixtures/zoo/local/${fixture}.json`, import.meta.url), "utf8"),
  );
  for (const [key, raw] of Object.entries(replace)) {
    const [method, path] = key.split(" ");
    const x = t.http.find((h) => h.request.method === method && h.request.path === path);
    if (x) x.raw = raw;
    else
      t.http.push({
        request: { method: method!, path: path!, headers: [] },
        response: null,
        nonHttp: null,
        raw,
        tls: null,
        error: null,
        timedOut: false,
        ms: 0,
      });
  }
  const counters = new Map<string, number>();
  return (socket) => handleReplayConnection(t, socket, counters);
}

// --- the behaviours ---------------------------------------------------------------------------

const BENIGN_PAGE = httpResponse(200, "<!doctype html><title>router admin</title><p>hello</p>", [
  ["Content-Type", "text/html"],
]);

/** Root gets a benign page; a WebSocket upgrade gets `ws`. */
function wsBehaviour(ws: (socket: net.Socket, ctx: ServeContext) => void): Behaviour["serve"] {
  return (socket, ctx) =>
    onRequest(socket, (req) => {
      if (!req.upgrade) {
        socket.end(BENIGN_PAGE);
        return;
      }
      socket.write(upgradeReply(req.head));
      ws(socket, ctx);
    });
}

let gzipMember: Buffer | null = null;
/** One gzip member inflating to 1 MiB of zeros (about 1 KB); concatenated members are valid gzip. */
function gzipOfZeros(): Buffer {
  gzipMember ??= gzipSync(Buffer.alloc(1 << 20), { level: 9 });
  return gzipMember;
}

const TLS_ALERT = Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]);

export function behaviours(): Behaviour[] {
  const list: Behaviour[] = [
    // --- transport --------------------------------------------------------------------------
    {
      name: "silent",
      group: "transport",
      what: "accepts the connection and never reads or answers",
      fast: false,
      serve: () => {},
    },
    {
      name: "drip-head",
      group: "transport",
      what: "answers one byte per second (slowloris in reverse)",
      fast: false,
      serve: (s, ctx) =>
        onRequest(s, () =>
          drip(s, ctx, Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), 1000),
        ),
    },
    {
      name: "drip-body",
      group: "transport",
      what: "a prompt head promising 100,000 bytes, then one body byte per second",
      fast: false,
      serve: (s, ctx) =>
        onRequest(s, () => {
          s.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n");
          drip(s, ctx, Buffer.alloc(100_000, 0x41), 1000);
        }),
    },
    {
      name: "endless-body",
      group: "transport",
      what: "200 without a length, then an endless body as fast as the client reads",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          s.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<title>OpenClaw Control</title>");
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          pump(s, () => chunk);
        }),
    },
    {
      name: "endless-chunked",
      group: "transport",
      what: "chunked transfer coding that never sends the last chunk",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          s.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
          const data = Buffer.alloc(32 * 1024, 0x62);
          const chunk = Buffer.concat([
            Buffer.from(`${data.length.toString(16)}\r\n`),
            data,
            Buffer.from("\r\n"),
          ]);
          pump(s, () => chunk);
        }),
    },
    {
      name: "lying-length",
      group: "transport",
      what: "Content-Length of a terabyte, ten bytes, then silence",
      fast: false,
      serve: (s) =>
        onRequest(s, () => s.write("HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n0123456789")),
    },
    {
      name: "huge-header-line",
      group: "transport",
      what: "a single 10 MB header line",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          s.write("HTTP/1.1 200 OK\r\nX-Huge: ");
          let left = 10 * 1024 * 1024;
          const chunk = Buffer.alloc(64 * 1024, 0x78);
          pump(s, () => {
            if (left <= 0) return null;
            left -= chunk.length;
            return left > 0 ? chunk : Buffer.concat([chunk, Buffer.from("\r\nContent-Length: 0\r\n\r\n")]);
          });
        }),
    },
    {
      name: "many-headers",
      group: "transport",
      what: "100,000 short headers",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          s.write("HTTP/1.1 200 OK\r\n");
          let i = 0;
          pump(s, () => {
            if (i >= 100_000) return i++ === 100_000 ? Buffer.from("Content-Length: 0\r\n\r\n") : null;
            const lines: string[] = [];
            for (let j = 0; j < 1000 && i < 100_000; j++, i++) lines.push(`X-${i}: v`);
            return Buffer.from(`${lines.join("\r\n")}\r\n`);
          });
        }),
    },
    {
      name: "http09",
      group: "transport",
      what: "an HTTP/0.9-style answer (no status line) that looks like the Control UI",
      fast: true,
      serve: (s) => onRequest(s, () => s.end(gatewayPage({ buildId: "2026.9.6-release-eb377ac59e6c" }))),
    },
    {
      name: "invalid-responses",
      group: "transport",
      what: "a different invalid response per connection: binary garbage, bad status, LF-only head, HTTP/2 preface, NUL bytes",
      fast: true,
      serve: (() => {
        const variants = [
          junk(4096, 7),
          Buffer.from("HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nhi"),
          Buffer.from("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"),
          Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
          Buffer.from(
            "HTTP/1.1 200 \u0000\u0000\r\nX: \u0000\u001b[2J\r\nContent-Length: 3\r\n\r\n\u0000\u0000\u0000",
          ),
          Buffer.from("HTTP/1.1 99999 Way Too Big\r\n\r\n"),
          Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: -5\r\nContent-Length: 7\r\n\r\nabc"),
        ];
        let n = 0;
        return (s: net.Socket) => onRequest(s, () => s.end(variants[n++ % variants.length]!));
      })(),
    },
    {
      name: "bad-chunked",
      group: "transport",
      what: "chunked coding with a non-hex size and an 8 GB chunk announced",
      fast: true,
      serve: (() => {
        let n = 0;
        return (s: net.Socket) =>
          onRequest(s, () => {
            const body = n++ % 2 === 0 ? "3\r\nabc\r\nzz\r\nnope\r\n" : "1ffffffff\r\nabc";
            s.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n${body}`);
            if (n % 2 === 1) s.end();
          });
      })(),
    },
    {
      name: "gzip-bomb",
      group: "transport",
      what: "Content-Encoding: gzip, 8 MB that would inflate to 8 GiB (sent even though we ask for identity)",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          const member = gzipOfZeros();
          const members = Math.ceil((8 * 1024 * 1024) / member.length);
          s.write(
            `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: ${members * member.length}\r\n\r\n`,
          );
          let sent = 0;
          const batch = Buffer.concat(Array.from({ length: 64 }, () => member));
          pump(s, () => {
            if (sent >= members) return null;
            sent += 64;
            return batch;
          });
        }),
    },
    {
      name: "gzip-bomb-chunked",
      group: "transport",
      what: "chunked + gzip: an endless stream of gzip members",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          const member = gzipOfZeros();
          const data = Buffer.concat(Array.from({ length: 32 }, () => member));
          const chunk = Buffer.concat([
            Buffer.from(`${data.length.toString(16)}\r\n`),
            data,
            Buffer.from("\r\n"),
          ]);
          s.write("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
          pump(s, () => chunk);
        }),
    },
    {
      name: "reset-mid-head",
      group: "transport",
      what: "half a status line, then a TCP reset",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          s.write("HTTP/1.1 200 OK\r\nContent-");
          setTimeout(() => s.resetAndDestroy(), 20);
        }),
    },
    {
      name: "reset-mid-body",
      group: "transport",
      what: "a head promising 100,000 bytes, 1,000 of them, then a TCP reset",
      fast: true,
      serve: (s) =>
        onRequest(s, () => {
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${"r".repeat(1000)}`);
          setTimeout(() => s.resetAndDestroy(), 20);
        }),
    },
    {
      name: "half-open",
      group: "transport",
      what: "reads the request, sends FIN without answering, keeps its socket open",
      fast: false,
      allowHalfOpen: true,
      serve: (s) => onRequest(s, () => s.end()),
    },
    {
      name: "half-open-mid-body",
      group: "transport",
      what: "a head promising 100,000 bytes, 100 of them, then FIN (the socket stays half-open)",
      fast: true,
      allowHalfOpen: true,
      serve: (s) =>
        onRequest(s, () => s.end(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${"h".repeat(100)}`)),
    },
    {
      name: "tls-garbage",
      group: "transport",
      what: "a TLS alert to plain HTTP; random bytes with a TLS record header to a ClientHello",
      fast: true,
      serve: (s) =>
        s.once("data", (d: Buffer) => {
          if (d[0] === 0x16)
            s.end(Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x10, 0x00]), junk(4096, 11)]));
          else s.end(TLS_ALERT);
        }),
    },
    {
      name: "tls-stall",
      group: "transport",
      what: "a TLS alert to plain HTTP; to a ClientHello, a record header announcing 16 KB, then silence",
      fast: false,
      serve: (s) =>
        s.once("data", (d: Buffer) => {
          if (d[0] === 0x16) s.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, 0x02]));
          else s.end(TLS_ALERT);
        }),
    },
    {
      name: "tls-huge-chain",
      group: "transport",
      what: "real TLS with a 1.6 MB certificate chain",
      fast: true,
      tlsCert: (c) => c.hugeChain,
      serve: (s) => onRequest(s, () => s.end(BENIGN_PAGE)),
    },
    {
      name: "tls-hostile-cert",
      group: "transport",
      what: "real TLS; the certificate subject holds ANSI/OSC escapes and bidi overrides",
      fast: true,
      tlsCert: (c) => c.escapeSubject,
      serve: (s) => onRequest(s, () => s.end(BENIGN_PAGE)),
    },
    {
      name: "tls-many-sans",
      group: "transport",
      what: "real TLS; one certificate with 3,000 subjectAltNames",
      fast: true,
      tlsCert: (c) => c.manySans,
      serve: (s) => onRequest(s, () => s.end(BENIGN_PAGE)),
    },

    // --- websocket --------------------------------------------------------------------------
    {
      name: "ws-ping-flood",
      group: "websocket",
      what: "after the 101, pings as fast as the client reads",
      fast: true,
      serve: wsBehaviour((s) => {
        const ping = Buffer.concat(Array.from({ length: 256 }, () => wsFrame(9, Buffer.from("ping"))));
        pump(s, () => ping);
      }),
    },
    {
      name: "ws-giant-frame",
      group: "websocket",
      what: "a text frame header announcing 4 GiB, then a trickle",
      fast: true,
      serve: wsBehaviour((s) => s.write(wsFrame(1, Buffer.from("{"), true, 4n * 1024n ** 3n))),
    },
    {
      name: "ws-giant-frame-2e63",
      group: "websocket",
      what: "a frame header announcing 2^63-1 bytes (the largest 64-bit length)",
      fast: true,
      serve: wsBehaviour((s) => s.write(wsFrame(2, Buffer.alloc(0), true, 2n ** 63n - 1n))),
    },
    {
      name: "ws-endless-fragments",
      group: "websocket",
      what: "a text frame without FIN, then continuation frames forever",
      fast: true,
      serve: wsBehaviour((s) => {
        s.write(wsFrame(1, Buffer.from('{"type":"event",'), false));
        const cont = wsFrame(0, Buffer.alloc(1000, 0x20), false);
        pump(s, () => cont);
      }),
    },
    {
      name: "ws-mega-nonce",
      group: "websocket",
      what: "a connect.challenge whose nonce is a megabyte",
      fast: true,
      serve: wsBehaviour((s) =>
        s.write(wsFrame(1, Buffer.from(challenge({ nonce: "N".repeat(1024 * 1024) })))),
      ),
    },
    {
      name: "ws-big-nonce",
      group: "websocket",
      what: "a 60 KB connect.challenge (nonce and capabilities full of escapes) that fits the frame cap, then a 60 KB escape-laden answer",
      fast: true,
      serve: wsBehaviour((s) => {
        s.write(
          wsFrame(
            1,
            Buffer.from(
              challenge({
                nonce: `${ESC}${"n".repeat(40_000)}`,
                capabilities: Array.from({ length: 16 }, () => `${ESC}${"c".repeat(1000)}`),
              }),
            ),
          ),
        );
        s.once("data", () =>
          s.end(
            Buffer.concat([
              wsFrame(1, Buffer.from(mismatch(`${ESC}${"m".repeat(50_000)}`, 7))),
              wsFrame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from(ESC)])),
            ]),
          ),
        );
      }),
    },
    {
      name: "ws-silent",
      group: "websocket",
      what: "a valid 101, then nothing at all",
      fast: false,
      serve: wsBehaviour(() => {}),
    },
    {
      name: "ws-drip-frame",
      group: "websocket",
      what: "a valid challenge frame delivered one byte every 200 ms",
      fast: false,
      serve: wsBehaviour((s, ctx) => drip(s, ctx, wsFrame(1, Buffer.from(challenge())), 200)),
    },
    {
      name: "ws-garbage",
      group: "websocket",
      what: "a valid 101 followed by random bytes",
      fast: false,
      serve: wsBehaviour((s) => s.write(junk(8192, 23))),
    },
    {
      name: "ws-deep-json",
      group: "websocket",
      what: "a connect.challenge nested 30,000 levels deep (inside the frame cap)",
      fast: true,
      serve: wsBehaviour((s) =>
        s.end(
          wsFrame(
            1,
            Buffer.from(
              `{"type":"event","event":"connect.challenge","payload":{"nonce":"n","ts":1,"x":${"[".repeat(30_000)}${"]".repeat(30_000)}}}`,
            ),
          ),
        ),
      ),
    },

    // --- content ----------------------------------------------------------------------------
    {
      name: "escape-banners",
      group: "content",
      what: "an OpenClaw-looking gateway whose headers, build id, versions, challenge and answers carry ANSI/OSC escapes",
      fast: true,
      serve: serveSite(
        gatewaySite({
          headers: [["Server", `gw${ESC}`]],
          page: gatewayPage({
            buildId: `${ESC}2026.9.6`,
            extra: `<script>window.__OPENCLAW_ASSISTANT_NAME__="${ESC.replace(/"/g, "")}"</script>`,
          }),
          sw: `const EMBEDDED_CACHE_VERSION = "\u001b]0;x\u0007\u001b[31m2026.1.1";`,
          startupz: JSON.stringify({ ok: true, status: "started", version: `2026.2.2${ESC}` }),
          healthz: JSON.stringify({ ok: true, status: "live", note: ESC }),
          config: JSON.stringify({ basePath: ESC, serverVersion: `${ESC}2026.3.3` }),
          tools: httpResponse(
            401,
            `{"error":{"message":"Unauthorized ${ESC}","type":"unauthorized"}}`,
            [],
            `Unauthorized${ESC}`,
          ),
          challenge: challenge({ capabilities: [ESC, `${ESC}x`] }),
          answer: mismatch(`protocol mismatch${ESC}`),
        }),
      ),
    },
    {
      name: "html-js",
      group: "content",
      what: "an OpenClaw-looking gateway whose build id, assistant name and JSON fields carry HTML and script",
      fast: true,
      serve: serveSite(
        gatewaySite({
          page: gatewayPage({
            title: "OpenClaw Control",
            buildId: `2026.5.28-"><img src=x onerror=alert(1)><script>alert(2)</script>`,
            extra: `<script>window.__OPENCLAW_ASSISTANT_NAME__="<\\/script><script>alert(3)<\\/script>"</script>`,
          }),
          startupz: JSON.stringify({ ok: true, status: "started", version: "<script>alert(4)</script>" }),
          healthz: JSON.stringify({ ok: true, status: "live" }),
          config: JSON.stringify({ basePath: "</script><svg onload=alert(5)>", serverVersion: "2026.5.28" }),
          answer: mismatch("<iframe src=javascript:alert(6)>"),
        }),
      ),
    },
    {
      name: "invalid-utf8",
      group: "content",
      what: "an OpenClaw-looking gateway with invalid UTF-8 in headers, title, build id and JSON",
      fast: true,
      serve: serveSite(
        gatewaySite({
          headers: [["X-Bad", BAD_UTF8.toString("latin1")]],
          page: Buffer.concat([
            Buffer.from('<!doctype html><html data-openclaw-control-ui-build-id="2026.9.6-'),
            BAD_UTF8,
            Buffer.from('"><title>OpenClaw Control'),
            BAD_UTF8,
            Buffer.from("</title><openclaw-app></openclaw-app></html>"),
          ]),
          startupz: Buffer.concat([
            Buffer.from('{"ok":true,"status":"started","version":"2026.9.6'),
            BAD_UTF8,
            Buffer.from('"}'),
          ]),
          sw: Buffer.concat([Buffer.from('const EMBEDDED_CACHE_VERSION = "'), BAD_UTF8, Buffer.from('";')]),
          challenge: `{"type":"event","event":"connect.challenge","payload":{"nonce":"${BAD_UTF8.toString("latin1")}","ts":1}}`,
        }),
      ),
    },
    {
      name: "deep-json",
      group: "content",
      what: "an OpenClaw-looking gateway whose JSON endpoints are nested 20,000 levels (and one 1 MB document)",
      fast: true,
      serve: serveSite(
        gatewaySite({
          healthz: deepJson(DEEP_JSON_DEPTH),
          readyz: `{"ready":true,"x":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
          startupz: deepJson(500_000),
          config: deepJson(DEEP_JSON_DEPTH),
          tools: httpResponse(400, deepJson(DEEP_JSON_DEPTH)),
        }),
      ),
    },
    {
      name: "long-versions",
      group: "content",
      what: "10,000-character version strings in the build id, sw.js, /startupz, the UI config and the challenge",
      fast: true,
      serve: serveSite(
        gatewaySite({
          page: gatewayPage({ buildId: LONG }),
          sw: `const EMBEDDED_CACHE_VERSION = "${LONG}";`,
          startupz: JSON.stringify({ ok: true, status: "started", version: LONG }),
          config: JSON.stringify({ basePath: "", serverVersion: LONG }),
          challenge: challenge({ version: LONG, nonce: LONG }),
        }),
      ),
    },
    {
      name: "contradictory-versions",
      group: "content",
      what: "a real 2026.5.28 Control UI whose sw.js says 2026.9.6 and /startupz says 2026.1.29",
      fast: true,
      serve: replayWith("oc528-custom-password", {
        "GET /sw.js": httpResponse(200, 'const EMBEDDED_CACHE_VERSION = "2026.9.6-release-eb377ac59e6c";', [
          ["Content-Type", "application/javascript"],
        ]),
        "GET /startupz": json({ ok: true, status: "started", version: "2026.1.29" }),
      }),
    },
    {
      name: "impostor-brand",
      group: "content",
      what: "a Clawdbot title, a <moltbot-app> element and an OpenClaw build id on one page",
      fast: true,
      serve: serveSite(
        gatewaySite({
          page: gatewayPage({
            title: "Clawdbot Control",
            element: "moltbot",
            buildId: "2026.9.6-release-eb377ac59e6c",
          }),
          healthz: JSON.stringify({ ok: true, status: "live" }),
        }),
      ),
    },
    {
      name: "era-liar",
      group: "content",
      what: "a build id claiming 2026.1.5 on a gateway with /healthz (2026.3.2+) and a connect.challenge (2026.1.20+)",
      fast: true,
      serve: serveSite(
        gatewaySite({
          page: gatewayPage({ buildId: "2026.1.5-abcdefabcdef" }),
          healthz: JSON.stringify({ ok: true, status: "live" }),
        }),
      ),
    },
    {
      name: "config-liar",
      group: "content",
      what: "control-ui-config serverVersion 2026.4.1 against an sw.js cache version 2026.4.2",
      fast: true,
      serve: serveSite(
        gatewaySite({
          sw: 'const EMBEDDED_CACHE_VERSION = "2026.4.2-0123456789ab";',
          config: JSON.stringify({ basePath: "", serverVersion: "2026.4.1" }),
          healthz: JSON.stringify({ ok: true, status: "live" }),
        }),
      ),
    },
    {
      name: "tarpit-after-hello",
      group: "content",
      what: "a convincing gateway page and challenge, then every follow-up request is a tarpit",
      fast: false,
      serve: (() => {
        const site = serveSite(gatewaySite({}));
        return (s: net.Socket, ctx: ServeContext) => {
          let first: Buffer | null = null;
          s.once("data", (d: Buffer) => {
            first = d;
            const line = d.toString("latin1", 0, 64);
            if (/^GET \/ /.test(line)) {
              site(s, ctx);
              s.emit("data", first);
            }
          });
        };
      })(),
    },
    {
      name: "fat-gateway",
      group: "content",
      what: "a convincing gateway whose every HTTP answer is an endless body (the most bytes one endpoint can make us keep)",
      fast: true,
      serve: (s) =>
        onRequest(s, (req) => {
          if (req.upgrade) {
            s.write(Buffer.concat([upgradeReply(req.head), wsFrame(1, Buffer.from(challenge()))]));
            s.once("data", () => s.end(wsFrame(1, Buffer.from(mismatch()))));
            return;
          }
          s.write(
            `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n${gatewayPage({ buildId: "2026.9.6-release-eb377ac59e6c" })}`,
          );
          const chunk = Buffer.alloc(64 * 1024, 0x7a);
          pump(s, () => chunk);
        }),
    },
    {
      name: "title-only-impostor",
      group: "content",
      what: "a page that borrows the Control UI title and element, and nothing else",
      fast: true,
      serve: serveSite({
        routes: { "GET /": httpResponse(200, "<title>OpenClaw Control</title>") },
        ws: null,
      }),
    },

    // --- control ----------------------------------------------------------------------------
    {
      name: "control-gateway",
      group: "control",
      what: "a recorded real OpenClaw 2026.9.6 gateway (token auth), replayed byte for byte",
      fast: true,
      serve: replayWith("oc96-lan-token", {}),
    },
  ];
  return list;
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen({ host, port, backlog: 1024 }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/**
 * Start every behaviour on 127.3.R.N at each of `ports`. R is random (1..254); on an
 * address clash the whole harness retries with another R.
 */
export async function startHarness(options: { ports?: number[]; only?: string[] } = {}): Promise<Harness> {
  const ports = options.ports ?? [18789];
  const certs = generateHostileCerts();
  const all = behaviours().filter((b) => !options.only || options.only.includes(b.name));
  for (let attempt = 0; ; attempt++) {
    const r = 1 + Math.floor(Math.random() * 254);
    const prefix = `127.3.${r}`;
    const servers: net.Server[] = [];
    const sockets = new Set<net.Socket>();
    const timers = new Set<NodeJS.Timeout>();
    const accepted = new Map<string, number>();
    const ctx: ServeContext = { track: (t) => timers.add(t) };
    const endpoints: HostileEndpoint[] = [];
    try {
      for (const [i, b] of all.entries()) {
        const ip = `${prefix}.${i + 1}`;
        for (const port of ports) {
          const onSocket = (socket: net.Socket) => {
            accepted.set(b.name, (accepted.get(b.name) ?? 0) + 1);
            sockets.add(socket);
            socket.on("error", () => {});
            socket.once("close", () => sockets.delete(socket));
            b.serve(socket, ctx);
          };
          let server: net.Server;
          if (b.tlsCert) {
            const kc = b.tlsCert(certs);
            const t = tls.createServer(
              { key: kc.key, cert: kc.cert, allowHalfOpen: b.allowHalfOpen ?? false },
              onSocket,
            );
            t.on("tlsClientError", () => {});
            // Raw sockets too, so a plain client cut by the TLS layer is also cleaned up.
            t.on("connection", (raw: net.Socket) => {
              sockets.add(raw);
              raw.on("error", () => {});
              raw.once("close", () => sockets.delete(raw));
            });
            server = t;
          } else {
            server = net.createServer({ allowHalfOpen: b.allowHalfOpen ?? false }, onSocket);
          }
          servers.push(server);
          await listen(server, ip, port);
          endpoints.push({ behaviour: b, ip, port });
        }
      }
    } catch (err) {
      for (const s of servers) s.close();
      if ((err as NodeJS.ErrnoException).code === "EADDRINUSE" && attempt < 5) continue;
      throw err;
    }
    return {
      prefix,
      behaviours: all,
      endpoints,
      accepted,
      ipOf: (name) => {
        const i = all.findIndex((b) => b.name === name);
        if (i < 0) throw new Error(`no behaviour ${name}`);
        return `${prefix}.${i + 1}`;
      },
      close: async () => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      },
    };
  }
}
