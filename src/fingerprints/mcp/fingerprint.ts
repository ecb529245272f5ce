// Turns a transcript into an MCP verdict. Pure. Product only on protocol-specific answers:
// a JSON-RPC `initialize` result with serverInfo, a JSON-RPC error from the MCP path, the
// legacy transport's `endpoint` event, or a 401/403 whose challenge or protected-resource
// metadata follows the MCP authorization spec. A bare 401 on /mcp is any auth wall: not
// enough to name a product.
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import { headerValue } from "../../net/http.ts";
import { capText } from "../../util/text.ts";
import type { Transcript } from "../transcript.ts";
import { type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";
import { postPaths, ssePaths } from "./probe.ts";
import {
  INIT_ID,
  jsonRpcMessages,
  protectedResourceOf,
  resourceMetadataOf,
  serverInfoOf,
  sseEndpointOf,
  TOOLS_ID,
  toolNamesOf,
} from "./signals.ts";

/** Tool names listed in a fact, at most. */
const LISTED_TOOL_NAMES = 12;

function ev(x: HttpExchange, detail: string): Evidence {
  const text = x.response ? x.response.body.subarray(0, 2048).toString("utf8") : (x.error ?? "");
  const c = capText(text, 300);
  return {
    source: `${x.request.method} ${x.request.path}`,
    detail,
    excerpt: c.text,
    ...(c.truncated ? { truncated: true } : {}),
    location: x.request.path,
  };
}

function verdict(
  fields: Pick<Verdict, "version" | "auth" | "evidence"> & {
    product: number;
    authConfidence: number;
    facts: Facts;
  },
): Verdict {
  return {
    ...NOT_A_GATEWAY,
    product: "mcp",
    version: fields.version,
    auth: fields.auth,
    confidence: {
      product: fields.product,
      version: fields.version ? 0.9 : 0,
      auth: fields.authConfidence,
      remoteLooksLocal: 0,
    },
    evidence: fields.evidence,
    facts: fields.facts,
  };
}

export function fingerprintMcp(t: Transcript): Verdict {
  const paths = new Set(postPaths(t.endpoint.basePath));
  const posts = t.http.filter((x) => x.request.method === "POST" && paths.has(x.request.path) && x.response);

  // Streamable HTTP, session granted without credentials.
  for (const x of posts) {
    const messages = jsonRpcMessages(x.response);
    const info = serverInfoOf(messages.find((m) => m.id === INIT_ID));
    if (!info) continue;
    const res = x.response!;
    const session = headerValue(res.headers, "mcp-session-id");
    const facts: Facts = {
      transport: "streamable-http",
      path: x.request.path,
      serverName: info.name,
      protocolVersion: info.protocolVersion,
      stateful: session !== undefined,
    };
    if (info.title) facts.serverTitle = info.title;
    const evidence = [
      ev(
        x,
        `initialize answered without credentials: server ${info.name}${info.version ? ` ${info.version}` : ""}`,
      ),
    ];
    const listed = posts
      .map((p) => ({ p, names: toolNamesOf(jsonRpcMessages(p.response).find((m) => m.id === TOOLS_ID)) }))
      .find((l) => l.names !== null);
    if (listed?.names) {
      facts.toolsListed = listed.names.length;
      if (listed.names.length > 0)
        facts.toolNames =
          listed.names.slice(0, LISTED_TOOL_NAMES).join(",") +
          (listed.names.length > LISTED_TOOL_NAMES ? ",…" : "");
      evidence.push(ev(listed.p, `tools/list answered without credentials: ${listed.names.length} tools`));
    }
    return verdict({
      product: 0.95,
      version: info.version,
      auth: "not-required",
      authConfidence: 0.9,
      evidence,
      facts,
    });
  }

  // Behind auth: the MCP authorization spec's challenge or metadata names it.
  for (const x of posts) {
    const status = x.response!.status;
    if (status !== 401 && status !== 403) continue;
    const named = resourceMetadataOf(x.response);
    const meta = t.http
      .filter(
        (m) =>
          m.request.method === "GET" && m.request.path.startsWith("/.well-known/oauth-protected-resource"),
      )
      .map((m) => ({ m, doc: protectedResourceOf(m.response) }))
      .find((d) => d.doc !== null);
    if (!named && !meta) continue;
    const evidence = [
      ev(
        x,
        `initialize refused with ${status}${named ? ", challenge names protected-resource metadata" : ""}`,
      ),
    ];
    const facts: Facts = { transport: "streamable-http", path: x.request.path };
    if (meta?.doc) {
      evidence.push(ev(meta.m, "OAuth protected-resource metadata (MCP authorization)"));
      if (meta.doc.authorizationServers.length > 0)
        facts.authorizationServers = meta.doc.authorizationServers.join(",");
    }
    return verdict({
      product: named && meta ? 0.9 : 0.8,
      version: null,
      auth: "required",
      authConfidence: 0.9,
      evidence,
      facts,
    });
  }

  // A JSON-RPC error from the MCP path: an MCP server that wants something else of the client.
  for (const x of posts) {
    const error = jsonRpcMessages(x.response).find((m) => m.error)?.error;
    if (!error) continue;
    return verdict({
      product: 0.8,
      version: null,
      auth: "unknown",
      authConfidence: 0,
      evidence: [ev(x, `JSON-RPC error from the MCP path: ${error.message ?? error.code ?? "?"}`)],
      facts: { transport: "streamable-http", path: x.request.path },
    });
  }

  // The legacy HTTP+SSE transport: a session endpoint handed to anyone who asks.
  const sse = new Set(ssePaths(t.endpoint.basePath));
  for (const x of t.http) {
    if (x.request.method !== "GET" || !sse.has(x.request.path)) continue;
    const endpoint = sseEndpointOf(x.response);
    if (!endpoint) continue;
    return verdict({
      product: 0.9,
      version: null,
      auth: "not-required",
      authConfidence: 0.8,
      evidence: [ev(x, `legacy SSE transport opened a session without credentials (endpoint ${endpoint})`)],
      facts: { transport: "sse", path: x.request.path },
    });
  }
  return NOT_A_GATEWAY;
}
