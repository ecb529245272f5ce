// The connect sweep: is anything listening on ip:port? This runs once per target address
// (millions in a large scan, nearly all refused or silent), so it is kept lean. Building a
// socket (a stream, its state and its handle wrapper) is most of what a refused connect
// costs in Node; Node lets a socket connect again once 'close' has been emitted, so each
// Sweeper keeps one socket and reuses it for address after address. An open port's socket
// is not closed but handed on (HeldSocket) to carry the endpoint's first probe exchange, so
// an open port costs one connection less, and the sweeper starts a fresh socket.
import net from "node:net";
import { type ConnectFailure, classify } from "./failure.ts";

export type SweepResult =
  | { ok: true; socket: net.Socket; ms: number }
  | { ok: false; error: ConnectFailure; detail: string; ms: number };

interface Pending {
  started: number;
  timer: NodeJS.Timeout;
  failure: { error: ConnectFailure; detail: string } | null;
  resolve: (r: SweepResult) => void;
}

/** Sweeps one address at a time; a scan runs one Sweeper per worker. */
export class Sweeper {
  private socket: net.Socket | null = null;
  private pending: Pending | null = null;

  /** Connect once with a deadline. On success the socket stays open (paused) for the caller. */
  connect(ip: string, port: number, timeoutMs: number): Promise<SweepResult> {
    if (this.pending) throw new Error("Sweeper.connect: one address at a time");
    const socket = this.socket ?? this.freshSocket();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (!this.pending) return;
        this.pending.failure = { error: "timeout", detail: `no connection within ${timeoutMs} ms` };
        socket.destroy();
      }, timeoutMs);
      this.pending = { started: performance.now(), timer, failure: null, resolve };
      socket.connect(port, ip);
    });
  }

  private freshSocket(): net.Socket {
    const socket = new net.Socket();
    socket.on("connect", this.onConnect);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
    this.socket = socket;
    return socket;
  }

  private readonly onConnect = (): void => {
    const p = this.pending!;
    const socket = this.socket!;
    clearTimeout(p.timer);
    this.pending = null;
    // The caller owns it now; the next address gets a new socket.
    socket.off("connect", this.onConnect);
    socket.off("error", this.onError);
    socket.off("close", this.onClose);
    this.socket = null;
    p.resolve({ ok: true, socket, ms: Math.round(performance.now() - p.started) });
  };

  // A failed connect destroys the socket (Node does it before 'error'); the result is
  // given on 'close', from when the socket may connect again.
  private readonly onError = (err: NodeJS.ErrnoException): void => {
    if (this.pending && !this.pending.failure)
      this.pending.failure = { error: classify(err), detail: err.code ?? err.message };
  };

  private readonly onClose = (): void => {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = null;
    const failure = p.failure ?? { error: "reset" as const, detail: "closed during connect" };
    p.resolve({ ok: false, ...failure, ms: Math.round(performance.now() - p.started) });
  };

  /** Close the idle socket (when the worker is done). */
  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}

/**
 * A held socket older than this is not used: a target may drop a connection that sent
 * nothing (an idle timeout), and a banner that arrived long ago is not what a fresh
 * connection would see.
 */
export const HOLD_MS = 1000;

function ignore(): void {}

/**
 * An open socket from the sweep, waiting (paused, bytes the target sends kept in order) for
 * the endpoint's first exchange. It is taken at most once; whatever happens, the holder
 * calls discard() when done so an unused socket never outlives the endpoint.
 */
export class HeldSocket {
  private socket: net.Socket | null;
  private readonly since = performance.now();

  constructor(socket: net.Socket) {
    // Until taken, an error (a reset while waiting) must not become an uncaught exception;
    // the socket is then simply not usable and the exchange connects afresh.
    socket.on("error", ignore);
    this.socket = socket;
  }

  /** The socket, if still open and fresh enough; null otherwise (then a new connection is needed). */
  take(): net.Socket | null {
    const s = this.socket;
    this.socket = null;
    if (!s) return null;
    s.removeListener("error", ignore);
    if (s.destroyed || !s.writable || performance.now() - this.since > HOLD_MS) {
      s.destroy();
      return null;
    }
    return s;
  }

  discard(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}
