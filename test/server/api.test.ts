// The dashboard in process (Hono's app.request, no browser): the JSON API and the pages against a
// store written the way scans write it, on PGlite and on PostgreSQL; the numbers are checked
// against the plan the store was built from (test/server/fixture.ts), not against SQL. Then the
// security defaults: headers, the loopback Host check, tokens, sessions, CSRF, escaping.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createDashboard } from "../../src/server/app.ts";
import { isLoopbackHost, safeNext, sameSecret } from "../../src/server/security.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { describeLive } from "../support/live.ts";
import { buildStore, fixtureNow, model, PREAUTH, PWN } from "./fixture.ts";
import { csrfOf, dropSchema, freshSchemaUrl, setCookies } from "./support.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-serve-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const NOW = fixtureNow();
const expected = model();
const HOST = "127.0.0.1:8417";
const ORIGIN = `http://${HOST}`;
const TOKEN = "test-token-0123456789abcdef";

type App = ReturnType<typeof createDashboard>["app"];

const get = (app: App, path: string, headers: Record<string, string> = {}) =>
  app.request(path, { headers: { host: HOST, ...headers } });
const getJson = async <T = any>(app: App, path: string, headers: Record<string, string> = {}) => {
  const res = await get(app, path, headers);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

/** Every asset row of a filter, following the pages. */
async function allRows(app: App, query: string, limit = 7): Promise<any[]> {
  const rows: any[] = [];
  let after = "";
  for (let i = 0; i < 100; i++) {
    const page = await getJson(
      app,
      `/api/assets?${query}&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ""}`,
    );
    rows.push(...page.rows);
    if (!page.next) return rows;
    after = page.next;
  }
  throw new Error("pagination did not end");
}

function dataSuite(open: () => Promise<Store>, close: (s: Store) => Promise<void>) {
  let store: Store;
  let app: App;
  beforeAll(async () => {
    store = await open();
    await buildStore(store.db, NOW);
    app = createDashboard({ db: store.db, token: null, now: () => new Date(NOW) }).app;
  }, 120_000);
  afterAll(async () => {
    if (store) await close(store);
  });

  it("overview: live, unauthenticated, vulnerable and ever-seen kept apart, and the week's changes", async () => {
    const o = await getJson(app, "/api/overview");
    expect(o).toMatchObject({
      day: new Date(NOW).toISOString().slice(0, 10),
      live: expected.live,
      unauthenticated: expected.unauthenticated,
      vulnerable: expected.vulnerable,
      everSeen: expected.everSeen,
      week: expected.week,
      runs: { total: 11, complete: 11 },
    });
    expect(o.everSeen).toBeGreaterThan(o.live);
    expect(o.week.closed).toBeGreaterThan(0);
    expect(o.week.reopened).toBeGreaterThan(0);
    expect(o.shareUnauthenticated).toBeCloseTo(expected.unauthenticated / expected.live, 10);
    expect(o.shareVulnerable).toBeCloseTo(expected.vulnerable / expected.live, 10);
  });

  it("series: one row per scanned day; live goes down when gateways close, ever-seen never does", async () => {
    const s = await getJson(app, "/api/series?days=90");
    expect(s.days).toHaveLength(10);
    expect(s.live).toEqual(expected.liveByDay);
    expect(s.everSeen).toEqual(expected.everByDay);
    expect(Math.min(...s.live.slice(1).map((v: number, i: number) => v - s.live[i]))).toBeLessThan(0);
    expect(s.everSeen.every((v: number, i: number) => i === 0 || v >= s.everSeen[i - 1])).toBe(true);
    const short = await getJson(app, "/api/series?days=3");
    expect(short.days).toEqual(s.days.slice(-3));
    expect((await get(app, "/api/series?days=0")).status).toBe(400);
    expect((await get(app, "/api/series?days=abc")).status).toBe(400);
  });

  it("breakdowns by version, advisory and network count live gateways only", async () => {
    const b = await getJson(app, "/api/breakdowns?limit=500");
    const versions = new Map<string, number>(
      b.versions.map((v: any) => [`${v.product} ${v.version}`, v.live]),
    );
    expect(versions).toEqual(expected.versions);
    expect(b.preauthAdvisories).toEqual([
      {
        advisory: PREAUTH.id,
        aliases: PREAUTH.aliases,
        live: expected.vulnerable,
        unauthenticated: expect.any(Number),
      },
    ]);
    // One row per advisory: its CVE alias is named on the row, never a row of its own.
    const any = new Map(b.advisories.map((a: any) => [a.advisory, a.live]));
    expect(any.get(PREAUTH.id)).toBe(expected.vulnerable);
    expect(any.has(PREAUTH.aliases[0])).toBe(false);
    for (const v of b.versions) expect(v.preAuth > 0).toBe(v.vulnerable > 0);
    const nets = new Map(b.networks.map((n: any) => [n.network, n.live]));
    expect(nets.get("10.66.0.0/24")).toBe(3);
    expect(nets.get("10.0.0.0/24")).toBe(expected.live - 3);
    const vulnerableByNet = new Map(b.networks.map((n: any) => [n.network, n.vulnerable]));
    expect(vulnerableByNet.get("10.0.0.0/24")).toBe(expected.vulnerable);
    expect(vulnerableByNet.get("10.66.0.0/24")).toBe(0);
    const vulnerableByVersion = b.versions.reduce((n: number, v: any) => n + v.vulnerable, 0);
    expect(vulnerableByVersion).toBe(expected.vulnerable);
    expect((await getJson(app, "/api/breakdowns?limit=2")).versions).toHaveLength(2);
  });

  it("asset table: filters, search and keyset pages", async () => {
    const total = async (q: string) => (await getJson(app, `/api/assets?${q}`)).total;
    expect(await total("")).toBe(expected.live);
    expect(await total("auth=not-required")).toBe(expected.unauthenticated);
    expect(await total("vulnerable=1")).toBe(expected.vulnerable);
    expect(await total(`advisory=${PREAUTH.aliases[0]}`)).toBe(expected.vulnerable);
    expect(await total("state=all")).toBe(expected.everSeen);
    expect(await total("state=closed")).toBe(expected.everSeen - expected.live);
    expect(await total("product=none")).toBeGreaterThan(0);
    expect(await total("network=10.66.0.0/24")).toBe(3);
    expect(await total("q=10.66")).toBe(3);
    expect(await total("q=.evil.test")).toBe(1); // the host name of 10.66.0.1 only
    expect(await total("q=%25")).toBe(0); // a LIKE wildcard is searched for literally
    expect(await total("product=openclaw&version=2026.9.6")).toBe(expected.versions.get("openclaw 2026.9.6"));
    const rows = await allRows(app, "state=all");
    expect(rows).toHaveLength(expected.everSeen);
    const keys = rows.map((r) => `${r.ip}|${r.port}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const bad of [
      "state=gone",
      "auth=maybe",
      "network=10.0.0.0/99",
      "network=evil",
      "limit=0",
      "after=x",
    ]) {
      const res = await get(app, `/api/assets?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as any).error).toMatch(/^\w+: /);
    }
  });

  it("asset page data: history of a gateway that closed and re-opened, sightings, the newest evidence", async () => {
    // Planned endpoint 5: 10.0.0.0:18794, seen from day -9, gone on days -6..-3, back on day -2.
    const d = await getJson(app, "/api/assets/10.0.0.0/18794");
    expect(d.asset).toMatchObject({ ip: "10.0.0.0", port: 18794, state: "open", reopenCount: 1 });
    expect(d.events.map((e: any) => e.kind)).toEqual(["reopened", "closed", "new"]);
    expect(d.sightings).toHaveLength(6);
    expect(d.latest).toMatchObject({ ip: "10.0.0.0", port: 18794, schema: "clawpatrol.scan/v1" });
    expect(d.latest.findings.length).toBeGreaterThan(0);
    // The advisory once, with its alias beside it, and the numbers of the one definition.
    expect(d.asset.advisories).toEqual([
      {
        id: PREAUTH.id,
        aliases: PREAUTH.aliases,
        severity: PREAUTH.severity,
        certainty: "affected",
        preAuth: true,
        usableHere: true,
      },
    ]);
    expect(d.asset.advisoryCounts).toEqual({ affecting: 1, possiblyAffecting: 0, preAuth: 1, usableHere: 1 });
    // Planned endpoint 3 closed three days ago.
    expect((await getJson(app, "/api/assets/10.0.0.0/18792")).asset.state).toBe("closed");
    expect((await get(app, "/api/assets/10.9.9.9/1")).status).toBe(404);
    expect((await get(app, "/api/assets/not-an-ip/1")).status).toBe(400);
    expect((await get(app, "/api/assets/10.0.0.0/99999")).status).toBe(400);
    const page = await (await get(app, "/assets/10.0.0.0/18794")).text();
    expect(page).toContain('<span class="kind kind-reopened">reopened</span>');
    expect(page).toContain(PREAUTH.id);
  });

  it("acknowledging an asset, and withdrawing it", async () => {
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: "POST",
        headers: { host: HOST, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post("/api/assets/10.0.0.0/18794/ack", { note: "owner told, SEC-1" })).status).toBe(200);
    expect((await getJson(app, "/api/assets/10.0.0.0/18794")).ack).toMatchObject({
      note: "owner told, SEC-1",
    });
    const acked = await getJson(app, "/api/assets?ack=yes");
    expect(acked.rows.map((r: any) => `${r.ip}:${r.port}`)).toEqual(["10.0.0.0:18794"]);
    expect((await getJson(app, "/api/assets?ack=no")).total).toBe(expected.live - 1);
    expect(await (await post("/api/assets/10.0.0.0/18794/unack", {})).json()).toEqual({ withdrawn: true });
    expect((await getJson(app, "/api/assets?ack=yes")).total).toBe(0);
    expect((await post("/api/assets/10.9.9.9/1/ack", {})).status).toBe(404);
  });

  it("hostile values are text on every page: escaped, control bytes visible, capped", async () => {
    for (const path of [
      "/",
      "/assets?q=10.66",
      "/assets/10.66.0.1/18789",
      "/assets/10.66.0.2/18789",
      "/breakdowns",
    ]) {
      const res = await get(app, path);
      expect(res.status, path).toBe(200);
      const page = await res.text();
      for (const raw of ["<script>window", "<img src=x", "<svg onload", 'href="javascript:', 'href="data:'])
        expect(page, `${path}: ${raw}`).not.toContain(raw);
      expect(page, path).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/);
      expect(page.length, path).toBeLessThan(60_000);
      // Only our two static scripts, nothing inline.
      expect(page.match(/<script\b[^>]*>/g), path).toEqual([
        '<script src="/static/uPlot.iife.min.js" defer>',
        '<script src="/static/app.js" defer>',
      ]);
      // No inline style or event handler in any tag (escaped text has no raw "<", so these are real tags).
      const tags = page.match(/<[a-z][^>]*>/gi) ?? [];
      expect(
        tags.filter((t) => /\sstyle=|^<style|\son[a-z]+=/i.test(t)),
        path,
      ).toEqual([]);
    }
    const one = await (await get(app, "/assets/10.66.0.1/18789")).text();
    expect(one).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(one).toContain("&lt;img src=x onerror=window.__pwned=2&gt;");
    expect(one).toContain("&quot;&gt;&lt;svg onload=window.__pwned=3&gt;");
    expect(one).toContain("\\x1b]0;owned-title\\x07"); // the harness's escape sequence, made visible
    expect(one).toContain("\\u202egnp.exe");
    expect(one).toContain("javascript:window.__pwned=4"); // as text, not as a link
    expect(one).toContain('<a href="https://docs.example.test/auth" rel="noreferrer noopener"');
    expect(one).toMatch(/BIG-STARTA+…\[truncated \d+ chars\]/);
    const two = await (await get(app, "/assets/10.66.0.2/18789")).text();
    expect(two).toMatch(/BIG-STARTA+…\[truncated \d+ chars\]/);
    expect(two).not.toContain("BIG-END");
  });

  it("/metrics: the overview gauges, versions, runs and request counters in the exposition format", async () => {
    await get(app, "/api/overview");
    const res = await get(app, "/metrics");
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const line = (re: RegExp) => text.split("\n").find((l) => re.test(l));
    expect(line(/^clawpatrol_gateways_live /)).toBe(`clawpatrol_gateways_live ${expected.live}`);
    expect(line(/^clawpatrol_gateways_unauthenticated /)).toBe(
      `clawpatrol_gateways_unauthenticated ${expected.unauthenticated}`,
    );
    expect(line(/^clawpatrol_gateways_vulnerable /)).toBe(
      `clawpatrol_gateways_vulnerable ${expected.vulnerable}`,
    );
    expect(line(/^clawpatrol_gateways_ever_seen /)).toBe(
      `clawpatrol_gateways_ever_seen ${expected.everSeen}`,
    );
    expect(line(/^clawpatrol_gateway_events_7d\{kind="closed"\}/)).toBe(
      `clawpatrol_gateway_events_7d{kind="closed"} ${expected.week.closed}`,
    );
    expect(line(/^clawpatrol_gateways_live_by_version\{product="openclaw",version="2026\.9\.6"\}/)).toBe(
      `clawpatrol_gateways_live_by_version{product="openclaw",version="2026.9.6"} ${expected.versions.get("openclaw 2026.9.6")}`,
    );
    expect(line(/^clawpatrol_runs\{kind="scan",status="complete"\}/)).toBe(
      'clawpatrol_runs{kind="scan",status="complete"} 11',
    );
    expect(Number(line(/^clawpatrol_last_scan_timestamp_seconds /)!.split(" ")[1])).toBeGreaterThan(
      NOW / 1000 - 3600,
    );
    expect(
      line(/^clawpatrol_http_requests_total\{method="GET",route="\/api\/overview",status="200"\}/),
    ).toBeTruthy();
    // A hostile version is one escaped, control-free label value.
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('version="\\\\x1b]0;owned-title');
  });
}

describe("dashboard on PGlite", () => {
  dataSuite(
    () => openStore({ dataDir: join(work, "pglite") }),
    (s) => s.close(),
  );
});

const pgUrl = process.env.DATABASE_URL ?? null;
const SCHEMA = `serve_test_${process.pid}`;
describeLive("dashboard on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  dataSuite(
    async () => openStore({ url: await freshSchemaUrl(pgUrl!, SCHEMA) }),
    async (s) => {
      await s.close();
      await dropSchema(pgUrl!, SCHEMA);
    },
  );
});

// --- security -------------------------------------------------------------------------------------

describe("dashboard security", () => {
  let store: Store;
  let open: App;
  let secured: App;
  beforeAll(async () => {
    store = await openStore({ dataDir: join(work, "pglite-security") });
    await buildStore(store.db, NOW);
    open = createDashboard({ db: store.db, token: null, now: () => new Date(NOW) }).app;
    secured = createDashboard({ db: store.db, token: TOKEN, now: () => new Date(NOW) }).app;
  }, 120_000);
  afterAll(async () => store?.close());

  const CSP =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  it("every response carries the strict headers", async () => {
    const cases: [App, string, number][] = [
      [open, "/", 200],
      [open, "/api/overview", 200],
      [open, "/static/app.js", 200],
      [open, "/nope", 404],
      [open, "/api/nope", 404],
      [secured, "/api/overview", 401],
      [secured, "/", 303],
      [secured, "/login", 200],
    ];
    for (const [app, path, status] of cases) {
      const res = await get(app, path);
      expect(res.status, path).toBe(status);
      const csp = (res.headers.get("content-security-policy") ?? "").split(/;\s*/).sort();
      expect(csp, path).toEqual(CSP.split("; ").sort());
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      if (!path.startsWith("/static/")) expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("serves uPlot, the client script and the stylesheet with their content types", async () => {
    const types: Record<string, RegExp> = {
      "/static/app.js": /^text\/javascript/,
      "/static/uPlot.iife.min.js": /^text\/javascript/,
      "/static/style.css": /^text\/css/,
      "/static/uPlot.min.css": /^text\/css/,
      "/static/favicon.svg": /^image\/svg\+xml/,
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await get(open, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(type);
      expect((await res.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
    expect((await get(open, "/static/../app.ts")).status).toBe(404);
    expect((await get(open, "/static/secret.txt")).status).toBe(404);
  });

  it("without a token it answers only to a loopback Host (no DNS rebinding)", async () => {
    for (const host of ["127.0.0.1:8417", "localhost:8417", "[::1]:8417", "127.0.0.1"])
      expect((await get(open, "/api/overview", { host })).status, host).toBe(200);
    for (const host of ["evil.test:8417", "10.0.0.1:8417", "127.0.0.1.evil.test", ""])
      expect((await get(open, "/api/overview", { host })).status, host).toBe(403);
  });

  it("without a token a browser gets a session cookie (HttpOnly, SameSite=Strict) that carries the CSRF token", async () => {
    const res = await get(open, "/assets/10.0.0.0/18794");
    const cookie = setCookies(res).get("cp_session")!;
    expect(cookie.attributes).toMatch(/HttpOnly/);
    expect(cookie.attributes).toMatch(/SameSite=Strict/);
    expect(cookie.attributes).toMatch(/Path=\//);
    const csrf = csrfOf(await res.text());
    const post = (headers: Record<string, string>, body: string) =>
      open.request("/assets/10.0.0.0/18794/ack", {
        method: "POST",
        headers: {
          host: HOST,
          cookie: `cp_session=${cookie.value}`,
          "content-type": "application/x-www-form-urlencoded",
          ...headers,
        },
        body,
      });
    const same = { origin: ORIGIN, "sec-fetch-site": "same-origin" };
    expect((await post(same, "note=x")).status).toBe(403); // no CSRF token
    expect((await post(same, "note=x&_csrf=wrong")).status).toBe(403);
    expect((await post({ origin: "http://evil.test" }, `note=x&_csrf=${csrf}`)).status).toBe(403);
    expect((await post({ "sec-fetch-site": "cross-site" }, `note=x&_csrf=${csrf}`)).status).toBe(403);
    expect((await post({ "sec-fetch-site": "same-site" }, `note=x&_csrf=${csrf}`)).status).toBe(403);
    expect(((await getJson(open, "/api/assets/10.0.0.0/18794")) as any).ack).toBeNull();
    // Under Referrer-Policy no-referrer a browser's form POST says Origin: null: only Sec-Fetch-Site can vouch.
    expect((await post({ origin: "null" }, `note=x&_csrf=${csrf}`)).status).toBe(403);
    const ok = await post(
      { origin: "null", "sec-fetch-site": "same-origin" },
      `note=${encodeURIComponent(`seen ${PWN.script}`)}&_csrf=${csrf}`,
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/assets/10.0.0.0/18794");
    expect(((await getJson(open, "/api/assets/10.0.0.0/18794")) as any).ack.note).toBe(`seen ${PWN.script}`);
    const page = await (
      await get(open, "/assets/10.0.0.0/18794", { cookie: `cp_session=${cookie.value}` })
    ).text();
    expect(page).toContain("seen &lt;script&gt;");
    // A browser-made JSON POST (it carries the cookie) needs the token too.
    const json = await open.request("/api/assets/10.0.0.0/18794/unack", {
      method: "POST",
      headers: {
        host: HOST,
        cookie: `cp_session=${cookie.value}`,
        "content-type": "application/json",
        ...same,
      },
      body: "{}",
    });
    expect(json.status).toBe(403);
    const withHeader = await open.request("/api/assets/10.0.0.0/18794/unack", {
      method: "POST",
      headers: {
        host: HOST,
        cookie: `cp_session=${cookie.value}`,
        "content-type": "application/json",
        "x-csrf-token": csrf,
        ...same,
      },
      body: "{}",
    });
    expect(await withHeader.json()).toEqual({ withdrawn: true });
    // A non-browser POST must be JSON (a form post from anywhere would carry Origin anyway).
    const form = await open.request("/api/assets/10.0.0.0/18794/ack", {
      method: "POST",
      headers: { host: HOST, "content-type": "application/x-www-form-urlencoded" },
      body: "note=x",
    });
    expect(form.status).toBe(403);
  });

  it("with a token: the API and /metrics need the Bearer token, pages send browsers to the login form", async () => {
    const api = await get(secured, "/api/overview");
    expect(api.status).toBe(401);
    expect(api.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(
      (await get(secured, "/api/overview", { authorization: "Bearer wrong-token-0123456789" })).status,
    ).toBe(401);
    expect((await get(secured, "/api/overview", { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await get(secured, "/api/overview", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(secured, "/metrics")).status).toBe(401);
    expect((await get(secured, "/metrics", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const page = await get(secured, "/assets?q=10.66");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/assets?q=10.66")}`);
    expect((await get(secured, "/static/style.css")).status).toBe(200);
    // Any host is fine once a token guards the door (a non-loopback bind).
    expect(
      (await get(secured, "/api/overview", { host: "dash.example.test", authorization: `Bearer ${TOKEN}` }))
        .status,
    ).toBe(200);
    // A Bearer client may POST without a CSRF token, but not from another origin.
    const ack = (headers: Record<string, string>) =>
      secured.request("/api/assets/10.0.0.0/18794/ack", {
        method: "POST",
        headers: { host: HOST, "content-type": "application/json", ...headers },
        body: JSON.stringify({ note: "bearer" }),
      });
    expect((await ack({})).status).toBe(401);
    expect((await ack({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await ack({ authorization: `Bearer ${TOKEN}`, origin: "http://evil.test" })).status).toBe(403);
  });

  it("with a token: the login form sets a session; the session can post with its CSRF token and log out", async () => {
    const form = await get(secured, "/login?next=%2Fassets%3Fq%3D10.66");
    expect(form.status).toBe(200);
    const nonce = setCookies(form).get("cp_login")!;
    expect(nonce.attributes).toMatch(/HttpOnly/);
    expect(nonce.attributes).toMatch(/SameSite=Strict/);
    const html = await form.text();
    expect(csrfOf(html)).toBe(nonce.value);
    expect(html).toContain('name="next" value="/assets?q=10.66"');
    const login = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      secured.request("/login", {
        method: "POST",
        headers: {
          host: HOST,
          cookie: `cp_login=${nonce.value}`,
          "content-type": "application/x-www-form-urlencoded",
          origin: ORIGIN,
          "sec-fetch-site": "same-origin",
          ...headers,
        },
        body: new URLSearchParams(body).toString(),
      });
    expect((await login({ _csrf: nonce.value, token: "wrong-token-0123456789" })).status).toBe(401);
    expect((await login({ _csrf: "other", token: TOKEN })).status).toBe(403);
    expect((await login({ _csrf: nonce.value, token: TOKEN }, { origin: "http://evil.test" })).status).toBe(
      403,
    );
    const ok = await login({ _csrf: nonce.value, token: TOKEN, next: "/assets?q=10.66" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/assets?q=10.66");
    const session = setCookies(ok).get("cp_session")!;
    expect(session.attributes).toMatch(/HttpOnly/);
    expect(session.attributes).toMatch(/SameSite=Strict/);
    const cookie = { cookie: `cp_session=${session.value}` };
    const page = await get(secured, "/assets/10.0.0.0/18794", cookie);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('action="/logout"');
    const csrf = csrfOf(text);
    // The API answers the session's browser too (the chart fetches /api/series).
    expect((await get(secured, "/api/series", cookie)).status).toBe(200);
    const post = (path: string, body: string) =>
      secured.request(path, {
        method: "POST",
        headers: {
          host: HOST,
          ...cookie,
          "content-type": "application/x-www-form-urlencoded",
          origin: ORIGIN,
          "sec-fetch-site": "same-origin",
        },
        body,
      });
    expect((await post("/assets/10.0.0.0/18794/unack", "_csrf=nope")).status).toBe(403);
    expect((await post("/assets/10.0.0.0/18794/unack", `_csrf=${csrf}`)).status).toBe(303);
    expect((await post("/logout", "_csrf=nope")).status).toBe(403);
    const out = await post("/logout", `_csrf=${csrf}`);
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/login");
    expect((await get(secured, "/", cookie)).status).toBe(303); // the session is gone
    // next= never leaves this server.
    const fresh = await get(secured, "/login");
    const n2 = setCookies(fresh).get("cp_login")!.value;
    const away = await secured.request("/login", {
      method: "POST",
      headers: {
        host: HOST,
        cookie: `cp_login=${n2}`,
        "content-type": "application/x-www-form-urlencoded",
        origin: ORIGIN,
      },
      body: new URLSearchParams({ _csrf: n2, token: TOKEN, next: "//evil.test/x" }).toString(),
    });
    expect(away.headers.get("location")).toBe("/");
  });

  it("failed logins are throttled", async () => {
    const app = createDashboard({ db: store.db, token: TOKEN }).app;
    const form = await get(app, "/login");
    const nonce = setCookies(form).get("cp_login")!.value;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await app.request("/login", {
        method: "POST",
        headers: {
          host: HOST,
          cookie: `cp_login=${nonce}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ _csrf: nonce, token: `wrong-${i}-0123456789abcdef` }).toString(),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("in process (bench/store, other tools): createApp(store).request() without a Host header", async () => {
    const app = createApp(store);
    const res = await app.request("/api/overview");
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).live).toBeGreaterThan(0);
  });

  it("bad input is a clear 400, oversized bodies 413, never a stack trace", async () => {
    const page = await get(open, "/assets?network=not-a-net");
    expect(page.status).toBe(400);
    const text = await page.text();
    expect(text).toContain("network: not an address or CIDR");
    expect(text).not.toMatch(/\n\s+at /);
    expect((await get(open, "/assets/zzz/1")).status).toBe(404);
    const big = await open.request("/api/assets/10.0.0.0/18794/ack", {
      method: "POST",
      headers: { host: HOST, "content-type": "application/json" },
      body: JSON.stringify({ note: "x".repeat(20_000) }),
    });
    expect(big.status).toBe(413);
  });

  it("helpers: constant-time token comparison, loopback hosts, login redirects", () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(sameSecret("", TOKEN)).toBe(false);
    for (const h of ["127.0.0.1", "127.9.9.9", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.test", "127.0.0.1.nip.io", "localhost.evil.test"])
      expect(isLoopbackHost(h), h).toBe(false);
    expect(safeNext("/assets?q=1")).toBe("/assets?q=1");
    for (const bad of [
      "//evil.test",
      "/\\evil.test",
      "https://evil.test",
      "javascript:alert(1)",
      "/x\r\nSet-Cookie: a=b",
    ])
      expect(safeNext(bad), bad).toBe("/");
  });
});
