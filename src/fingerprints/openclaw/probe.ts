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
import type { HttpExchange, HttpRequest } from "../../net/http.ts";
import type { WsExchange } from "../../net/websocket.ts";
import type { Endpoint } from "../../targets/stream.ts";
import { type ProbeContext, ProbeSession } from "../session.ts";
import type { Transcript } from "../transcript.ts";
import { challengeOf, isHelloOk, rootHtmlSignalsOf } from "./signals.ts";
import { discriminatingPaths, narrowByUi } from "./version-table.ts";

export type { ProbeContext } from "../session.ts";

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

export function looksLikeFamily(root: HttpExchange | undefined, ws: WsExchange | undefined): boolean {
  if (root?.response) {
    const s = rootHtmlSignalsOf(root.response.body);
    if (s.titleBrand || s.elementBrand || s.globalsBrand || s.buildId) return true;
  }
  return ws?.frames.some((f) => f.dir === "in" && f.text !== null && challengeOf(f.text) !== null) ?? false;
}

/**
 * The OpenClaw plan after the shared root exchange. When the page itself names the family
 * (`claimed`), the follow-ups go first, on the page's connection, and the WebSocket upgrade
 * after them, on that same connection: one connection for the whole endpoint. Otherwise the
 * WebSocket decides first. True when the answers show the family.
 */
export async function openClawPlan(s: ProbeSession, root: HttpExchange, claimed: boolean): Promise<boolean> {
  if (claimed) {
    await followUps(s, root);
    await webSocket(s);
    return true;
  }
  const socket = await webSocket(s);
  if (!socket || !looksLikeFamily(root, socket)) return false;
  await followUps(s, root);
  return true;
}

/** 2. One WebSocket upgrade with the protocol probe, on the kept connection if there is one. */
function webSocket(s: ProbeSession): Promise<WsExchange | null> {
  return s.webSocket((limits) => ({
    path: `${s.base}/`,
    reply: (text) => (text === "" || challengeOf(text) ? PROTOCOL_PROBE_FRAME : null),
    // Builds before 2026.1.20 send no challenge; they get the same frame after a pause.
    silentReplyAfterMs: Math.min(1500, limits.exchangeTimeoutMs / 3),
    mustClose: isHelloOk,
    stopAfterReply: true,
  }));
}

/**
 * 3 + 4. Follow-ups. Most telling first: auth, then local treatment, then version
 * statements. If a slow target exhausts the endpoint's budget, what is lost is the least
 * important.
 */
async function followUps(s: ProbeSession, root: HttpExchange): Promise<void> {
  const base = s.base;
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
      const asked = new Set([...s.http.map((x) => x.request.path), ...requests.map((r) => r.path)]);
      for (const p of discriminatingPaths(narrowed.candidates)
        .map((p) => `${base}${p}`)
        .filter((p) => !asked.has(p))
        .slice(0, 2))
        requests.push({ method: "GET", path: p });
    }
  }
  // OpenClaw limits unauthenticated sockets per client: at most the two lanes.
  await s.several(requests);
}

/**
 * The OpenClaw-family probe alone (the root exchange, then this plan): what the recorded zoo
 * transcripts were made with. A scan runs every registered fingerprinter (probe-endpoint.ts).
 */
export async function probeOpenClaw(
  endpoint: Endpoint,
  ctx: ProbeContext,
  viaLoopback: boolean,
): Promise<Transcript> {
  const s = new ProbeSession(endpoint, ctx, viaLoopback);
  try {
    const root = await s.root();
    // Nothing HTTP answered (refused, reset, silent): nothing more to learn benignly.
    if (root && (root.response || root.nonHttp))
      await openClawPlan(s, root, looksLikeFamily(root, undefined));
    return s.transcript();
  } finally {
    s.close();
  }
}
