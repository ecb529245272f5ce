// Bad input over real HTTP (the node server, not app.request: Hono's own body limit broke only
// there): every route answers no body, a wrong content type, malformed JSON and an oversized
// body (with Content-Length and chunked) with a 4xx, a JSON `{ error }` on the API, never a 500.

import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Listening, listen } from "../../src/server/listen.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { synthetic } from "../store/records.ts";

const TOKEN = "bad-input-token-0123456789abcdef";
const work = mkdtempSync(join(tmpdir(), "clawpatrol-bad-input-"));
let store: Store;
let open: Listening;
let locked: Listening;
const logged: string[] = [];

beforeAll(async () => {
  store = await openStore({ dataDir: join(work, "db") });
  await beginRun(store.db, { id: "r1", kind: "scan", startedAt: new Date().toISOString() });
  const w = new RunWriter(store.db, "r1");
  await w.add(synthetic(0, 0, () => false));
  await w.finish();
  open = await listen({ db: store.db, token: null, host: "127.0.0.1", port: 0, log: (l) => logged.push(l) });
  locked = await listen({
    db: store.db,
    token: TOKEN,
    host: "127.0.0.1",
    port: 0,
    log: (l) => logged.push(l),
  });
}, 120_000);
afterAll(async () => {
  await open?.close();
  await locked?.close();
  await store?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** One raw HTTP request (so a body can be chunked, or sent without any Content-Type). */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: { data: string; chunked?: boolean },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body: text }),
      );
    });
    req.on("error", reject);
    if (body?.chunked) {
      // Several writes, framed as chunks (Node would not frame a GET's body by itself).
      req.setHeader("transfer-encoding", "chunked");
      for (let i = 0; i < body.data.length; i += 4096) req.write(body.data.slice(i, i + 4096));
    } else if (body) {
      req.setHeader("content-length", Buffer.byteLength(body.data));
      req.write(body.data);
    }
    req.end();
  });
}

const ASSET = "/api/assets/10.0.0.0/18789";
const POSTS = [
  `${ASSET}/ack`,
  `${ASSET}/unack`,
  "/assets/10.0.0.0/18789/ack",
  "/assets/10.0.0.0/18789/unack",
  "/login",
  "/logout",
];
const big = JSON.stringify({ note: "x".repeat(40_000) });
const BAD: [string, Record<string, string>, { data: string; chunked?: boolean } | undefined][] = [
  ["no body, no content type", {}, undefined],
  ["no body, JSON content type", { "content-type": "application/json" }, undefined],
  ["wrong content type", { "content-type": "text/plain" }, { data: "hello" }],
  ["malformed JSON", { "content-type": "application/json" }, { data: '{"note": "unterminated' }],
  ["JSON that is no object", { "content-type": "application/json" }, { data: "[1,2]" }],
  ["broken multipart", { "content-type": "multipart/form-data; boundary=zz" }, { data: "garbage" }],
  ["multipart without boundary", { "content-type": "multipart/form-data" }, { data: "garbage" }],
  ["oversized", { "content-type": "application/json" }, { data: big }],
  ["oversized, chunked", { "content-type": "application/json" }, { data: big, chunked: true }],
];

describe("bad input to every route", () => {
  it("every POST route: a 4xx for each kind of bad input, JSON on the API, never a 500", async () => {
    for (const [server, auth] of [
      [() => open.url, {}],
      [() => locked.url, { authorization: `Bearer ${TOKEN}` }],
    ] as const) {
      for (const path of POSTS)
        for (const [what, headers, body] of BAD) {
          const r = await send(server(), "POST", path, { ...auth, ...headers }, body);
          const where = `${auth.authorization ? "token" : "no token"} POST ${path}: ${what}: ${r.status} ${r.body.slice(0, 200)}`;
          expect(r.status, where).toBeLessThan(500);
          if (path.startsWith("/api/")) {
            expect(r.type, where).toMatch(/^application\/json/);
            const parsed = JSON.parse(r.body) as { error?: unknown };
            // Acknowledging without a body (no note) is fine; everything else is refused.
            if (r.status >= 400) expect(typeof parsed.error, where).toBe("string");
          }
          expect(r.body, where).not.toMatch(/\n\s+at /);
        }
    }
    expect(logged, "no request failed inside the server").toEqual([]);
  }, 60_000);

  it("says which input was wrong", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const post = (headers: Record<string, string>, data?: string, path = `${ASSET}/ack`) =>
      send(locked.url, "POST", path, { ...auth, ...headers }, data === undefined ? undefined : { data });
    const json = { "content-type": "application/json" };
    expect(await post(json, "{bad")).toMatchObject({
      status: 400,
      body: '{"error":"the body is not valid JSON"}',
    });
    expect(await post(json, '"text"')).toMatchObject({
      status: 400,
      body: '{"error":"the body must be a JSON object"}',
    });
    expect(await post(json, '{"note":5}')).toMatchObject({
      status: 400,
      body: '{"error":"note: must be a string"}',
    });
    expect((await post({ "content-type": "text/plain" }, "x")).status).toBe(415);
    expect((await post(json, big)).status).toBe(413);
    // The asset exists: no body acknowledges it without a note; the note is kept when sent.
    expect(await post({})).toMatchObject({ status: 200, body: '{"acknowledged":true}' });
    expect(await post(json, '{"note":"seen"}')).toMatchObject({ status: 200 });
    const detail = await send(locked.url, "GET", ASSET, auth);
    expect(JSON.parse(detail.body).ack).toMatchObject({ note: "seen" });
    expect(await post({}, undefined, `${ASSET}/unack`)).toMatchObject({
      status: 200,
      body: '{"withdrawn":true}',
    });
    // Without a token, a client that is no browser must say it sends JSON (CSRF): a JSON 403.
    const noType = await send(open.url, "POST", `${ASSET}/ack`, {});
    expect(noType.status).toBe(403);
    expect(JSON.parse(noType.body).error).toMatch(/Content-Type: application\/json/);
    // A page form that cannot be parsed is a 400 page.
    const form = await send(
      locked.url,
      "POST",
      "/login",
      { "content-type": "multipart/form-data; boundary=zz" },
      { data: "junk" },
    );
    expect(form.status).toBe(400);
  });

  it("GET routes: bad query values and bad keys are JSON 4xx; a GET's body is ignored", async () => {
    for (const path of [
      "/api/series?days=abc",
      "/api/series?days=0",
      "/api/breakdowns?limit=-1",
      "/api/assets?network=not-a-net",
      "/api/assets?limit=99999999",
      "/api/assets/not-an-ip/1",
      "/api/assets/10.0.0.1/99999",
      "/api/nothing-here",
    ]) {
      const r = await send(open.url, "GET", path, {});
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.type, path).toMatch(/^application\/json/);
      expect(typeof JSON.parse(r.body).error, path).toBe("string");
    }
    // A GET's body is never read: small or oversized, chunked, the route answers as without one.
    for (const data of ["x".repeat(100), big]) {
      const r = await send(open.url, "GET", "/api/overview", {}, { data, chunked: true });
      expect(r.status, r.body).toBe(200);
      expect(JSON.parse(r.body)).toHaveProperty("live");
    }
  });
});
