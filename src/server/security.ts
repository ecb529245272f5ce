// The dashboard's defences (ARCHITECTURE principle 3):
//   - loopback by default; a non-loopback bind needs a token (checked by `serve` before listening);
//   - with a token, every request but the login page and static files needs it: `Authorization:
//     Bearer` (API, /metrics) or a session cookie (HttpOnly, SameSite=Strict) from the login form;
//     tokens are compared in constant time;
//   - without a token (loopback only), requests must name a loopback Host, so a DNS-rebinding page
//     cannot read or drive the dashboard;
//   - every POST is CSRF-checked: Origin / Sec-Fetch-Site must be this origin, and a browser
//     session must send its per-session CSRF token; non-browser clients must send the Bearer token;
//   - strict headers on every response (CSP without inline script or style, nosniff, no referrer,
//     no framing).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";

export const SESSION_COOKIE = "cp_session";
export const LOGIN_COOKIE = "cp_login";
export const MIN_TOKEN_LENGTH = 16;

const SESSION_TTL_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;

/** A 256-bit random value, URL-safe. */
export const randomToken = () => randomBytes(32).toString("base64url");

/** Equal strings, compared (as SHA-256 digests) in time that depends neither on where nor on how long they are. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** A literal loopback address or `localhost` (what `serve` may bind without a token). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (h === "localhost") return true;
  const family = isIP(h);
  if (family === 4) return h.startsWith("127.");
  if (family === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  return false;
}

/** The host part of a Host header (`[::1]:8417` → `[::1]`, `localhost:8417` → `localhost`). */
function hostOfHeader(value: string): string {
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  const colon = value.lastIndexOf(":");
  return colon < 0 ? value : value.slice(0, colon);
}

export interface Session {
  id: string;
  csrf: string;
  expires: number;
}

/** Sessions live in memory: a restart logs everyone out, and logout really ends one. */
export class Sessions {
  readonly #byId = new Map<string, Session>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  create(): Session {
    if (this.#byId.size >= MAX_SESSIONS) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
    const s = { id: randomToken(), csrf: randomToken(), expires: this.#now() + SESSION_TTL_MS };
    this.#byId.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | null {
    if (!id || id.length > 100) return null;
    const s = this.#byId.get(id);
    if (!s) return null;
    if (s.expires < this.#now()) {
      this.#byId.delete(id);
      return null;
    }
    return s;
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }

  get size(): number {
    return this.#byId.size;
  }
}

export interface SecurityOptions {
  /** The auth token; null when none is needed (a loopback bind). */
  token: string | null;
  sessions: Sessions;
  /** The secret of the store API (/api/store/*) that local commands use; null: no store API. */
  storeSecret?: string | null;
}

/** What the request proved about itself. */
export interface Auth {
  /** Authenticated by a Bearer header (a non-browser client, never ambient). */
  bearer: boolean;
  /** The Bearer was the store secret: a local clawpatrol command (may use /api/store/*). */
  store: boolean;
  session: Session | null;
}

export type SecurityEnv = { Variables: { auth: Auth } };

/** The strict headers every response carries. */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    xContentTypeOptions: "nosniff",
    crossOriginOpenerPolicy: "same-origin",
    crossOriginResourcePolicy: "same-origin",
    strictTransportSecurity: false,
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  });
}

function bearerOf(c: Context): string | null {
  const h = c.req.header("authorization");
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1]! : null;
}

// TAXII clients are API clients too: a 401 with JSON, never a redirect to the login form.
const isApi = (path: string) =>
  path.startsWith("/api/") || path.startsWith("/taxii2/") || path === "/metrics";

/** A refusal: JSON `{ error }` for API clients (they parse it), plain text for pages. */
export function refuse(c: Context, status: 400 | 401 | 403 | 413 | 415 | 429, message: string): Response {
  return isApi(c.req.path) ? c.json({ error: message }, status) : c.text(message, status);
}
/** Reachable without auth: the login form and the static files it needs. */
const isPublic = (path: string) => path === "/login" || path.startsWith("/static/");

/** A session cookie as this server sets it. */
export function setSessionCookie(c: Context, s: Session): void {
  setCookie(c, SESSION_COOKIE, s.id, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
    secure: new URL(c.req.url).protocol === "https:",
  });
}

/**
 * Host check (no token), authentication (token), and a session for every browser: without a
 * token each browser gets an anonymous session (it carries the CSRF token of its forms).
 */
export function authenticate(opts: SecurityOptions): MiddlewareHandler<SecurityEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (opts.token === null) {
      // In-process requests (app.request) carry no Host header: their URL names the host.
      const host = c.req.header("host") ?? new URL(c.req.url).host;
      if (!isLoopbackHost(hostOfHeader(host)))
        return refuse(
          c,
          403,
          "Forbidden: this dashboard answers only to a loopback Host (127.0.0.1, localhost)",
        );
    }
    let session = opts.sessions.get(getCookie(c, SESSION_COOKIE));
    const bearer = bearerOf(c);
    let bearerOk = false;
    const storeOk = bearer !== null && !!opts.storeSecret && sameSecret(bearer, opts.storeSecret);
    if (storeOk) bearerOk = true;
    else if (opts.token !== null && bearer !== null) {
      bearerOk = sameSecret(bearer, opts.token);
      if (!bearerOk) return unauthorized(c, "invalid token");
    }
    if (opts.token !== null && !bearerOk && session === null && !isPublic(path)) {
      if (isApi(path) || c.req.method !== "GET") return unauthorized(c, "authentication required");
      const next = `${path}${new URL(c.req.url).search}`;
      return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
    if (opts.token === null && session === null && !isApi(path) && !path.startsWith("/static/")) {
      session = opts.sessions.create();
      setSessionCookie(c, session);
    }
    c.set("auth", { bearer: bearerOk, store: storeOk, session });
    await next();
  };
}

function unauthorized(c: Context, message: string): Response {
  c.header("WWW-Authenticate", 'Bearer realm="clawpatrol"');
  if (isApi(c.req.path)) return c.json({ error: message }, 401);
  return c.text(`Unauthorized: ${message}`, 401);
}

/** This request's own origin as a browser would name it (scheme of the URL, the Host header). */
function ownOrigin(c: Context): string {
  const url = new URL(c.req.url);
  return `${url.protocol}//${c.req.header("host") ?? url.host}`;
}

/**
 * The browser-side half of CSRF protection for state-changing requests: a request that says
 * where it came from must come from this origin. Returns why not, or null when it may go on.
 */
export function originProblem(c: Context): string | null {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin") return "cross-site request (Sec-Fetch-Site)";
  const origin = c.req.header("origin");
  // Under Referrer-Policy: no-referrer a browser's form POST says `Origin: null`; then only its
  // Sec-Fetch-Site (always sent by current browsers, and checked above) can vouch for it.
  if (origin === "null") return site === "same-origin" ? null : "request of unknown origin (Origin: null)";
  if (origin !== undefined && origin !== ownOrigin(c)) return "cross-origin request (Origin)";
  return null;
}

/** Did the request come from a browser (it says where from, or carries our cookies)? */
export function fromBrowser(c: Context): boolean {
  return (
    c.req.header("origin") !== undefined ||
    c.req.header("sec-fetch-site") !== undefined ||
    (c.req.header("cookie") ?? "") !== ""
  );
}

/**
 * CSRF protection for every POST but the login form (which has its own): origin checks, then
 * either the Bearer token (not ambient, so no CSRF token is needed) or the session's CSRF token
 * in the `_csrf` form field or the `X-CSRF-Token` header. Without a configured token, a client
 * that is no browser (no Origin, no Sec-Fetch-Site, no cookie) may POST JSON to the API: a
 * browser always sends Origin with a POST, and the Host check has already kept rebinding out.
 */
export function csrfProtect(opts: SecurityOptions): MiddlewareHandler<SecurityEnv> {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.path === "/login") return next();
    const problem = originProblem(c);
    if (problem) return refuse(c, 403, `Forbidden: ${problem}`);
    const auth = c.get("auth");
    if (auth.bearer) return next();
    if (opts.token === null && !fromBrowser(c) && isJson(c) && isApi(c.req.path)) return next();
    const session = auth.session;
    if (!session)
      return refuse(
        c,
        403,
        isApi(c.req.path)
          ? "Forbidden: a POST to the API needs Content-Type: application/json (or a session's CSRF token)"
          : "Forbidden: no session",
      );
    let sent = c.req.header("x-csrf-token") ?? null;
    if (sent === null && isForm(c)) {
      const body = await readForm(c);
      sent = typeof body._csrf === "string" ? body._csrf : null;
    }
    if (sent === null || !sameSecret(sent, session.csrf)) return refuse(c, 403, "Forbidden: bad CSRF token");
    return next();
  };
}

const isJson = (c: Context) => /^application\/json\b/i.test(c.req.header("content-type") ?? "");
const isForm = (c: Context) =>
  /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(c.req.header("content-type") ?? "");

/** A form body (urlencoded or multipart); one that cannot be parsed is a 400, not a server error. */
export async function readForm(c: Context): Promise<Record<string, string | File | (string | File)[]>> {
  try {
    return await c.req.parseBody();
  } catch {
    throw new HTTPException(400, { message: "the request body is not a valid form" });
  }
}

/**
 * Request bodies of at most `maxFor(path)` bytes, else 413. Hono's own bodyLimit rebuilds a
 * request without Content-Length (no body, or chunked) as `new Request(req)`, which throws on
 * @hono/node-server's request object (a 500 for `curl -X POST` without a body); this one
 * rebuilds it from its URL, method and headers instead.
 */
export function limitBody(maxFor: (path: string) => number): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const max = maxFor(c.req.path);
    const tooLarge = () => refuse(c, 413, `Payload Too Large (at most ${max} bytes)`);
    const length = raw.headers.get("content-length");
    if (length !== null && !raw.headers.has("transfer-encoding")) {
      if (!/^\d+$/.test(length)) return refuse(c, 400, "bad Content-Length");
      return Number(length) > max ? tooLarge() : next();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        return tooLarge();
      }
      chunks.push(value);
    }
    const headers = new Headers(raw.headers);
    headers.delete("transfer-encoding");
    headers.set("content-length", String(size));
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers,
      // A GET or HEAD may not carry a body in a Request; the routes never read one there.
      ...(size > 0 && raw.method !== "GET" && raw.method !== "HEAD" ? { body: Buffer.concat(chunks) } : {}),
    });
    return next();
  };
}

/** A `next` redirect target from the login form: a path on this server, nothing else. */
export function safeNext(value: unknown): string {
  if (typeof value !== "string" || value.length > 2000) return "/";
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f\u007f]/.test(value)) return "/";
  return value;
}

/** Failed logins: at most `max` in a sliding minute, then 429 until it passes. */
export class LoginThrottle {
  readonly #fails: number[] = [];
  readonly #max: number;
  readonly #now: () => number;

  constructor(max = 10, now: () => number = Date.now) {
    this.#max = max;
    this.#now = now;
  }

  blocked(): boolean {
    const cutoff = this.#now() - 60_000;
    while (this.#fails.length > 0 && this.#fails[0]! < cutoff) this.#fails.shift();
    return this.#fails.length >= this.#max;
  }

  fail(): void {
    this.#fails.push(this.#now());
  }
}
