// Suppressions managed from the dashboard, through the real app on a real PGlite store holding a
// real audit (an OpenClaw config bound to the LAN without auth): who may add and remove them
// (serve's token, the session's CSRF token, same origin), what is refused (no token, bad CSRF,
// bad expiry, oversized or control-byte values), the append-only trail, the export in the
// ignore-file format, and that an entry added here holds the finding back everywhere the store
// is read: /api/findings and the compliance check (policy check --from-store); the gates'
// --store-suppressions is test/policy/store-suppressions.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.ts";
import { loadStoredSuppressions } from "../../src/findings/stored-suppressions.ts";
import { parseSuppressions } from "../../src/findings/suppress.ts";
import { evaluatePolicy } from "../../src/policy/evaluate.ts";
import { parsePolicy } from "../../src/policy/load.ts";
import { subjectsOfDb } from "../../src/policy/store-subjects.ts";
import { createDashboard } from "../../src/server/app.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { beginRun, completeRun, writeFindings } from "../../src/store/write.ts";
import { csrfOf, setCookies } from "./support.ts";

const HOST = "127.0.0.1:8417";
const ORIGIN = `http://${HOST}`;
const TOKEN = "suppressions-test-token-0123456789";
const NOW = new Date("2026-12-07T12:00:00Z");
const work = mkdtempSync(join(tmpdir(), "cp-suppressions-"));

let store: Store;
let app: ReturnType<typeof createDashboard>["app"];
let finding: { ruleId: string; asset: string; pin: string };

const bearer = { authorization: `Bearer ${TOKEN}` };
const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    headers: { host: HOST, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const entry = (over: Record<string, unknown> = {}) => ({
  rule: finding.ruleId,
  path: finding.asset,
  sha256: finding.pin,
  reason: "lab gateway, closed down next sprint",
  owner: "j.doe@example.com",
  expires: "2027-01-31",
  by: "J. Doe",
  ...over,
});

beforeAll(async () => {
  store = await openStore({ dataDir: join(work, "db") });
  mkdirSync(join(work, "state"), { mode: 0o700 });
  writeFileSync(join(work, "openclaw.json"), `{ gateway: { bind: "lan", auth: { mode: "none" } } }\n`, {
    mode: 0o600,
  });
  const report = await runAudit({
    stateDir: join(work, "state"),
    configPath: join(work, "openclaw.json"),
    home: join(work, "h"),
    env: {},
    noProcesses: true,
    noLive: true,
    globalRoots: [],
    logDirs: [],
    assume: { product: "openclaw", version: "2026.3.13" },
  });
  await beginRun(store.db, { id: "audit-1", kind: "audit", source: "audit", startedAt: NOW.toISOString() });
  await writeFindings(
    store.db,
    "audit-1",
    report.findings.map((f) => ({ finding: f, seen: NOW.toISOString() })),
  );
  await completeRun(store.db, "audit-1", NOW.toISOString());
  app = createDashboard({ db: store.db, token: TOKEN, now: () => NOW, log: () => {} }).app;
  const listed = (await (
    await app.request("/api/findings", { headers: { host: HOST, ...bearer } })
  ).json()) as {
    ruleId: string;
    asset: string;
    pin: string;
    suppressedBy: unknown;
  }[];
  const open = listed.find((f) => f.ruleId === "CP-AUDIT-001");
  expect(open, JSON.stringify(listed.map((f) => f.ruleId))).toBeDefined();
  expect(open!.suppressedBy).toBeNull();
  finding = open!;
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("suppressions from the dashboard: refusals", () => {
  it("without the token nothing is added (401), nor with a wrong one", async () => {
    expect((await postJson("/api/suppressions", entry())).status).toBe(401);
    expect(
      (await postJson("/api/suppressions", entry(), { authorization: "Bearer wrong-token-0123456789" }))
        .status,
    ).toBe(401);
    const page = await app.request("/suppressions", { headers: { host: HOST } });
    expect(page.status).toBe(303);
    expect(await loadStoredSuppressions(store.db)).toEqual([]);
  });

  it("a browser session without its CSRF token, or from another origin, is refused (403)", async () => {
    const form = await app.request("/login", { headers: { host: HOST } });
    const nonce = setCookies(form).get("cp_login")!.value;
    const login = await app.request("/login", {
      method: "POST",
      headers: {
        host: HOST,
        cookie: `cp_login=${nonce}`,
        "content-type": "application/x-www-form-urlencoded",
        origin: ORIGIN,
        "sec-fetch-site": "same-origin",
      },
      body: new URLSearchParams({ _csrf: nonce, token: TOKEN }).toString(),
    });
    const cookie = `cp_session=${setCookies(login).get("cp_session")!.value}`;
    const page = await app.request("/suppressions", { headers: { host: HOST, cookie } });
    expect(page.status).toBe(200);
    const csrf = csrfOf(await page.text());
    const add = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      app.request("/suppressions", {
        method: "POST",
        headers: {
          host: HOST,
          cookie,
          "content-type": "application/x-www-form-urlencoded",
          origin: ORIGIN,
          "sec-fetch-site": "same-origin",
          ...headers,
        },
        body: new URLSearchParams(fields).toString(),
      });
    const fields = Object.fromEntries(Object.entries(entry()).map(([k, v]) => [k, String(v)]));
    expect((await add(fields)).status).toBe(403);
    expect((await add({ ...fields, _csrf: "not-the-token" })).status).toBe(403);
    expect((await add({ ...fields, _csrf: csrf }, { origin: "http://evil.test" })).status).toBe(403);
    expect((await add({ ...fields, _csrf: csrf }, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await loadStoredSuppressions(store.db)).toEqual([]);
    // the same form with its token goes through, and the trail names the login
    const ok = await add({ ...fields, _csrf: csrf });
    expect(ok.status).toBe(303);
    const listed = (await (
      await app.request("/api/suppressions", { headers: { host: HOST, cookie } })
    ).json()) as {
      suppressions: { id: string; createdBy: string }[];
    };
    expect(listed.suppressions).toHaveLength(1);
    expect(listed.suppressions[0]!.createdBy).toBe("J. Doe (dashboard login)");
    // withdraw it again so the next tests start empty
    const rm = await app.request(`/suppressions/${listed.suppressions[0]!.id}/remove`, {
      method: "POST",
      headers: {
        host: HOST,
        cookie,
        "content-type": "application/x-www-form-urlencoded",
        origin: ORIGIN,
        "sec-fetch-site": "same-origin",
      },
      body: new URLSearchParams({ _csrf: csrf, reason: "added by the CSRF test" }).toString(),
    });
    expect(rm.status).toBe(303);
    expect(await loadStoredSuppressions(store.db)).toEqual([]);
  });

  it.each([
    [{ expires: "2026-13-01" }, "expires: a date YYYY-MM-DD"],
    [{ expires: "31/01/2027" }, "expires: a date YYYY-MM-DD"],
    [{ expires: "2026-12-06" }, "expires: the date has passed"],
    [{ expires: "2030-01-01" }, "expires: at most 731 days ahead"],
    [{ expires: undefined }, "expires: required (YYYY-MM-DD)"],
    [{ reason: "x".repeat(1001) }, "reason: at most 1000 characters"],
    [{ reason: "ok" }, "reason: say why (at least 3 characters)"],
    [{ reason: "fine\u001b]0;owned\u0007" }, "reason: control characters are not allowed"],
    [{ reason: "bidi \u202eevil" }, "reason: control characters are not allowed"],
    [{ path: "a\nb" }, "path: control characters are not allowed"],
    [{ owner: "x".repeat(201) }, "owner: at most 200 characters"],
    [{ rule: "<script>" }, "rule: a rule id such as CP-SKILL-EXEC-001"],
    [{ sha256: "abc" }, "sha256: the finding's pin (64 hex characters)"],
    [{ by: "x\u0000y" }, "by: control characters are not allowed"],
  ])("refuses %j: 400 with one line", async (over, message) => {
    const res = await postJson("/api/suppressions", entry(over), bearer);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: message });
    expect(await loadStoredSuppressions(store.db)).toEqual([]);
  });

  it("an oversized body is refused before it is read (413); a non-JSON body is 400/415", async () => {
    const huge = await postJson("/api/suppressions", entry({ reason: "x".repeat(20_000) }), bearer);
    expect(huge.status).toBe(413);
    expect((await postJson("/api/suppressions", "{not json", bearer)).status).toBe(400);
    const plain = await app.request("/api/suppressions", {
      method: "POST",
      headers: { host: HOST, "content-type": "text/plain", ...bearer },
      body: JSON.stringify(entry()),
    });
    expect(plain.status).toBe(415);
    expect(await loadStoredSuppressions(store.db)).toEqual([]);
  });

  it("removing needs a reason and an existing entry", async () => {
    expect(
      (await postJson("/api/suppressions/0123456789abcdef/remove", { reason: "gone now" }, bearer)).status,
    ).toBe(404);
    expect((await postJson("/api/suppressions/../../x/remove", { reason: "gone now" }, bearer)).status).toBe(
      404,
    );
    expect((await postJson("/api/suppressions/0123456789abcdef/remove", {}, bearer)).status).toBe(400);
  });
});

describe("suppressions from the dashboard: honoured like the ignore file", () => {
  let id = "";
  const HOSTILE = `<img src=x onerror=alert(1)> accepted "risk" & more`;

  it("adding one records who, when and why; HTML in a value is kept as text and escaped on the page", async () => {
    const res = await postJson("/api/suppressions", entry({ reason: HOSTILE }), bearer);
    expect(res.status).toBe(201);
    const { suppression } = (await res.json()) as {
      suppression: { id: string; createdBy: string; createdAt: string };
    };
    id = suppression.id;
    expect(suppression.createdBy).toBe("J. Doe (API token)");
    expect(suppression.createdAt).toBe(NOW.toISOString());
    const page = await (await app.request("/suppressions", { headers: { host: HOST, ...bearer } })).text();
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt; accepted &quot;risk&quot; &amp; more");
  });

  it("the finding is shown as suppressed on /api/findings and leaves the compliance check", async () => {
    const listed = (await (
      await app.request("/api/findings", { headers: { host: HOST, ...bearer } })
    ).json()) as {
      ruleId: string;
      suppressedBy: { reason: string; file: string } | null;
    }[];
    const f = listed.find((x) => x.ruleId === "CP-AUDIT-001")!;
    expect(f.suppressedBy?.reason).toBe(HOSTILE);
    expect(f.suppressedBy?.file).toBe(`store suppression ${id} (added by J. Doe (API token))`);
    const policy = parsePolicy("version: 1\norganisation: Example\ngateway:\n  requireAuth: true\n", "p.yml");
    const subjects = await subjectsOfDb(store.db, NOW);
    const rules = subjects.flatMap((s) => s.findings.map((o) => o.finding.ruleId));
    expect(rules).not.toContain("CP-AUDIT-001");
    const check = evaluatePolicy(policy, subjects, { policyFile: "p.yml", inputs: ["store"], now: NOW });
    const auth = check.clauses.find((c) => c.clause === "gateway.requireAuth")!;
    expect(auth.subjects.flatMap((s) => s.evidence).join("\n")).not.toContain("CP-AUDIT-001");
  });

  it("the export is the ignore-file format: parseSuppressions reads back the same entry", async () => {
    const res = await app.request("/api/suppressions/export", { headers: { host: HOST, ...bearer } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/yaml/);
    const parsed = parseSuppressions(await res.text(), ".clawpatrol-ignore.yml");
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({
      rule: finding.ruleId,
      path: finding.asset,
      sha256: finding.pin,
      reason: HOSTILE,
      owner: "j.doe@example.com",
      expires: "2027-01-31",
    });
  });

  it("removing it records who and why; the trail keeps both rows, newest first; the finding counts again", async () => {
    const res = await postJson(
      `/api/suppressions/${id}/remove`,
      { reason: "risk no longer accepted", by: "A. Lead" },
      bearer,
    );
    expect(res.status).toBe(200);
    const again = await postJson(`/api/suppressions/${id}/remove`, { reason: "twice" }, bearer);
    expect(again.status).toBe(404);
    const { suppressions, audit } = (await (
      await app.request("/api/suppressions", { headers: { host: HOST, ...bearer } })
    ).json()) as {
      suppressions: unknown[];
      audit: { action: string; actor: string; reason: string; suppressionId: string }[];
    };
    expect(suppressions).toEqual([]);
    const mine = audit.filter((a) => a.suppressionId === id);
    expect(mine.map((a) => [a.action, a.actor, a.reason])).toEqual([
      ["remove", "A. Lead (API token)", "risk no longer accepted"],
      ["add", "J. Doe (API token)", HOSTILE],
    ]);
    const subjects = await subjectsOfDb(store.db, NOW);
    expect(subjects.flatMap((s) => s.findings.map((o) => o.finding.ruleId))).toContain("CP-AUDIT-001");
  });
});
