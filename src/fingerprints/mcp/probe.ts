// The MCP probe plan, after the shared root exchange found nothing that claims the port.
// Benign and pre-auth: the protocol's own handshake and one read-only listing, never a tool
// call, a prompt or a resource read.
//   1. POST initialize to the MCP endpoint: the path a URL target names, then <base>/mcp
//      (the conventional Streamable HTTP path). An answer with `serverInfo` is an MCP server
//      that lets strangers in; 401/403 is one behind auth (then 1b).
//   1b. On 401/403: the OAuth protected-resource metadata (RFC 9728) the MCP authorization
//      spec has servers publish, at the path WWW-Authenticate names (on this endpoint only)
//      or at /.well-known/oauth-protected-resource.
//   2. When a session was granted: `notifications/initialized`, then `tools/list` (a listing:
//      how many tools a stranger could call), then DELETE the session we opened. A stateless
//      server (no Mcp-Session-Id) gets tools/list without a session.
//   3. Nothing on 1: GET <base>/sse, the legacy HTTP+SSE transport; read until its `endpoint`
//      event, then hang up (the stream never ends by itself).
import { VERSION } from "../../core/version.ts";
import { type HttpExchange, type HttpRequest, headerValue } from "../../net/http.ts";
import type { ProbeSession } from "../session.ts";
import {
  hasAnswer,
  INIT_ID,
  jsonRpcMessages,
  resourceMetadataOf,
  serverInfoOf,
  sseEndpointOf,
  TOOLS_ID,
} from "./signals.ts";

/** The protocol revision we offer; a server answers with the one it speaks. */
export const OFFERED_PROTOCOL = "2025-06-18";

const ACCEPT: [string, string] = ["Accept", "application/json, text/event-stream"];
const JSON_TYPE: [string, string] = ["Content-Type", "application/json"];

export const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: INIT_ID,
  method: "initialize",
  params: {
    protocolVersion: OFFERED_PROTOCOL,
    capabilities: {},
    clientInfo: { name: "clawpatrol", version: VERSION },
  },
});

/** Where a Streamable HTTP endpoint may be: the URL target's own path first. */
export function postPaths(base: string): string[] {
  return base ? [base, `${base}/mcp`] : ["/mcp"];
}

/** Where a legacy SSE endpoint may be. */
export function ssePaths(base: string): string[] {
  return base.endsWith("/sse") ? [base] : [`${base}/sse`];
}

function post(path: string, body: string, id: string | null, extra: [string, string][] = []): HttpRequest {
  return {
    method: "POST",
    path,
    headers: [JSON_TYPE, ACCEPT, ...extra],
    body,
    // A server may answer on an event stream it keeps open: stop at our answer.
    ...(id ? { until: hasAnswer(id) } : {}),
  };
}

function isMcpAnswer(x: HttpExchange | null): boolean {
  if (!x?.response) return false;
  const s = x.response.status;
  return s === 401 || s === 403 || jsonRpcMessages(x.response).length > 0;
}

/** Paths on this endpoint where the protected-resource metadata may be. */
export function metadataPaths(x: HttpExchange, base: string): string[] {
  const named = resourceMetadataOf(x.response);
  const paths: string[] = [];
  if (named) {
    try {
      // Only the path: the probe never leaves the endpoint it was given.
      const p = new URL(named, "http://endpoint.invalid").pathname;
      if (p.startsWith("/.well-known/")) paths.push(p);
    } catch {
      // not a URL: use the default
    }
  }
  const rel = x.request.path;
  paths.push(`/.well-known/oauth-protected-resource${rel}`);
  if (!base) paths.push("/.well-known/oauth-protected-resource");
  return [...new Set(paths)].slice(0, 2);
}

export async function mcpPlan(s: ProbeSession, _root: HttpExchange, _claimed: boolean): Promise<boolean> {
  for (const path of postPaths(s.base)) {
    const init = await s.get(post(path, INITIALIZE_BODY, INIT_ID));
    if (!init?.response) return false;
    if (!isMcpAnswer(init)) continue;
    const status = init.response.status;
    if (status === 401 || status === 403) {
      for (const p of metadataPaths(init, s.base)) {
        const meta = await s.get({ method: "GET", path: p, headers: [["Accept", "application/json"]] });
        if (meta?.response?.status === 200) break;
      }
      return true;
    }
    const info = serverInfoOf(jsonRpcMessages(init.response).find((m) => m.id === INIT_ID));
    if (!info) return true;
    const session = headerValue(init.response.headers, "mcp-session-id");
    const headers: [string, string][] = [["MCP-Protocol-Version", info.protocolVersion || OFFERED_PROTOCOL]];
    if (session && session.length <= 200) headers.push(["Mcp-Session-Id", session]);
    await s.get(
      post(path, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), null, headers),
    );
    await s.get(
      post(path, JSON.stringify({ jsonrpc: "2.0", id: TOOLS_ID, method: "tools/list" }), TOOLS_ID, headers),
    );
    // Leave no session behind.
    if (session) await s.get({ method: "DELETE", path, headers });
    return true;
  }
  for (const path of ssePaths(s.base)) {
    const sse = await s.get({
      method: "GET",
      path,
      headers: [["Accept", "text/event-stream"]],
      until: (body) =>
        body.length > 16 * 1024 || /event:\s*endpoint\r?\n[^\n]*\n\r?\n/.test(body.toString("utf8")),
    });
    if (sseEndpointOf(sse?.response ?? null)) return true;
  }
  return false;
}
