// One endpoint's probe session: the connections, deadlines and records every fingerprinter's
// probe plan shares. It owns two kept-alive HTTP lanes (the first starts on the sweep's open
// socket), the endpoint's wall-clock budget, the TLS decision, and the exchanges sent so
// far, which become the Transcript. Fingerprinters only say what to ask.
import { type HttpExchange, HttpLane, type HttpRequest, type HttpTarget } from "../net/http.ts";
import type { ExchangeLimits } from "../net/limits.ts";
import type { HeldSocket } from "../net/sweep.ts";
import { type WsExchange, type WsScript, wsExchange } from "../net/websocket.ts";
import type { Endpoint } from "../targets/stream.ts";
import type { Transcript } from "./transcript.ts";

export interface ProbeContext {
  limits: ExchangeLimits;
  /**
   * Wall-clock budget for the whole endpoint (default 4 × the exchange timeout): a target
   * that looks like a product and then stalls every follow-up costs at most this much.
   */
  budgetMs?: number;
  /** Called before each new connection; resolves when the rate limiter allows it. */
  beforeConnect: () => Promise<void>;
  /**
   * The connect sweep's open socket, for the first exchange (the root page) instead of a new
   * connection. The caller still discards it after the probe.
   */
  held?: HeldSocket | null;
  /** The User-Agent every request carries (scan --contact); the default one when absent. */
  userAgent?: string;
}

const TLS_FIRST_PORTS = new Set([443, 8443]);

function looksLikeTls(x: HttpExchange): boolean {
  // A TLS server answers plain HTTP with an alert (0x15) or handshake bytes (0x16), or hangs up.
  const first = x.nonHttp?.[0];
  if (first === 0x15 || first === 0x16) return true;
  if (
    x.response?.status === 400 &&
    /plain HTTP request was sent to HTTPS/i.test(x.response.body.toString("latin1"))
  )
    return true;
  return (
    !x.response && !x.nonHttp && (x.error?.startsWith("closed") || x.error?.startsWith("reset")) === true
  );
}

export class ProbeSession {
  readonly endpoint: Endpoint;
  readonly viaLoopback: boolean;
  readonly http: HttpExchange[] = [];
  readonly ws: WsExchange[] = [];
  /** Two HTTP lanes, kept alive; the first starts on the sweep's open socket. */
  readonly lanes: [HttpLane, HttpLane];
  private useTls: boolean;
  private readonly ctx: ProbeContext;
  private readonly started = performance.now();
  private readonly startedAt = new Date().toISOString();
  private readonly deadline: number;
  private budgetExhausted = false;

  constructor(endpoint: Endpoint, ctx: ProbeContext, viaLoopback: boolean) {
    this.endpoint = endpoint;
    this.ctx = ctx;
    this.viaLoopback = viaLoopback;
    this.useTls = endpoint.tls ?? TLS_FIRST_PORTS.has(endpoint.port);
    this.deadline = this.started + (ctx.budgetMs ?? 4 * ctx.limits.exchangeTimeoutMs);
    this.lanes = [new HttpLane(ctx.held ?? null), new HttpLane()];
  }

  /** The base path of a URL target ("" for none); every probe path starts with it. */
  get base(): string {
    return this.endpoint.basePath;
  }

  target(): HttpTarget {
    return {
      ip: this.endpoint.ip,
      port: this.endpoint.port,
      tls: this.useTls,
      servername: this.endpoint.servername,
      hostHeader: this.endpoint.hostHeader,
      ...(this.ctx.userAgent ? { userAgent: this.ctx.userAgent } : {}),
    };
  }

  /** Milliseconds left of the endpoint's budget. */
  msLeft(): number {
    return Math.max(0, Math.floor(this.deadline - performance.now()));
  }

  /** Each exchange gets the smaller of its own timeout and what is left of the budget (null: none left). */
  limitsNow(): ExchangeLimits | null {
    const left = Math.floor(this.deadline - performance.now());
    if (left < 50) {
      this.budgetExhausted = true;
      return null;
    }
    return {
      ...this.ctx.limits,
      exchangeTimeoutMs: Math.min(this.ctx.limits.exchangeTimeoutMs, left),
      connectTimeoutMs: Math.min(this.ctx.limits.connectTimeoutMs, left),
    };
  }

  /**
   * One request on `lane`. Only a new connection waits for the rate limiter; a kept or held
   * one was paced when it was opened (should it turn out closed, that one exchange
   * reconnects unpaced). Null when the budget is spent.
   */
  async get(req: HttpRequest, lane: 0 | 1 = 0): Promise<HttpExchange | null> {
    const l = this.lanes[lane];
    if (l.needsConnection(this.target())) await this.ctx.beforeConnect();
    const limits = this.limitsNow();
    if (!limits) return null;
    const x = await l.exchange(this.target(), req, limits);
    this.http.push(x);
    return x;
  }

  /**
   * 1. The shared first exchange: GET <base>/ on the sweep's socket; on a port that did not
   * say, find out whether it speaks TLS. Null when the budget ran out.
   */
  async root(): Promise<HttpExchange | null> {
    const path = `${this.base}/`;
    let root = await this.get({ method: "GET", path });
    if (!root) return null;
    if (this.endpoint.tls === null) {
      const wrongProtocol = this.useTls ? !root.response && !root.nonHttp : looksLikeTls(root);
      if (wrongProtocol) {
        this.useTls = !this.useTls;
        const other = await this.get({ method: "GET", path });
        if (other && (other.response || other.nonHttp)) root = other;
        else this.useTls = !this.useTls;
      }
    }
    return root;
  }

  /** One WebSocket exchange, on the first lane's kept connection when there is one. */
  async webSocket(plan: (limits: ExchangeLimits) => WsScript): Promise<WsExchange | null> {
    const kept = this.lanes[0].takeForUpgrade(this.target());
    if (!kept) await this.ctx.beforeConnect();
    const limits = this.limitsNow();
    if (!limits) {
      kept?.socket.destroy();
      return null;
    }
    const socket = await wsExchange(this.target(), plan(limits), limits, kept);
    this.ws.push(socket);
    return socket;
  }

  /**
   * Several independent requests, answers recorded in order of arrival. On a kept connection
   * they are pipelined (one round trip); whatever the target leaves unanswered, and everything
   * on a target that closes, goes over the two lanes one request at a time.
   */
  async several(requests: HttpRequest[]): Promise<void> {
    let rest = requests;
    const lane0 = this.lanes[0];
    // No kept connection (a WebSocket took it): the first request opens one.
    if (!lane0.canPipeline(this.target()) && rest.length > 1) {
      if (!(await this.get(rest[0]!))) return;
      rest = rest.slice(1);
    }
    const pipelineLimits = lane0.canPipeline(this.target()) ? this.limitsNow() : null;
    if (pipelineLimits) {
      const answered = await lane0.pipeline(
        this.target(),
        rest,
        pipelineLimits,
        Math.max(1, Math.floor(this.deadline - performance.now())),
      );
      this.http.push(...answered);
      rest = rest.slice(answered.length);
    }
    let next = 0;
    await Promise.all(
      ([0, 1] as const).slice(0, rest.length).map(async (lane) => {
        while (next < rest.length) {
          const x = await this.get(rest[next++]!, lane);
          if (!x) return;
        }
      }),
    );
  }

  /** What the endpoint said, as a Transcript. */
  transcript(): Transcript {
    return {
      endpoint: this.endpoint,
      viaLoopback: this.viaLoopback,
      tls: this.useTls,
      tlsInfo: this.useTls ? (this.http.find((x) => x.tls)?.tls ?? null) : null,
      http: this.http,
      ws: this.ws,
      startedAt: this.startedAt,
      ms: Math.round(performance.now() - this.started),
      ...(this.budgetExhausted ? { budgetExhausted: true } : {}),
    };
  }

  close(): void {
    for (const lane of this.lanes) lane.close();
  }
}
