// A deliberately small HTTP/1.1 client. We write it by hand because a scanner must control
// what a library hides: the exact bytes sent and received (kept as evidence), a hard
// deadline, caps on head and body, and tolerance of broken or hostile servers (HTTP/0.9,
// garbage, endless bodies, resets). `httpExchange` is one request on its own connection;
// an `HttpLane` sends requests one after another on a kept-alive connection while the
// target allows it, which costs the target (and us) far fewer sockets.
import type net from "node:net";
import { type ConnectTarget, openConnection, type TlsInfo } from "./connect.ts";
import type { ExchangeLimits } from "./limits.ts";
import type { HeldSocket } from "./sweep.ts";

export interface HttpRequest {
  method: string;
  path: string;
  headers?: [string, string][];
  body?: string;
}

export interface HttpResponse {
  httpVersion: string;
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
  /** The body was cut at the byte cap (or by the deadline) before it ended. */
  bodyTruncated: boolean;
}

export interface HttpExchange {
  request: { method: string; path: string; headers: [string, string][] };
  response: HttpResponse | null;
  /** Bytes that did not parse as HTTP (HTTP/0.9, another protocol), capped. */
  nonHttp: Buffer | null;
  /** Everything received, capped (head cap + body cap): the raw evidence, and what a replay serves. */
  raw: Buffer;
  tls: TlsInfo | null;
  error: string | null;
  timedOut: boolean;
  ms: number;
}

export interface HttpTarget extends ConnectTarget {
  hostHeader: string;
}

export const USER_AGENT = "clawpatrol/0.1 (+benign pre-auth exposure scan)";

export function buildRequestBytes(
  target: HttpTarget,
  req: HttpRequest,
  connection: "close" | "keep-alive" = "close",
): { bytes: Buffer; headers: [string, string][] } {
  const headers: [string, string][] = [
    ["Host", target.hostHeader],
    ["User-Agent", USER_AGENT],
    ["Accept", "*/*"],
    ["Accept-Encoding", "identity"],
    ["Connection", connection],
    ...(req.headers ?? []),
  ];
  const body = req.body !== undefined ? Buffer.from(req.body, "utf8") : null;
  if (body) headers.push(["Content-Length", String(body.length)]);
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`;
  return {
    bytes: body ? Buffer.concat([Buffer.from(head, "latin1"), body]) : Buffer.from(head, "latin1"),
    headers,
  };
}

type BodyMode =
  | { kind: "none" }
  | { kind: "length"; remaining: number }
  | { kind: "chunked" }
  | { kind: "close" };

/** Incremental decoder for chunked transfer coding; tolerant, bounded by the caller's cap. */
class ChunkDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private remainingInChunk = 0;
  private state: "size" | "data" | "data-crlf" | "trailer" | "done" = "size";
  readonly out: Buffer[] = [];
  outBytes = 0;
  error: string | null = null;

  get done(): boolean {
    return this.state === "done" || this.error !== null;
  }

  /** Bytes received past the end of the message (only meaningful once done). */
  get excess(): number {
    return this.pending.length;
  }

  push(data: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    while (!this.done) {
      if (this.state === "size") {
        const eol = this.pending.indexOf("\r\n");
        if (eol < 0) {
          if (this.pending.length > 1024) this.error = "chunk size line too long";
          return;
        }
        const line = this.pending.subarray(0, eol).toString("latin1").split(";")[0]!.trim();
        this.pending = this.pending.subarray(eol + 2);
        if (!/^[0-9a-f]{1,8}$/i.test(line)) {
          this.error = "bad chunk size";
          return;
        }
        this.remainingInChunk = Number.parseInt(line, 16);
        this.state = this.remainingInChunk === 0 ? "trailer" : "data";
      } else if (this.state === "data") {
        if (this.pending.length === 0) return;
        const take = Math.min(this.remainingInChunk, this.pending.length);
        this.out.push(this.pending.subarray(0, take));
        this.outBytes += take;
        this.pending = this.pending.subarray(take);
        this.remainingInChunk -= take;
        if (this.remainingInChunk === 0) this.state = "data-crlf";
      } else if (this.state === "data-crlf") {
        if (this.pending.length < 2) return;
        this.pending = this.pending.subarray(2);
        this.state = "size";
      } else if (this.state === "trailer") {
        // Trailers are ignored; the message ends at the first empty line.
        const eol = this.pending.indexOf("\r\n");
        if (eol < 0) return;
        const empty = eol === 0;
        this.pending = this.pending.subarray(eol + 2);
        if (empty) this.state = "done";
      }
    }
  }
}

export interface ParsedHead {
  httpVersion: string;
  status: number;
  reason: string;
  headers: [string, string][];
}

/** Parse a response head (without the final blank line). Returns null when it is not HTTP/1.x. */
export function parseHead(text: string, maxHeaderCount: number): ParsedHead | { error: string } | null {
  const lines = text.split("\r\n");
  const m = /^HTTP\/(1\.[01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
  if (!m) return null;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    if (headers.length >= maxHeaderCount) return { error: `more than ${maxHeaderCount} headers` };
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    // No name (": x", "  : x") is not a header field; it is skipped like any other junk line.
    if (name === "") continue;
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return { httpVersion: m[1]!, status: Number(m[2]), reason: m[3] ?? "", headers };
}

export function headerValue(headers: [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

function bodyModeFor(method: string, head: ParsedHead): BodyMode {
  if (
    method === "HEAD" ||
    (head.status >= 100 && head.status < 200) ||
    head.status === 204 ||
    head.status === 304
  )
    return { kind: "none" };
  const te = headerValue(head.headers, "transfer-encoding");
  if (te && /chunked/i.test(te)) return { kind: "chunked" };
  const cl = headerValue(head.headers, "content-length");
  if (cl !== undefined && /^\d{1,15}$/.test(cl.trim()))
    return { kind: "length", remaining: Number(cl.trim()) };
  return { kind: "close" };
}

/** What one request on one connection gave, and whether that connection can carry another. */
type ResponseRead = Pick<HttpExchange, "response" | "nonHttp" | "raw" | "error" | "timedOut"> & {
  reusable: boolean;
};

/** A connection between exchanges: paused, so anything the target sends meanwhile stays visible. */
interface IdleConnection {
  socket: net.Socket;
  tls: TlsInfo | null;
}

function ignore(): void {}

/**
 * Exchanges one after another, on one connection for as long as the target keeps it open
 * and frames every response cleanly (HTTP/1.1, a length or chunked body, nothing extra),
 * otherwise on a fresh one. Requests are never pipelined: the next is written only after
 * the previous answer ended. A lane may start with the sweep's open socket (`held`).
 */
export class HttpLane {
  private held: HeldSocket | null;
  private idle: IdleConnection | null = null;
  private readonly connection: "close" | "keep-alive";
  /** Connections this lane opened itself. */
  opened = 0;

  constructor(held: HeldSocket | null = null, connection: "close" | "keep-alive" = "keep-alive") {
    this.held = held;
    this.connection = connection;
  }

  /** Whether the next exchange with `target` will open a connection (the caller paces those). */
  needsConnection(target: ConnectTarget): boolean {
    if (this.held) return target.tls;
    return !this.idle || this.idle.socket.destroyed || (this.idle.tls !== null) !== target.tls;
  }

  async exchange(target: HttpTarget, req: HttpRequest, limits: ExchangeLimits): Promise<HttpExchange> {
    const started = performance.now();
    const { bytes, headers } = buildRequestBytes(target, req, this.connection);
    const base = { request: { method: req.method, path: req.path, headers } };
    const waiting = this.take(target);
    if (waiting) {
      const result = await readResponse(waiting.socket, bytes, req.method, limits, limits.exchangeTimeoutMs);
      // Not one byte back and no timeout: the target closed or reset the waiting connection,
      // which may only be an idle timeout. Ask again on a fresh connection and record that
      // answer, so the transcript is what it would be without the reuse.
      if (result.raw.length > 0 || result.timedOut) {
        this.keep(waiting.socket, waiting.tls, result.reusable);
        return { ...base, ...result, tls: waiting.tls, ms: Math.round(performance.now() - started) };
      }
    }
    const elapsed = performance.now() - started;
    const left = Math.max(1, Math.floor(limits.exchangeTimeoutMs - elapsed));
    const conn = await openConnection(target, Math.min(limits.connectTimeoutMs, left));
    if (!conn.ok) {
      return {
        ...base,
        response: null,
        nonHttp: null,
        raw: Buffer.alloc(0),
        tls: null,
        error: `${conn.error}: ${conn.detail}`,
        timedOut: conn.error === "timeout",
        ms: Math.round(performance.now() - started),
      };
    }
    this.opened++;
    const result = await readResponse(conn.socket, bytes, req.method, limits, Math.max(1, left - conn.ms));
    this.keep(conn.socket, conn.tls, result.reusable);
    return { ...base, ...result, tls: conn.tls, ms: Math.round(performance.now() - started) };
  }

  /** Close whatever the lane still holds. */
  close(): void {
    this.held?.discard();
    this.held = null;
    this.idle?.socket.destroy();
    this.idle = null;
  }

  private take(target: ConnectTarget): IdleConnection | null {
    if (this.held) {
      // The sweep's socket is plain TCP. Bytes it holds were sent unasked (a banner): they
      // are part of what this endpoint says, so they are read as the first answer.
      const socket = this.held.take();
      this.held = null;
      if (socket && target.tls) socket.destroy();
      else if (socket) return { socket, tls: null };
      return null;
    }
    const idle = this.idle;
    this.idle = null;
    if (!idle) return null;
    idle.socket.removeListener("error", ignore);
    // Bytes that arrived unasked between two answers would be taken for the next answer.
    const unusable =
      idle.socket.destroyed ||
      !idle.socket.writable ||
      idle.socket.readableLength > 0 ||
      (idle.tls !== null) !== target.tls;
    if (unusable) {
      idle.socket.destroy();
      return null;
    }
    return idle;
  }

  private keep(socket: net.Socket, tls: TlsInfo | null, reusable: boolean): void {
    if (!reusable || this.connection === "close") {
      socket.destroy();
      return;
    }
    socket.pause();
    socket.on("error", ignore);
    this.idle = { socket, tls };
  }
}

/**
 * One request on its own connection. `held` (an open socket from the connect sweep) is used
 * instead of a new connection when the target is plain TCP.
 */
export async function httpExchange(
  target: HttpTarget,
  req: HttpRequest,
  limits: ExchangeLimits,
  held?: HeldSocket | null,
): Promise<HttpExchange> {
  const lane = new HttpLane(held ?? null, "close");
  try {
    return await lane.exchange(target, req, limits);
  } finally {
    lane.close();
  }
}

function keepsAlive(head: ParsedHead): boolean {
  const connection = headerValue(head.headers, "connection") ?? "";
  return head.httpVersion === "1.1" && !/(?:^|,)\s*close\s*(?:,|$)/i.test(connection);
}

function readResponse(
  socket: net.Socket,
  requestBytes: Buffer,
  method: string,
  limits: ExchangeLimits,
  timeoutMs: number,
): Promise<ResponseRead> {
  return new Promise((resolve) => {
    const rawParts: Buffer[] = [];
    let rawBytes = 0;
    const rawCap = limits.maxHeaderBytes + limits.maxBodyBytes + 1024;
    let headBuf: Buffer = Buffer.alloc(0);
    let head: ParsedHead | null = null;
    let mode: BodyMode = { kind: "none" };
    const bodyParts: Buffer[] = [];
    let bodyBytes = 0;
    let chunks: ChunkDecoder | null = null;
    let truncated = false;
    let settled = false;

    const timer = setTimeout(() => finish("timeout", true), timeoutMs);

    function keepRaw(data: Buffer): void {
      if (rawBytes >= rawCap) return;
      const take = data.subarray(0, rawCap - rawBytes);
      rawParts.push(take);
      rawBytes += take.length;
    }

    /** The message ended exactly at its framing, with `excess` bytes after it. */
    function ended(excess: number): undefined {
      return finish(null, false, excess === 0 && head !== null && keepsAlive(head));
    }

    function finish(error: string | null, timedOut = false, reusable = false): undefined {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onClose);
      socket.off("error", onError);
      if (reusable) socket.pause();
      else {
        socket.destroy();
        // A write still in flight may fail after this; that is no longer news.
        socket.on("error", ignore);
      }
      const raw = Buffer.concat(rawParts);
      if (!head) {
        const nonHttp = raw.length > 0 ? raw.subarray(0, limits.maxBodyBytes) : null;
        resolve({
          response: null,
          nonHttp,
          raw,
          error: error ?? (raw.length > 0 ? "response is not HTTP/1.x" : "closed without a response"),
          timedOut,
          reusable: false,
        });
        return;
      }
      const body = chunks ? Buffer.concat(chunks.out) : Buffer.concat(bodyParts);
      const cut = body.length > limits.maxBodyBytes;
      resolve({
        response: {
          ...head,
          body: cut ? body.subarray(0, limits.maxBodyBytes) : body,
          bodyTruncated: truncated || cut || (timedOut && mode.kind !== "none"),
        },
        nonHttp: null,
        raw,
        error,
        timedOut,
        reusable: reusable && !cut,
      });
    }

    function onBody(data: Buffer): undefined {
      if (mode.kind === "none") return finish(null);
      if (mode.kind === "chunked") {
        chunks ??= new ChunkDecoder();
        chunks.push(data);
        if (chunks.error) return finish(chunks.error);
        if (chunks.outBytes > limits.maxBodyBytes) {
          truncated = true;
          return finish(null);
        }
        if (chunks.done) ended(chunks.excess);
        return;
      }
      let piece = data;
      if (mode.kind === "length") {
        piece = data.subarray(0, mode.remaining);
        mode.remaining -= piece.length;
      }
      const room = limits.maxBodyBytes - bodyBytes;
      if (piece.length > room) {
        bodyParts.push(piece.subarray(0, room));
        bodyBytes += room;
        truncated = true;
        return finish(null);
      }
      bodyParts.push(piece);
      bodyBytes += piece.length;
      if (mode.kind === "length" && mode.remaining === 0) ended(data.length - piece.length);
    }

    function onData(data: Buffer): undefined {
      keepRaw(data);
      if (head) return onBody(data);
      headBuf = headBuf.length ? Buffer.concat([headBuf, data]) : data;
      // HTTP/0.9 or another protocol: no status line. Decide as soon as 5 bytes say so.
      if (headBuf.length >= 5 && headBuf.subarray(0, 5).toString("latin1") !== "HTTP/") return finish(null);
      const end = headBuf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (headBuf.length > limits.maxHeaderBytes)
          finish(`response head larger than ${limits.maxHeaderBytes} bytes`);
        return;
      }
      if (end > limits.maxHeaderBytes)
        return finish(`response head larger than ${limits.maxHeaderBytes} bytes`);
      const parsed = parseHead(headBuf.subarray(0, end).toString("latin1"), limits.maxHeaderCount);
      if (parsed === null) return finish(null);
      if ("error" in parsed) return finish(parsed.error);
      head = parsed;
      mode = bodyModeFor(method, head);
      const rest = headBuf.subarray(end + 4);
      headBuf = Buffer.alloc(0);
      if (mode.kind === "none" || (mode.kind === "length" && mode.remaining === 0)) return ended(rest.length);
      if (rest.length > 0) onBody(rest);
    }
    const onEnd = () =>
      finish(head && mode.kind !== "close" && !(chunks?.done ?? false) ? "connection closed mid-body" : null);
    const onClose = () => finish(null);
    const onError = (err: NodeJS.ErrnoException) => finish(`${err.code ?? "error"}: ${err.message}`);
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onClose);
    socket.on("error", onError);
    socket.resume();
    socket.write(requestBytes);
  });
}
