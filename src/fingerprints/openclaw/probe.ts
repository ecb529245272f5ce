// The OpenClaw-family probe plan. Benign and pre-auth only (ARCHITECTURE principle 2):
//   1. GET <base>/                      the Control UI page (brand, asset hashes, build id)
//   2. one WebSocket upgrade on <base>/ read the connect.challenge; send ONE connect frame
//      whose protocol range (1..1) no gateway accepts, so it is refused before any auth
//      check and tells the wire-protocol version. No token, no password, no device key.
//      If a gateway ever answers hello-ok we close at once and send nothing else.
// Only when 1 or 2 says "this is the family" do we go on:
//   3. GET /healthz /readyz /startupz /sw.js /__openclaw/control-ui-config.json
//   4. POST /tools/invoke with "{}": refused with 401 when auth is enforced, 400 (missing
//      tool name) when it is not; no tool is named, so nothing can run.
//   5. At most two more GETs of static files that tell apart releases sharing a UI build.
// Connections: 1 goes on the sweep's open socket. When the page already names the family,
// 3-5 are pipelined on that connection and 2 follows on it, so a gateway that keeps
// connections open (every real one does) costs one connection. Otherwise 2 comes first (on
// the same connection) and decides; 3-5 then open one more. A target that does not keep
// connections open gets one request per connection, at most two at a time.
import { type HttpExchange, HttpLane, type HttpRequest, type HttpTarget } from "../../net/http.ts";
import type { ExchangeLimits } from "../../net/limits.ts";
import type { HeldSocket } from "../../net/sweep.ts";
import { type WsExchange, wsExchange } from "../../net/websocket.ts";
import type { Endpoint } from "../../targets/stream.ts";
import type { Transcript } from "../transcript.ts";
import { challengeOf, isHelloOk, rootHtmlSignalsOf } from "./signals.ts";
import { discriminatingPaths, narrowByUi } from "./version-table.ts";

export const PROBE_REQUEST_ID = "clawpatrol-1";

/** The one frame we ever send: a connect whose protocol range no gateway supports. */
export const PROTOCOL_PROBE_FRAME = JSON.stringify({
  type: "req",
  id: PROBE_REQUEST_ID,
  method: "connect",
  params: {
    minProtocol: 1,
    maxProtocol: 1,
    client: { id: "cli", version: "0.1.0", platform: "linux", mode: "cli" },
    role: "operator",
    scopes: [],
    caps: [],
  },
});

export const FOLLOW_UP_PATHS = [
  "/readyz",
  "/startupz",
  "/sw.js",
  "/__openclaw/control-ui-config.json",
  "/healthz",
];

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

export interface ProbeContext {
  limits: ExchangeLimits;
  /**
   * Wall-clock budget for the whole endpoint (default 4 × the exchange timeout): a target
   * that looks like a gateway and then stalls every follow-up costs at most this much.
   */
  budgetMs?: number;
  /** Called before each new connection; resolves when the rate limiter allows it. */
  beforeConnect: () => Promise<void>;
  /**
   * The connect sweep's open socket, for the first exchange (the root page) instead of a new
   * connection. The caller still discards it after the probe.
   */
  held?: HeldSocket | null;
}

export function looksLikeFamily(root: HttpExchange | undefined, ws: WsExchange | undefined): boolean {
  if (root?.response) {
    const s = rootHtmlSignalsOf(root.response.body);
    if (s.titleBrand || s.elementBrand || s.globalsBrand || s.buildId) return true;
  }
  return ws?.frames.some((f) => f.dir === "in" && f.text !== null && challengeOf(f.text) !== null) ?? false;
}

/** Runs `requests` in order over the lanes: each lane takes the next request when it is free. */
async function overLanes(
  requests: HttpRequest[],
  lanes: HttpLane[],
  get: (lane: HttpLane, req: HttpRequest) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    lanes.slice(0, requests.length).map(async (lane) => {
      while (next < requests.length) await get(lane, requests[next++]!);
    }),
  );
}

export async function probeOpenClaw(
  endpoint: Endpoint,
  ctx: ProbeContext,
  viaLoopback: boolean,
): Promise<Transcript> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const http: HttpExchange[] = [];
  const ws: WsExchange[] = [];
  const base = endpoint.basePath;
  let useTls = endpoint.tls ?? TLS_FIRST_PORTS.has(endpoint.port);
  const target = (): HttpTarget => ({
    ip: endpoint.ip,
    port: endpoint.port,
    tls: useTls,
    servername: endpoint.servername,
    hostHeader: endpoint.hostHeader,
  });
  const deadline = started + (ctx.budgetMs ?? 4 * ctx.limits.exchangeTimeoutMs);
  let budgetExhausted = false;
  // Each exchange gets the smaller of its own timeout and what is left of the endpoint's budget.
  const limitsNow = (): ExchangeLimits | null => {
    const left = Math.floor(deadline - performance.now());
    if (left < 50) {
      budgetExhausted = true;
      return null;
    }
    return {
      ...ctx.limits,
      exchangeTimeoutMs: Math.min(ctx.limits.exchangeTimeoutMs, left),
      connectTimeoutMs: Math.min(ctx.limits.connectTimeoutMs, left),
    };
  };
  // Two HTTP lanes, kept alive: the first starts on the sweep's open socket. Only a new
  // connection waits for the rate limiter; a kept or held one was paced when it was opened
  // (should it turn out closed, that one exchange reconnects unpaced). Follow-ups are
  // pipelined on the first lane when the target keeps it open.
  const lanes = [new HttpLane(ctx.held ?? null), new HttpLane()];
  const get = async (lane: HttpLane, req: HttpRequest): Promise<HttpExchange | null> => {
    if (lane.needsConnection(target())) await ctx.beforeConnect();
    const limits = limitsNow();
    if (!limits) return null;
    const x = await lane.exchange(target(), req, limits);
    http.push(x);
    return x;
  };
  const done = (): Transcript => ({
    endpoint,
    viaLoopback,
    tls: useTls,
    tlsInfo: useTls ? (http.find((x) => x.tls)?.tls ?? null) : null,
    http,
    ws,
    startedAt,
    ms: Math.round(performance.now() - started),
    ...(budgetExhausted ? { budgetExhausted } : {}),
  });

  try {
    return await probeSteps();
  } finally {
    for (const lane of lanes) lane.close();
  }

  async function probeSteps(): Promise<Transcript> {
    // 1. The root page; on an unknown port, find out whether it speaks TLS.
    let root = await get(lanes[0]!, { method: "GET", path: `${base}/` });
    if (!root) return done();
    if (endpoint.tls === null) {
      const wrongProtocol = useTls ? !root.response && !root.nonHttp : looksLikeTls(root);
      if (wrongProtocol) {
        useTls = !useTls;
        const other = await get(lanes[0]!, { method: "GET", path: `${base}/` });
        if (other && (other.response || other.nonHttp)) root = other;
        else useTls = !useTls;
      }
    }
    // Nothing HTTP answered (refused, reset, silent): nothing more to learn benignly.
    if (!root.response && !root.nonHttp) return done();

    // When the page itself names the family, the follow-ups go first, on the page's
    // connection, and the WebSocket upgrade after them, on that same connection: one
    // connection for the whole endpoint. Otherwise the WebSocket decides first.
    if (looksLikeFamily(root, undefined)) {
      await followUps(root);
      await webSocket();
    } else {
      const socket = await webSocket();
      if (socket && looksLikeFamily(root, socket)) await followUps(root);
    }
    return done();
  }

  /** 2. One WebSocket upgrade with the protocol probe, on the kept connection if there is one. */
  async function webSocket(): Promise<WsExchange | null> {
    const kept = lanes[0]!.takeForUpgrade(target());
    if (!kept) await ctx.beforeConnect();
    const wsLimits = limitsNow();
    if (!wsLimits) {
      kept?.socket.destroy();
      return null;
    }
    const socket = await wsExchange(
      target(),
      {
        path: `${base}/`,
        reply: (text) => (text === "" || challengeOf(text) ? PROTOCOL_PROBE_FRAME : null),
        // Builds before 2026.1.20 send no challenge; they get the same frame after a pause.
        silentReplyAfterMs: Math.min(1500, wsLimits.exchangeTimeoutMs / 3),
        mustClose: isHelloOk,
        stopAfterReply: true,
      },
      wsLimits,
      kept,
    );
    ws.push(socket);
    return socket;
  }

  /**
   * 3 + 4. Follow-ups. Most telling first: auth, then local treatment, then version
   * statements. If a slow target exhausts the endpoint's budget, what is lost is the least
   * important.
   */
  async function followUps(root: HttpExchange): Promise<void> {
    const requests: HttpRequest[] = [
      {
        method: "POST",
        path: `${base}/tools/invoke`,
        headers: [["Content-Type", "application/json"]],
        body: "{}",
      },
      ...FOLLOW_UP_PATHS.map((p) => ({ method: "GET", path: `${base}${p}` })),
    ];
    // 5. Static files that tell apart releases sharing the root page's UI build.
    if (root.response) {
      const signals = rootHtmlSignalsOf(root.response.body);
      const narrowed = narrowByUi({ assetNames: signals.assetNames, files: [] });
      if (narrowed.candidates.length > 1) {
        const asked = new Set([...http.map((x) => x.request.path), ...requests.map((r) => r.path)]);
        for (const p of discriminatingPaths(narrowed.candidates)
          .map((p) => `${base}${p}`)
          .filter((p) => !asked.has(p))
          .slice(0, 2))
          requests.push({ method: "GET", path: p });
      }
    }
    let rest = requests;
    // No kept connection (the WebSocket took it): the first request opens one.
    if (!lanes[0]!.canPipeline(target()) && rest.length > 1) {
      if (!(await get(lanes[0]!, rest[0]!))) return;
      rest = rest.slice(1);
    }
    // On a kept connection all go at once (pipelined: one round trip); whatever the target
    // leaves unanswered, and everything on a target that closes, goes over the two lanes one
    // request at a time (OpenClaw limits unauthenticated sockets per client).
    const pipelineLimits = lanes[0]!.canPipeline(target()) ? limitsNow() : null;
    if (pipelineLimits) {
      const answered = await lanes[0]!.pipeline(
        target(),
        rest,
        pipelineLimits,
        Math.max(1, Math.floor(deadline - performance.now())),
      );
      http.push(...answered);
      rest = rest.slice(answered.length);
    }
    await overLanes(rest, lanes, get);
  }
}
