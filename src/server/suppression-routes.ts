// Suppressions from the dashboard (findings/stored-suppressions.ts), behind the dashboard's own
// auth and CSRF rules (security.ts): with `serve --token`, only a logged-in session or the
// Bearer token may add or remove one; browsers must also send their session's CSRF token.
//   GET  /suppressions                      page: active, add form, trail
//   POST /suppressions                      (form) add           POST /suppressions/:id/remove (form)
//   GET  /api/suppressions                  { suppressions, audit }
//   POST /api/suppressions                  (JSON) add → 201     POST /api/suppressions/:id/remove (JSON { reason })
//   GET  /api/suppressions/export           the active entries as .clawpatrol-ignore.yml
// Who is recorded: the name the form or JSON gives (`by`), and how the request was authenticated.
import type { Context, Hono } from "hono";
import {
  addStoredSuppression,
  listStoredSuppressions,
  parseSuppressionInput,
  removeStoredSuppression,
  SUPPRESSION_LIMITS,
  SuppressionInputError,
  suppressionAudit,
  suppressionsYaml,
} from "../findings/stored-suppressions.ts";
import type { StoreDb } from "../store/rows.ts";
import type { PageContext } from "./pages/layout.ts";
import { type SuppressionsView, suppressionsPage } from "./pages/suppressions.ts";
import { BadRequest } from "./queries.ts";
import { readForm, type SecurityEnv } from "./security.ts";

export interface SuppressionRoutesOptions {
  db: StoreDb;
  now: () => Date;
  /** Whether serve runs with a token (then every writer proved it). */
  tokenConfigured: boolean;
  pageContext: (c: Context<SecurityEnv>) => PageContext;
  jsonObject: (c: Context) => Promise<Record<string, unknown>>;
}

const ID = /^[0-9a-f]{16}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL = new RegExp(CONTROL.source, "g");

/** The person the request names, checked like any other field. */
function byOf(v: unknown): string {
  if (v === undefined || v === null || v === "") return "";
  if (typeof v !== "string") throw new SuppressionInputError("by: must be text");
  const t = v.trim();
  if (t.length > 100) throw new SuppressionInputError("by: at most 100 characters");
  if (CONTROL.test(t)) throw new SuppressionInputError("by: control characters are not allowed");
  return t;
}

/** Who did it, as the trail records it: the name given, and how the request was let in. */
function actorOf(c: Context<SecurityEnv>, by: string, tokenConfigured: boolean): string {
  const auth = c.get("auth");
  const how = auth.bearer
    ? "API token"
    : tokenConfigured
      ? "dashboard login"
      : "loopback dashboard, no token";
  return `${by || "unnamed"} (${how})`;
}

const strings = (body: Record<string, unknown>) => {
  const out: Record<string, unknown> = {};
  for (const k of ["rule", "path", "sha256", "reason", "owner", "expires", "by"])
    if (body[k] !== undefined) out[k] = body[k];
  return out;
};

export function registerSuppressionRoutes(app: Hono<SecurityEnv>, o: SuppressionRoutesOptions): void {
  const view = async (
    draft: SuppressionsView["draft"] = {},
    error: string | null = null,
  ): Promise<SuppressionsView> => ({
    active: await listStoredSuppressions(o.db),
    audit: await suppressionAudit(o.db),
    draft,
    error,
  });
  const draftOf = (q: Record<string, unknown>): SuppressionsView["draft"] => {
    const d: SuppressionsView["draft"] = {};
    for (const k of ["rule", "path", "sha256", "reason", "owner", "expires", "by"] as const)
      if (typeof q[k] === "string") d[k] = (q[k] as string).slice(0, SUPPRESSION_LIMITS.reason);
    // An asset can hold control bytes (a hostile skill folder's name); an entry may not, so the
    // prefilled glob names each of them with `?` (any one character) and still matches it.
    if (d.path) d.path = d.path.replace(CONTROL_ALL, "?");
    return d;
  };

  app.get("/api/suppressions", async (c) => {
    const v = await view();
    return c.json({ suppressions: v.active, audit: v.audit });
  });
  app.get("/api/suppressions/export", async (c) =>
    c.body(suppressionsYaml(await listStoredSuppressions(o.db)), 200, {
      "Content-Type": "text/yaml; charset=utf-8",
      "Content-Disposition": 'attachment; filename=".clawpatrol-ignore.yml"',
    }),
  );
  app.get("/suppressions", async (c) =>
    c.html(suppressionsPage(o.pageContext(c), await view(draftOf(c.req.query())))),
  );

  app.post("/api/suppressions", async (c) => {
    const body = await o.jsonObject(c);
    try {
      const input = parseSuppressionInput(strings(body), o.now());
      const by = byOf(body.by);
      const s = await addStoredSuppression(o.db, input, actorOf(c, by, o.tokenConfigured), o.now());
      return c.json({ suppression: s }, 201);
    } catch (err) {
      if (err instanceof SuppressionInputError) throw new BadRequest(err.message);
      throw err;
    }
  });
  app.post("/api/suppressions/:id/remove", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return c.json({ error: "no such suppression" }, 404);
    const body = await o.jsonObject(c);
    const reason = removalReason(body.reason);
    const by = wrap(() => byOf(body.by));
    const ok = await removeStoredSuppression(o.db, id, actorOf(c, by, o.tokenConfigured), reason, o.now());
    return ok ? c.json({ removed: true }) : c.json({ error: "no such suppression" }, 404);
  });

  app.post("/suppressions", async (c) => {
    const form = await readForm(c);
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(form))
      if (typeof v === "string") body[k] = k === "owner" && v === "" ? undefined : v;
    try {
      const input = parseSuppressionInput(strings(body), o.now());
      const by = byOf(body.by);
      await addStoredSuppression(o.db, input, actorOf(c, by, o.tokenConfigured), o.now());
    } catch (err) {
      if (!(err instanceof SuppressionInputError)) throw err;
      return c.html(suppressionsPage(o.pageContext(c), await view(draftOf(body), err.message)), 400);
    }
    return c.redirect("/suppressions", 303);
  });
  app.post("/suppressions/:id/remove", async (c) => {
    const id = c.req.param("id");
    const form = await readForm(c);
    let reason: string;
    try {
      reason = removalReason(form.reason);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      return c.html(suppressionsPage(o.pageContext(c), await view({}, err.message)), 400);
    }
    const by = typeof form.by === "string" ? wrap(() => byOf(form.by)) : "";
    if (
      !ID.test(id) ||
      !(await removeStoredSuppression(o.db, id, actorOf(c, by, o.tokenConfigured), reason, o.now()))
    )
      return c.html(suppressionsPage(o.pageContext(c), await view({}, "no such suppression")), 404);
    return c.redirect("/suppressions", 303);
  });
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SuppressionInputError) throw new BadRequest(err.message);
    throw err;
  }
}

/** Why an entry is withdrawn: required, one line, bounded. */
function removalReason(v: unknown): string {
  if (typeof v !== "string" || v.trim().length < 3)
    throw new BadRequest("reason: say why it is removed (at least 3 characters)");
  const t = v.trim();
  if (t.length > SUPPRESSION_LIMITS.reason)
    throw new BadRequest(`reason: at most ${SUPPRESSION_LIMITS.reason} characters`);
  if (CONTROL.test(t)) throw new BadRequest("reason: control characters are not allowed");
  return t;
}
