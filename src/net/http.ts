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
  /**
   * Stop reading the body once this holds for what has arrived (a stream that never ends,
   * such as Server-Sent Events); the response is then marked truncated and its connection
   * closed. Not recorded in the exchange.
   */
  until?: (body: Buffer) => boolean;
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
  /** The User-Agent to send; USER_AGENT when absent (see userAgentWith for --contact). */
  userAgent?: string;
}

export const USER_AGENT = "clawpatrol/0.1 (+benign pre-auth exposure scan)";

/** Longest --contact text taken: a header line, not a letter. */
export const MAX_CONTACT_LENGTH = 200;

/**
 * USER_AGENT with the operator's contact (an email or URL) inside its comment, so whoever sees
 * the probe in a log can reach the scanner. Null when the text cannot go into a header as it
 * is: control characters (a CR or LF would split the request), non-ASCII, a parenthesis that
 * would end the comment, or too long. Without a contact, requests stay byte-identical.
 */
export function userAgentWith(contact: string): string | null {
  const text = contact.trim();
  if (text === "" || text.length > MAX_CONTACT_LENGTH || !/^[\x20-\x7e]+$/.test(text) || /[()\\]/.test(text))
    return null;
  return `${USER_AGENT.slice(0, -1)}; contact: ${text})`;
}

export function buildRequestBytes(
  target: HttpTarget,
  req: HttpRequest,
  connection: "close" | "keep-alive" = "close",
): { bytes: Buffer; headers: [string, string][] } {
  // A header the request names itself (Accept, say) replaces the default of that name.
  const own = new Set((req.headers ?? []).map(([name]) => name.toLowerCase()));
  const defaults: [string, string][] = [
    ["Host", target.hostHeader],
    ["User-Agent", target.userAgent ?? USER_AGENT],
    ["Accept", "*/*"],
    ["Accept-Encoding", "identity"],
    ["Connection", connection],
  ];
  const headers: [string, string][] = [
    ...(own.size > 0 ? defaults.filter(([name]) => !own.has(name.toLowerCase())) : defaults),
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

/** What one request gave on its connection, and whether that connection can carry another. */
type ResponseRead = Pick<HttpExchange, "response" | "nonHttp" | "raw" | "error" | "timedOut"> & {
  reusable: boolean;
  /** Milliseconds from writing the request(s) to the end of this response. */
  ms: number;
};

/** A connection between exchanges: paused, so anything the target sends meanwhile stays visible. */
interface IdleConnection {
  socket: net.Socket;
  tls: TlsInfo | null;
}

function ignore(): void {}

const EMPTY = Buffer.alloc(0);

/**
 * Exchanges on one connection for as long as the target keeps it open and frames every
 * response cleanly (HTTP/1.1, a length or chunked body, nothing extra), otherwise on a fresh
 * one. A lane may start with the sweep's open socket (`held`). `exchange` sends one request
 * and waits for its answer; `pipeline` sends several at once on a connection the target has
 * already kept open, and reads the answers in order (HTTP/1.1 pipelining).
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
    return !this.canPipeline(target);
  }

  /** Whether a connection the target has kept open after an answer is waiting. */
  canPipeline(target: ConnectTarget): boolean {
    return this.idle !== null && !this.idle.socket.destroyed && (this.idle.tls !== null) === target.tls;
  }

  async exchange(target: HttpTarget, req: HttpRequest, limits: ExchangeLimits): Promise<HttpExchange> {
    const started = performance.now();
    const built = buildRequestBytes(target, req, this.connection);
    const waiting = this.take(target);
    if (waiting) {
      const [read] = await this.readOn(waiting, [built.bytes], [req], limits, limits.exchangeTimeoutMs);
      // Not one byte back and no timeout: the target closed or reset the waiting connection,
      // which may only be an idle timeout. Ask again on a fresh connection and record that
      // answer, so the transcript is what it would be without the reuse.
      if (read && (read.raw.length > 0 || read.timedOut))
        return exchangeOf(req, built.headers, read, waiting.tls);
    }
    const elapsed = performance.now() - started;
    const left = Math.max(1, Math.floor(limits.exchangeTimeoutMs - elapsed));
    const conn = await openConnection(target, Math.min(limits.connectTimeoutMs, left));
    if (!conn.ok) {
      return {
        request: { method: req.method, path: req.path, headers: built.headers },
        response: null,
        nonHttp: null,
        raw: EMPTY,
        tls: null,
        error: `${conn.error}: ${conn.detail}`,
        timedOut: conn.error === "timeout",
        ms: Math.round(performance.now() - started),
      };
    }
    this.opened++;
    const fresh = { socket: conn.socket, tls: conn.tls };
    const [read] = await this.readOn(fresh, [built.bytes], [req], limits, Math.max(1, left - conn.ms));
    return exchangeOf(
      req,
      built.headers,
      { ...read!, ms: Math.round(performance.now() - started) },
      conn.tls,
    );
  }

  /**
   * Sends `reqs` together on the kept-open connection and returns the exchanges answered, in
   * order: all of them, or fewer when the target closed, timed out or framed an answer so that
   * nothing after it can be read. The caller asks the rest on fresh connections. Each answer
   * gets the exchange timeout (from the end of the one before); `totalMs` bounds them all.
   */
  async pipeline(
    target: HttpTarget,
    reqs: HttpRequest[],
    limits: ExchangeLimits,
    totalMs: number,
  ): Promise<HttpExchange[]> {
    const waiting = this.take(target);
    if (!waiting || reqs.length === 0) {
      if (waiting) this.idle = waiting;
      return [];
    }
    const built = reqs.map((r) => buildRequestBytes(target, r, this.connection));
    const reads = await this.readOn(
      waiting,
      built.map((b) => b.bytes),
      reqs,
      limits,
      totalMs,
    );
    // The last read may be a connection closed before its first byte: that request was not
    // answered (the target may not pipeline, or idled the connection out), so it is not kept.
    const last = reads[reads.length - 1];
    const answered = last && last.raw.length === 0 && !last.timedOut ? reads.slice(0, -1) : reads;
    return answered.map((read, i) => exchangeOf(reqs[i]!, built[i]!.headers, read, waiting.tls));
  }

  /**
   * The kept-open connection, handed over for a protocol upgrade (WebSocket); it leaves the
   * lane. Null when there is none to hand over.
   */
  takeForUpgrade(target: ConnectTarget): { socket: net.Socket; tls: TlsInfo | null } | null {
    if (this.held) return null;
    return this.take(target);
  }

  /** Close whatever the lane still holds. */
  close(): void {
    this.held?.discard();
    this.held = null;
    this.idle?.socket.destroy();
    this.idle = null;
  }

  private async readOn(
    conn: IdleConnection,
    requests: Buffer[],
    asked: HttpRequest[],
    limits: ExchangeLimits,
    totalMs: number,
  ): Promise<ResponseRead[]> {
    const { reads, keep } = await readResponses(conn.socket, requests, asked, limits, totalMs);
    if (keep && this.connection === "keep-alive") {
      conn.socket.pause();
      conn.socket.on("error", ignore);
      this.idle = conn;
    } else {
      conn.socket.destroy();
      // A write still in flight may fail after this; that is no longer news.
      conn.socket.on("error", ignore);
    }
    return reads;
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
}

function exchangeOf(
  req: HttpRequest,
  headers: [string, string][],
  read: ResponseRead,
  tls: TlsInfo | null,
): HttpExchange {
  const { reusable: _reusable, ...rest } = read;
  return { request: { method: req.method, path: req.path, headers }, ...rest, tls };
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

/** The parts as one buffer; a single part as it is (a view, never written to), not a copy. */
function joined(parts: Buffer[]): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Parses one response from a connection's bytes as they arrive: head and body within their
 * caps, the raw bytes as evidence (exactly this message's, when another follows it).
 */
class ResponseParser {
  private readonly rawParts: Buffer[] = [];
  private rawBytes = 0;
  private readonly rawCap: number;
  private headBuf: Buffer = EMPTY;
  private head: ParsedHead | null = null;
  private mode: BodyMode = { kind: "none" };
  private readonly bodyParts: Buffer[] = [];
  private bodyBytes = 0;
  private chunks: ChunkDecoder | null = null;
  private truncated = false;
  private readonly method: string;
  private readonly until: ((body: Buffer) => boolean) | undefined;
  private readonly limits: ExchangeLimits;
  /** Set when the response is over; `complete` when it ended exactly at its framing. */
  outcome: { error: string | null; timedOut: boolean; complete: boolean } | null = null;
  /** Bytes received past the end of a complete message: the start of the next one. */
  excess: Buffer = EMPTY;

  constructor(req: Pick<HttpRequest, "method" | "until">, limits: ExchangeLimits) {
    this.method = req.method;
    this.until = req.until;
    this.limits = limits;
    this.rawCap = limits.maxHeaderBytes + limits.maxBodyBytes + 1024;
  }

  push(data: Buffer): void {
    if (this.outcome) return;
    this.keepRaw(data);
    if (this.head) this.onBody(data);
    else this.onHead(data);
    if (this.excess.length > 0) this.dropRawTail(data, this.excess.length);
  }

  /** The connection ended (EOF): a body framed by the close is now whole. */
  connectionEnded(): void {
    const midBody = this.head && this.mode.kind !== "close" && !(this.chunks?.done ?? false);
    this.end(midBody ? "connection closed mid-body" : null);
  }

  end(error: string | null, timedOut = false): undefined {
    this.outcome ??= { error, timedOut, complete: false };
  }

  /** Whether the connection may carry another exchange after this response. */
  get reusable(): boolean {
    return (
      this.outcome?.complete === true &&
      this.head !== null &&
      keepsAlive(this.head) &&
      this.bodyBytes <= this.limits.maxBodyBytes &&
      !this.truncated
    );
  }

  result(ms: number, reusable: boolean): ResponseRead {
    const { error, timedOut } = this.outcome ?? { error: null, timedOut: false };
    const raw = joined(this.rawParts);
    const { limits, head } = this;
    if (!head) {
      const nonHttp = raw.length > 0 ? raw.subarray(0, limits.maxBodyBytes) : null;
      return {
        response: null,
        nonHttp,
        raw,
        error: error ?? (raw.length > 0 ? "response is not HTTP/1.x" : "closed without a response"),
        timedOut,
        reusable: false,
        ms,
      };
    }
    const body = joined(this.chunks ? this.chunks.out : this.bodyParts);
    const cut = body.length > limits.maxBodyBytes;
    return {
      response: {
        ...head,
        body: cut ? body.subarray(0, limits.maxBodyBytes) : body,
        bodyTruncated: this.truncated || cut || (timedOut && this.mode.kind !== "none"),
      },
      nonHttp: null,
      raw,
      error,
      timedOut,
      reusable: reusable && !cut,
      ms,
    };
  }

  private keepRaw(data: Buffer): void {
    if (this.rawBytes >= this.rawCap) return;
    const take = data.subarray(0, this.rawCap - this.rawBytes);
    this.rawParts.push(take);
    this.rawBytes += take.length;
  }

  /** The last `n` bytes of `data` belong to the next message, not this one's evidence. */
  private dropRawTail(data: Buffer, n: number): void {
    const last = this.rawParts[this.rawParts.length - 1];
    if (!last || last.buffer !== data.buffer || last.byteOffset !== data.byteOffset) return;
    const keep = Math.min(last.length, data.length - n);
    this.rawParts[this.rawParts.length - 1] = last.subarray(0, keep);
    this.rawBytes -= last.length - keep;
  }

  /** The message ended exactly at its framing; `excess` bytes of `data` come after it. */
  private complete(data: Buffer, excess: number): undefined {
    this.outcome = { error: null, timedOut: false, complete: true };
    this.excess = excess > 0 ? data.subarray(data.length - excess) : EMPTY;
  }

  private onHead(data: Buffer): undefined {
    const { limits } = this;
    this.headBuf = this.headBuf.length ? Buffer.concat([this.headBuf, data]) : data;
    const headBuf = this.headBuf;
    // HTTP/0.9 or another protocol: no status line. Decide as soon as 5 bytes say so.
    if (headBuf.length >= 5 && headBuf.subarray(0, 5).toString("latin1") !== "HTTP/") return this.end(null);
    const end = headBuf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (headBuf.length > limits.maxHeaderBytes)
        this.end(`response head larger than ${limits.maxHeaderBytes} bytes`);
      return;
    }
    if (end > limits.maxHeaderBytes)
      return this.end(`response head larger than ${limits.maxHeaderBytes} bytes`);
    const parsed = parseHead(headBuf.subarray(0, end).toString("latin1"), limits.maxHeaderCount);
    if (parsed === null) return this.end(null);
    if ("error" in parsed) return this.end(parsed.error);
    this.head = parsed;
    this.mode = bodyModeFor(this.method, parsed);
    // The terminator was not in the bytes before `data` (else the head was parsed then), so
    // what follows it lies within `data`.
    const rest = headBuf.subarray(end + 4);
    this.headBuf = EMPTY;
    if (this.mode.kind === "none" || (this.mode.kind === "length" && this.mode.remaining === 0))
      return this.complete(data, rest.length);
    if (rest.length > 0) this.onBody(rest);
  }

  private onBody(data: Buffer): undefined {
    const { limits } = this;
    const mode = this.mode;
    if (mode.kind === "none") return this.end(null);
    if (mode.kind === "chunked") {
      this.chunks ??= new ChunkDecoder();
      const chunks = this.chunks;
      chunks.push(data);
      if (chunks.error) return this.end(chunks.error);
      if (chunks.outBytes > limits.maxBodyBytes) {
        this.truncated = true;
        return this.end(null);
      }
      if (chunks.done) this.complete(data, chunks.excess);
      else if (this.until?.(joined(chunks.out))) this.stopReading();
      return;
    }
    let piece = data;
    if (mode.kind === "length") {
      piece = data.subarray(0, mode.remaining);
      mode.remaining -= piece.length;
    }
    const room = limits.maxBodyBytes - this.bodyBytes;
    if (piece.length > room) {
      this.bodyParts.push(piece.subarray(0, room));
      this.bodyBytes += room;
      this.truncated = true;
      return this.end(null);
    }
    this.bodyParts.push(piece);
    this.bodyBytes += piece.length;
    if (mode.kind === "length" && mode.remaining === 0) this.complete(data, data.length - piece.length);
    else if (this.until?.(joined(this.bodyParts))) this.stopReading();
  }

  /** The caller has what it asked for from a body that goes on: keep it, close the connection. */
  private stopReading(): undefined {
    this.truncated = true;
    return this.end(null);
  }
}

/**
 * Writes the requests (together: one write, pipelined when there are several) and reads
 * their responses in order. Reading stops at the first response after which nothing more can
 * be read on this connection; `keep` says whether the connection can carry another exchange.
 */
function readResponses(
  socket: net.Socket,
  requests: Buffer[],
  asked: Pick<HttpRequest, "method" | "until">[],
  limits: ExchangeLimits,
  totalMs: number,
): Promise<{ reads: ResponseRead[]; keep: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const reads: ResponseRead[] = [];
    let parser = new ResponseParser(asked[0]!, limits);
    let settled = false;
    let timer: NodeJS.Timeout;
    const overall = setTimeout(() => {
      parser.end("timeout", true);
      settle();
    }, totalMs);
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        parser.end("timeout", true);
        settle();
      }, limits.exchangeTimeoutMs);
    };

    // Records the current response; moves on to the next while the connection allows it.
    function next(): void {
      for (;;) {
        const reusable = parser.reusable;
        const ms = Math.round(performance.now() - started);
        reads.push(parser.result(ms, reusable));
        if (!reusable || reads.length === requests.length) {
          settle();
          return;
        }
        const leftover = parser.excess;
        parser = new ResponseParser(asked[reads.length]!, limits);
        arm();
        if (leftover.length === 0) return;
        parser.push(leftover);
        if (!parser.outcome) return;
      }
    }

    function settle(): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(overall);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onClose);
      socket.off("error", onError);
      // The response being read when the connection ended or timed out is kept too.
      if (reads.length < requests.length && parser.outcome && !parser.outcome.complete)
        reads.push(parser.result(Math.round(performance.now() - started), false));
      const last = reads[reads.length - 1];
      const keep =
        reads.length === requests.length && last !== undefined && last.reusable && parser.excess.length === 0;
      resolve({ reads, keep });
    }

    function onData(data: Buffer): void {
      parser.push(data);
      if (parser.outcome) next();
    }
    const onEnd = () => {
      parser.connectionEnded();
      settle();
    };
    const onClose = () => {
      parser.end(null);
      settle();
    };
    const onError = (err: NodeJS.ErrnoException) => {
      parser.end(`${err.code ?? "error"}: ${err.message}`);
      settle();
    };
    arm();
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onClose);
    socket.on("error", onError);
    socket.resume();
    socket.write(requests.length === 1 ? requests[0]! : Buffer.concat(requests));
  });
}
