// Pure readers of what an MCP server says over HTTP. A Streamable HTTP server answers a POST
// with `application/json` or with a `text/event-stream` whose `data:` lines carry JSON-RPC
// messages (spec 2025-06-18, basic/transports "Streamable HTTP"); the legacy HTTP+SSE
// transport (spec 2024-11-05, basic/transports "HTTP with SSE") opens with an `endpoint`
// event naming the URL to POST to. Every string read here is target-controlled: capped.
import { type HttpResponse, headerValue } from "../../net/http.ts";
import { capText } from "../../util/text.ts";

const MAX_JSON = 256 * 1024;

export const INIT_ID = "clawpatrol-init";
export const TOOLS_ID = "clawpatrol-tools";

export interface JsonRpcMessage {
  id: unknown;
  result?: Record<string, unknown>;
  error?: { code: number | null; message: string | null };
}

function asObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function parseMessage(text: string): JsonRpcMessage | null {
  if (text.length > MAX_JSON) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const obj = asObject(v);
  if (obj?.jsonrpc !== "2.0") return null;
  const result = asObject(obj.result);
  const error = asObject(obj.error);
  if (!result && !error) return null;
  return {
    id: obj.id,
    ...(result ? { result } : {}),
    ...(error
      ? {
          error: {
            code: typeof error.code === "number" ? error.code : null,
            message: typeof error.message === "string" ? capText(error.message, 200).text : null,
          },
        }
      : {}),
  };
}

/** The `data:` payloads of complete events in an event stream, with their event names. */
export function sseEvents(text: string): { event: string; data: string }[] {
  const out: { event: string; data: string }[] = [];
  for (const block of text.replace(/\r\n?/g, "\n").split("\n\n").slice(0, -1)) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length > 0) out.push({ event, data: data.join("\n") });
    if (out.length >= 32) break;
  }
  return out;
}

/** JSON-RPC responses (results and errors) in an HTTP answer, JSON or an event stream. */
export function jsonRpcMessages(res: HttpResponse | null): JsonRpcMessage[] {
  if (!res || res.body.length === 0) return [];
  const type = headerValue(res.headers, "content-type")?.toLowerCase() ?? "";
  const text = res.body.subarray(0, MAX_JSON).toString("utf8");
  if (type.startsWith("text/event-stream"))
    return sseEvents(text)
      .map((e) => parseMessage(e.data))
      .filter((m): m is JsonRpcMessage => m !== null);
  const m = parseMessage(text.trim());
  return m ? [m] : [];
}

/** True once an event stream holds a JSON-RPC answer with this id (so a POST's stream can be left). */
export function hasAnswer(id: string): (body: Buffer) => boolean {
  return (body) =>
    body.length > MAX_JSON || sseEvents(body.toString("utf8")).some((e) => parseMessage(e.data)?.id === id);
}

export interface ServerInfo {
  name: string;
  title: string | null;
  version: string | null;
  protocolVersion: string;
}

/** Printable, capped: what a record may repeat of a server's self-description. */
export function cleanText(v: unknown, max = 100): string | null {
  if (typeof v !== "string") return null;
  const printable = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  return printable.length > 0 ? capText(printable, max).text : null;
}

/** An `initialize` result: `{protocolVersion, capabilities, serverInfo: {name, version}}`. */
export function serverInfoOf(m: JsonRpcMessage | undefined): ServerInfo | null {
  const r = m?.result;
  if (!r || typeof r.protocolVersion !== "string" || !asObject(r.capabilities)) return null;
  const info = asObject(r.serverInfo);
  const name = cleanText(info?.name);
  if (!info || !name) return null;
  return {
    name,
    title: cleanText(info.title),
    version: cleanText(info.version, 40),
    protocolVersion: cleanText(r.protocolVersion, 20) ?? "",
  };
}

/** A `tools/list` result: the tool names (capped), or null when it is not one. */
export function toolNamesOf(m: JsonRpcMessage | undefined): string[] | null {
  const tools = m?.result?.tools;
  if (!Array.isArray(tools)) return null;
  return tools.map((t) => cleanText(asObject(t)?.name, 64) ?? "?");
}

/** The legacy transport's first event: `event: endpoint` / `data: /message?sessionId=…`. */
export function sseEndpointOf(res: HttpResponse | null): string | null {
  if (res?.status !== 200) return null;
  const type = headerValue(res.headers, "content-type")?.toLowerCase() ?? "";
  if (!type.startsWith("text/event-stream")) return null;
  const endpoint = sseEvents(res.body.subarray(0, 16 * 1024).toString("utf8")).find(
    (e) => e.event === "endpoint",
  );
  return endpoint ? cleanText(endpoint.data, 200) : null;
}

/** `WWW-Authenticate: Bearer resource_metadata="…"` (MCP authorization, RFC 9728): the metadata URL. */
export function resourceMetadataOf(res: HttpResponse | null): string | null {
  const www = res ? headerValue(res.headers, "www-authenticate") : undefined;
  const m = www ? /resource_metadata\s*=\s*"([^"]{1,500})"/i.exec(www) : null;
  return m ? m[1]! : null;
}

/** An OAuth protected-resource metadata document (RFC 9728): its resource and authorization servers. */
export function protectedResourceOf(
  res: HttpResponse | null,
): { resource: string; authorizationServers: string[] } | null {
  if (res?.status !== 200 || res.body.length > MAX_JSON) return null;
  let v: unknown;
  try {
    v = JSON.parse(res.body.toString("utf8"));
  } catch {
    return null;
  }
  const obj = asObject(v);
  const resource = cleanText(obj?.resource, 200);
  if (!obj || !resource || !Array.isArray(obj.authorization_servers)) return null;
  return {
    resource,
    authorizationServers: obj.authorization_servers
      .slice(0, 8)
      .map((s) => cleanText(s, 200))
      .filter((s): s is string => s !== null),
  };
}
