// A Transcript is everything one endpoint said to us, kept raw (bounded). Probing produces
// it; fingerprinting is a pure function of it. That split lets recorded transcripts of
// real gateways drive fast, exact unit tests.
import type { TlsInfo } from "../net/connect.ts";
import type { HttpExchange } from "../net/http.ts";
import type { WsExchange } from "../net/websocket.ts";
import type { Endpoint } from "../targets/stream.ts";

export interface Transcript {
  endpoint: Endpoint;
  /** The scanner reached the target over loopback (so "local" treatment is expected, not a finding). */
  viaLoopback: boolean;
  /** Whether the connection used TLS (decided by the target or by probing). */
  tls: boolean;
  tlsInfo: TlsInfo | null;
  http: HttpExchange[];
  ws: WsExchange[];
  startedAt: string;
  ms: number;
  /** The endpoint's time budget ran out before every planned probe was sent. */
  budgetExhausted?: boolean;
}

/** Find the exchange for a request, matching method and path (path relative to the base path). */
export function findHttp(t: Transcript, method: string, path: string): HttpExchange | undefined {
  const full = t.endpoint.basePath + path;
  return t.http.find((x) => x.request.method === method && x.request.path === full);
}

// The fingerprint reads some bodies several times (the config and readiness answers feed
// version, auth and locality checks); each is decoded once.
const decoded = new WeakMap<Buffer, string>();

export function bodyText(x: HttpExchange | undefined): string {
  const body = x?.response?.body;
  if (!body) return "";
  let text = decoded.get(body);
  if (text === undefined) {
    text = body.toString("utf8");
    decoded.set(body, text);
  }
  return text;
}

// --- JSON form, for --record and test fixtures -------------------------------------------

type Jsonable = Record<string, unknown>;

function encode(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { $b64: value.toString("base64") };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === "object") {
    const out: Jsonable = {};
    for (const [k, v] of Object.entries(value)) out[k] = encode(v);
    return out;
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    const obj = value as Jsonable;
    if (typeof obj.$b64 === "string" && Object.keys(obj).length === 1) return Buffer.from(obj.$b64, "base64");
    const out: Jsonable = {};
    for (const [k, v] of Object.entries(obj)) out[k] = decode(v);
    return out;
  }
  return value;
}

export function transcriptToJson(t: Transcript): string {
  return JSON.stringify(encode(t));
}

export function transcriptFromJson(text: string): Transcript {
  return decode(JSON.parse(text)) as Transcript;
}
