// The dashboard: one Hono app with server-rendered pages and a JSON API behind each of them.
//   GET  /                      overview          GET /api/overview
//                                                 GET /api/series?days=90
//                                                 GET /api/exposure?limit=20&period=7
//   GET  /breakdowns            breakdowns        GET /api/breakdowns?limit=50
//   GET  /assets?…              asset table       GET /api/assets?…
//   GET  /assets/:ip/:port      one asset         GET /api/assets/:ip/:port
//   POST /assets/:ip/:port/ack|unack (form)       POST /api/assets/:ip/:port/ack|unack (JSON)
//   GET  /login, POST /login, POST /logout        GET /metrics (Prometheus)   GET /static/*
//   /api/store/* for local clawpatrol commands while serve holds the store (store-api.ts)
//   POST /api/fleet/reports     host reports (audit/skills), with a host token (fleet-intake.ts)
//   GET  /fleet, /findings, /compliance and their /api/ twins (fleet-pages.ts)
//   GET  /suppressions, POST add/remove (form and JSON), export (suppression-routes.ts)
//   GET  /taxii2/… a read-only TAXII 2.1 server of the STIX picture (taxii/routes.ts)
// Security (auth, CSRF, headers) is in security.ts, SQL in queries.ts, HTML in pages/.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import { campaignStatuses } from "../distributed/campaigns.ts";
import type { Policy } from "../policy/schema.ts";
import type { StoreDb } from "../store/db.ts";
import { capText, escapeOneLine } from "../util/text.ts";
import { exposure } from "./exposure.ts";
import { registerFleetIntake } from "./fleet-intake.ts";
import { registerFleetPages } from "./fleet-pages.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { assetPage } from "./pages/asset.ts";
import { assetsPage } from "./pages/assets.ts";
import { breakdownsPage } from "./pages/breakdowns.ts";
import { campaignsPage } from "./pages/campaigns.ts";
import type { PageContext } from "./pages/layout.ts";
import { errorPage, loginPage } from "./pages/login.ts";
import { overviewPage } from "./pages/overview.ts";
import {
  acknowledge,
  assetDetail,
  BadRequest,
  breakdowns,
  DEFAULT_QUERY,
  listAssetPage,
  MAX_NOTE,
  overview,
  parseAssetKey,
  parseAssetQuery,
  series,
  unacknowledge,
} from "./queries.ts";
import {
  authenticate,
  csrfProtect,
  LOGIN_COOKIE,
  LoginThrottle,
  limitBody,
  originProblem,
  randomToken,
  readForm,
  refuse,
  SESSION_COOKIE,
  type SecurityEnv,
  Sessions,
  safeNext,
  sameSecret,
  securityHeaders,
  setSessionCookie,
} from "./security.ts";
import { isRecordsPath, MAX_RECORDS_BODY, registerStoreApi } from "./store-api.ts";
import { registerSuppressionRoutes } from "./suppression-routes.ts";
import { registerTaxii } from "./taxii/routes.ts";

export interface AppOptions {
  db: StoreDb;
  /** Required for every request when set (see security.ts); null on a loopback bind without one. */
  token: string | null;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** One line per server-side failure (never a stack trace to the client). */
  log?: (line: string) => void;
  /** The Bearer secret of the store API for local commands (store-api.ts); none: no store API. */
  storeSecret?: string | null;
  /** The policy the compliance page judges the store against (`serve --policy FILE`), if any. */
  policy?: { policy: Policy; file: string } | null;
}

export interface Dashboard {
  app: Hono<SecurityEnv>;
  sessions: Sessions;
  metrics: Metrics;
}

interface StaticFile {
  body: Buffer;
  type: string;
}

function loadStatic(): Map<string, StaticFile> {
  const own = (name: string) => readFileSync(new URL(`./static/${name}`, import.meta.url));
  const require = createRequire(import.meta.url);
  const uplot = (name: string) => readFileSync(require.resolve(`uplot/dist/${name}`));
  const js = "text/javascript; charset=utf-8";
  const css = "text/css; charset=utf-8";
  return new Map([
    ["app.js", { body: own("app.js"), type: js }],
    ["style.css", { body: own("style.css"), type: css }],
    ["uPlot.iife.min.js", { body: uplot("uPlot.iife.min.js"), type: js }],
    ["uPlot.min.css", { body: uplot("uPlot.min.css"), type: css }],
    ["favicon.svg", { body: own("favicon.svg"), type: "image/svg+xml" }],
  ]);
}

const SERIES_DAYS = 90;
/** Rows per breakdown and in the fix-first list on the overview; days the country trend looks back. */
const EXPOSURE_ROWS = 20;
const TREND_DAYS = 7;
/** The largest request body a route takes (a form or an acknowledgement note). */
const MAX_BODY = 16 * 1024;

/**
 * The JSON object an API POST sends. No body at all is an empty object (acknowledging without a
 * note); anything else must be a JSON object sent as application/json.
 */
async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? ""))
    throw new HTTPException(415, { message: "send the body as Content-Type: application/json" });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest("the body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new BadRequest("the body must be a JSON object");
  return value as Record<string, unknown>;
}

function intParam(c: Context, name: string, min: number, max: number, dflt: number): number {
  const v = c.req.query(name);
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!/^\d{1,6}$/.test(v) || n < min || n > max)
    throw new BadRequest(`${name}: a whole number ${min} to ${max}`);
  return n;
}

export function createDashboard(opts: AppOptions): Dashboard {
  const { db, token } = opts;
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sessions = new Sessions();
  const metrics = createMetrics();
  const throttle = new LoginThrottle();
  const files = loadStatic();
  const app = new Hono<SecurityEnv>();

  const pageContext = (c: Context<SecurityEnv>): PageContext => {
    const session = c.get("auth")?.session ?? null;
    return { csrf: session?.csrf ?? null, canLogout: token !== null && session !== null };
  };
  const isApi = (c: Context) => c.req.path.startsWith("/api/");

  // Count every answer, labelled by the route that answered (a bounded set).
  app.use("*", async (c, next) => {
    await next();
    let route = routePath(c, c.req.routeIndex);
    if (route === "*" || route === "/*") route = c.res.status === 404 ? "(unmatched)" : "(refused)";
    metrics.count(c.req.method, route, c.res.status);
  });
  app.use("*", securityHeaders());
  app.use("*", async (c, next) => {
    await next();
    if (!c.req.path.startsWith("/static/")) c.header("Cache-Control", "no-store");
  });
  // Fleet reports carry a host token of their own (fleet-intake.ts), not the dashboard's: the
  // route answers before the dashboard's auth, with its own size cap and validation.
  registerFleetIntake(app as unknown as Hono, { db, now, log });
  const storeSecret = opts.storeSecret ?? null;
  app.use("*", authenticate({ token, sessions, storeSecret }));
  app.use(
    "*",
    limitBody((path) => (storeSecret && isRecordsPath(path) ? MAX_RECORDS_BODY : MAX_BODY)),
  );
  app.use("*", csrfProtect({ token, sessions }));

  // --- static files ---------------------------------------------------------------------------
  app.get("/static/:file", (c) => {
    const f = files.get(c.req.param("file"));
    if (!f) return c.text("Not Found", 404);
    return c.body(new Uint8Array(f.body), 200, {
      "Content-Type": f.type,
      "Cache-Control": "public, max-age=300",
    });
  });

  // --- overview ---------------------------------------------------------------------------------
  app.get("/api/overview", async (c) => c.json(await overview(db, now())));
  app.get("/api/series", async (c) =>
    c.json(await series(db, intParam(c, "days", 1, 3660, SERIES_DAYS), now())),
  );
  // The exposure picture: ?limit= rows per breakdown and fix-first list, ?period= days of the country trend.
  app.get("/api/exposure", async (c) =>
    c.json(
      await exposure(db, {
        limit: intParam(c, "limit", 1, 500, EXPOSURE_ROWS),
        periodDays: intParam(c, "period", 1, 366, TREND_DAYS),
      }),
    ),
  );
  app.get("/", async (c) => {
    const t = now();
    const [o, s] = [await overview(db, t), await series(db, SERIES_DAYS, t)];
    const e = await exposure(db, { limit: EXPOSURE_ROWS, periodDays: TREND_DAYS });
    return c.html(overviewPage(pageContext(c), o, s, SERIES_DAYS, e));
  });

  // --- breakdowns -------------------------------------------------------------------------------
  app.get("/api/breakdowns", async (c) => c.json(await breakdowns(db, intParam(c, "limit", 1, 500, 50))));
  app.get("/breakdowns", async (c) => c.html(breakdownsPage(pageContext(c), await breakdowns(db, 50))));

  // --- fleet, audit and skills findings, compliance (fleet-pages.ts) ---------------------------
  registerFleetPages(app, { db, now, policy: opts.policy ?? null, pageContext });
  registerSuppressionRoutes(app, { db, now, tokenConfigured: token !== null, pageContext, jsonObject });
  registerTaxii(app, { db, log, now }); // the STIX picture over TAXII 2.1 (taxii/routes.ts)

  // --- campaigns (src/distributed/) --------------------------------------------------------------
  app.get("/api/campaigns", async (c) => c.json({ campaigns: await campaignStatuses(db) }));
  app.get("/campaigns", async (c) => c.html(campaignsPage(pageContext(c), await campaignStatuses(db))));

  // --- the asset table --------------------------------------------------------------------------
  app.get("/api/assets", async (c) => {
    const q = parseAssetQuery(c.req.query());
    return c.json({ query: q, ...(await listAssetPage(db, q)) });
  });
  app.get("/assets", async (c) => {
    try {
      const q = parseAssetQuery(c.req.query());
      return c.html(assetsPage(pageContext(c), q, await listAssetPage(db, q), null));
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      return c.html(assetsPage(pageContext(c), DEFAULT_QUERY, null, err.message), 400);
    }
  });

  // --- one asset --------------------------------------------------------------------------------
  const detailOf = async (c: Context) => {
    const key = parseAssetKey(c.req.param("ip") ?? "", c.req.param("port") ?? "");
    return { key, detail: await assetDetail(db, key.ip, key.port) };
  };
  app.get("/api/assets/:ip/:port", async (c) => {
    const { detail } = await detailOf(c);
    return detail ? c.json(detail) : c.json({ error: "no such asset" }, 404);
  });
  app.get("/assets/:ip/:port", async (c) => {
    let found: Awaited<ReturnType<typeof detailOf>>;
    try {
      found = await detailOf(c);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      return c.html(errorPage(pageContext(c), "Not found", err.message), 404);
    }
    if (!found.detail)
      return c.html(errorPage(pageContext(c), "Not found", "No such asset in the store."), 404);
    return c.html(assetPage(pageContext(c), found.detail));
  });

  // --- acknowledging an asset (the one write) ---------------------------------------------------
  const noteOf = (v: unknown) => escapeOneLine(capText(typeof v === "string" ? v.trim() : "", MAX_NOTE).text);
  app.post("/api/assets/:ip/:port/ack", async (c) => {
    const key = parseAssetKey(c.req.param("ip"), c.req.param("port"));
    const body = await jsonObject(c);
    if (body.note !== undefined && typeof body.note !== "string")
      throw new BadRequest("note: must be a string");
    const ok = await acknowledge(db, key.ip, key.port, noteOf(body.note), now());
    return ok ? c.json({ acknowledged: true }) : c.json({ error: "no such asset" }, 404);
  });
  app.post("/api/assets/:ip/:port/unack", async (c) => {
    const key = parseAssetKey(c.req.param("ip"), c.req.param("port"));
    await jsonObject(c);
    return c.json({ withdrawn: await unacknowledge(db, key.ip, key.port) });
  });
  app.post("/assets/:ip/:port/ack", async (c) => {
    const key = parseAssetKey(c.req.param("ip"), c.req.param("port"));
    const body = await readForm(c);
    if (!(await acknowledge(db, key.ip, key.port, noteOf(body.note), now())))
      return c.html(errorPage(pageContext(c), "Not found", "No such asset in the store."), 404);
    return c.redirect(`/assets/${encodeURIComponent(key.ip)}/${key.port}`, 303);
  });
  app.post("/assets/:ip/:port/unack", async (c) => {
    const key = parseAssetKey(c.req.param("ip"), c.req.param("port"));
    await unacknowledge(db, key.ip, key.port);
    return c.redirect(`/assets/${encodeURIComponent(key.ip)}/${key.port}`, 303);
  });

  // --- login and logout -------------------------------------------------------------------------
  app.get("/login", (c) => {
    if (token === null) return c.redirect("/", 303);
    const next = safeNext(c.req.query("next"));
    if (c.get("auth").session) return c.redirect(next, 303);
    const nonce = randomToken();
    setCookie(c, LOGIN_COOKIE, nonce, { httpOnly: true, sameSite: "Strict", path: "/login", maxAge: 3600 });
    return c.html(loginPage(nonce, next, null));
  });
  app.post("/login", async (c) => {
    if (token === null) return c.redirect("/", 303);
    const problem = originProblem(c);
    if (problem) return c.text(`Forbidden: ${problem}`, 403);
    if (throttle.blocked()) return c.text("Too many failed logins; wait a minute", 429);
    const body = await readForm(c);
    const next = safeNext(body.next);
    const nonce = getCookie(c, LOGIN_COOKIE);
    const sent = typeof body._csrf === "string" ? body._csrf : "";
    const again = (status: 401 | 403, message: string) => {
      const fresh = randomToken();
      setCookie(c, LOGIN_COOKIE, fresh, { httpOnly: true, sameSite: "Strict", path: "/login", maxAge: 3600 });
      return c.html(loginPage(fresh, next, message), status);
    };
    if (!nonce || !sameSecret(nonce, sent)) return again(403, "The form expired; please log in again.");
    if (typeof body.token !== "string" || !sameSecret(body.token, token)) {
      throttle.fail();
      return again(401, "Wrong token.");
    }
    deleteCookie(c, LOGIN_COOKIE, { path: "/login" });
    setSessionCookie(c, sessions.create());
    return c.redirect(next, 303);
  });
  app.post("/logout", (c) => {
    const session = c.get("auth").session;
    if (session) sessions.delete(session.id);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect(token === null ? "/" : "/login", 303);
  });

  // --- the store API for local commands (only with a store secret) --------------------------------
  if (storeSecret) registerStoreApi(app, db);

  // --- metrics ----------------------------------------------------------------------------------
  app.get("/metrics", async (c) =>
    c.body(await metrics.render(db, now()), 200, { "Content-Type": metrics.contentType }),
  );

  // --- errors -----------------------------------------------------------------------------------
  app.notFound((c) =>
    isApi(c)
      ? c.json({ error: "not found" }, 404)
      : c.html(errorPage(pageContext(c), "Not found", "No such page."), 404),
  );
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      if (err.status >= 500) return err.getResponse();
      const status = err.status as 400 | 413 | 415;
      return isApi(c)
        ? refuse(c, status, err.message)
        : c.html(errorPage(pageContext(c), "Bad request", err.message), status);
    }
    if (err instanceof BadRequest)
      return isApi(c)
        ? c.json({ error: err.message }, 400)
        : c.html(errorPage(pageContext(c), "Bad request", err.message), 400);
    log(
      `clawpatrol serve: ${c.req.method} ${escapeOneLine(capText(c.req.path, 200).text)}: ${escapeOneLine(capText(String(err?.message ?? err), 500).text)}`,
    );
    return isApi(c)
      ? c.json({ error: "internal error" }, 500)
      : c.html(
          errorPage(pageContext(c), "Internal error", "The dashboard could not answer; see its log."),
          500,
        );
  });

  return { app, sessions, metrics };
}

/** The app alone, for in-process use (tests, bench/store): `createApp(store).request("/api/overview")`. */
export function createApp(
  store: { db: StoreDb },
  options: Omit<AppOptions, "db" | "token"> & { token?: string | null } = {},
): Hono<SecurityEnv> {
  return createDashboard({ ...options, db: store.db, token: options.token ?? null }).app;
}
