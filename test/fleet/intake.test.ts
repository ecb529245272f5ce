// The fleet intake of `serve` (src/server/fleet-intake.ts) with a real audit report of a config
// written here: a host's report is stored once, under its own host; every refusal (no token,
// unknown or revoked token, another host's token, oversized, malformed, not a report, replayed
// or stale) is a clear JSON error and stores nothing. On PGlite, and on PostgreSQL when
// DATABASE_URL is set.
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.ts";
import type { AuditReport } from "../../src/audit/types.ts";
import { createDashboard } from "../../src/server/app.ts";
import { FLEET_REPORTS_PATH, MAX_REPORT_BYTES, REPLAY_WINDOW_MS } from "../../src/server/fleet-intake.ts";
import { createToken, listHosts, revokeToken } from "../../src/server/fleet-store.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { sql } from "../../src/store/drizzle.ts";
import { dropSchema, freshSchemaUrl } from "../server/support.ts";
import { describeLive } from "../support/live.ts";

const work = mkdtempSync(join(tmpdir(), "cp-fleet-intake-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const NOW = new Date("2026-12-07T12:00:00Z");

async function auditOf(config: string): Promise<AuditReport> {
  const root = mkdtempSync(join(work, "host-"));
  mkdirSync(join(root, "state"), { mode: 0o700 });
  writeFileSync(join(root, "openclaw.json"), config, { mode: 0o600 });
  return runAudit({
    stateDir: join(root, "state"),
    configPath: join(root, "openclaw.json"),
    home: join(root, "h"),
    env: {},
    noProcesses: true,
    noLive: true,
    globalRoots: [],
    logDirs: [],
    assume: { product: "openclaw", version: "2026.9.6" },
  });
}

function suite(open: () => Promise<Store>, close: (s: Store) => Promise<void>) {
  let store: Store;
  let post: (body: unknown, token?: string | null, headers?: Record<string, string>) => Promise<Response>;
  let tokens: Record<string, string>;
  let report: AuditReport;
  const envelope = (over: Record<string, unknown> = {}) => ({
    schema: "clawpatrol.fleet-report/1",
    host: "laptop-1",
    reportId: randomUUID(),
    sentAt: NOW.toISOString(),
    kind: "audit",
    report,
    ...over,
  });
  const count = async (table: string) =>
    Number(
      rowsOf<{ n: number }>(await store.db.execute(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n,
    );

  beforeAll(async () => {
    store = await open();
    // the dashboard itself needs a token here: the intake must not take it, nor need it
    const { app } = createDashboard({
      db: store.db,
      token: "dashboard-secret-0123456789",
      now: () => NOW,
      log: () => {},
    });
    tokens = {
      "laptop-1": await createToken(store.db, "laptop-1", NOW),
      "laptop-2": await createToken(store.db, "laptop-2", NOW),
      gone: await createToken(store.db, "gone", NOW),
    };
    await revokeToken(store.db, "gone", NOW);
    report = await auditOf(`{ gateway: { bind: "lan", auth: { mode: "none" } } }\n`);
    post = async (body, token = tokens["laptop-1"]!, headers = {}) =>
      app.request(FLEET_REPORTS_PATH, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...headers,
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
  }, 60_000);
  afterAll(async () => close(store));

  it("stores a host's audit once, its findings under the host's name, and knows when it reported", async () => {
    const e = envelope();
    const res = await post(e);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { runId: string; findings: number };
    expect(body.findings).toBe(report.findings.length);
    expect(body.findings).toBeGreaterThan(0);
    const assets = rowsOf<{ asset: string; rule_id: string }>(
      await store.db.execute(sql`SELECT asset, rule_id FROM findings WHERE last_run_id = ${body.runId}`),
    );
    expect(assets.length).toBe(report.findings.length);
    expect(assets.every((a) => a.asset.startsWith("laptop-1:"))).toBe(true);
    expect(assets.map((a) => a.rule_id)).toContain("CP-AUDIT-001");
    // the same report again (a retry): answered, nothing stored twice
    const again = await post(e);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ stored: false, duplicate: true, runId: body.runId });
    expect(await count("fleet_reports")).toBe(1);
    expect(rowsOf(await store.db.execute(sql`SELECT id FROM runs WHERE id = ${body.runId}`)).length).toBe(1);
    const hosts = await listHosts(store.db);
    expect(hosts.find((h) => h.host === "laptop-1")).toMatchObject({
      reports: 1,
      lastReportAt: NOW.toISOString(),
    });
    expect(hosts.find((h) => h.host === "laptop-2")).toMatchObject({ reports: 0, lastReportAt: null });
  });

  it("refuses every bad report with a clear error and stores nothing", async () => {
    const before = {
      reports: await count("fleet_reports"),
      runs: await count("runs"),
      findings: await count("findings"),
    };
    const reused = envelope();
    expect((await post(reused)).status).toBe(201);
    before.reports++;
    before.runs++;
    const cases: [string, Promise<Response>, number, RegExp][] = [
      ["no token", post(envelope(), null), 401, /host token is required/],
      ["unknown token", post(envelope(), "cpf_not-a-token"), 401, /unknown or revoked/],
      ["revoked token", post(envelope({ host: "gone" }), tokens.gone), 401, /unknown or revoked/],
      ["the dashboard's token", post(envelope(), "dashboard-secret-0123456789"), 401, /unknown or revoked/],
      ["another host's token", post(envelope(), tokens["laptop-2"]), 403, /belongs to another host/],
      ["not JSON", post("{not json"), 400, /not valid JSON/],
      ["not a form", post(envelope(), undefined, { "content-type": "text/plain" }), 415, /application\/json/],
      ["no report", post(envelope({ report: undefined })), 400, /^report: /],
      ["unknown field", post({ ...envelope(), extra: 1 }), 400, /Unrecognized key/],
      ["bad host", post(envelope({ host: "<script>" })), 400, /^host: /],
      [
        "a scan record as an audit",
        post(envelope({ report: { schema: "clawpatrol.scan/v1", host: "x", port: 1, findings: [] } })),
        400,
        /report/,
      ],
      [
        "an audit called skills",
        post(envelope({ kind: "skills" })),
        400,
        /is a audit report, not skills|not skills/,
      ],
      [
        "a finding without evidence",
        post(envelope({ report: { ...report, findings: [{ ruleId: "CP-AUDIT-001" }] } })),
        400,
        /findings\[0\] is not a finding/,
      ],
      [
        "stale (replayed)",
        post(envelope({ sentAt: new Date(NOW.getTime() - REPLAY_WINDOW_MS - 1000).toISOString() })),
        409,
        /replay/,
      ],
      [
        "from the future",
        post(envelope({ sentAt: new Date(NOW.getTime() + REPLAY_WINDOW_MS + 1000).toISOString() })),
        409,
        /replay/,
      ],
      [
        "id reused for other content",
        post({ ...reused, report: { ...report, notes: ["changed"] } }),
        409,
        /already used for other content/,
      ],
      ["oversized", post("x".repeat(MAX_REPORT_BYTES + 1)), 413, /larger than/],
    ];
    for (const [name, res, status, error] of cases) {
      const r = await res;
      expect(r.status, name).toBe(status);
      const j = (await r.json()) as { error: string };
      expect(j.error, name).toMatch(error);
      expect(j.error, name).not.toMatch(/\n|\bat .*\.ts:\d+/);
    }
    expect({
      reports: await count("fleet_reports"),
      runs: await count("runs"),
      findings: await count("findings"),
    }).toEqual(before);
  });

  it("an oversized body without Content-Length is cut off at the cap, not read whole", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(1024 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (sent > MAX_REPORT_BYTES * 4) return ctl.close();
        sent += chunk.length;
        ctl.enqueue(chunk);
      },
    });
    const { app } = createDashboard({ db: store.db, token: null, now: () => NOW, log: () => {} });
    const res = await app.request(FLEET_REPORTS_PATH, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens["laptop-1"]}` },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(MAX_REPORT_BYTES * 2);
  });
}

describe("fleet intake on PGlite", () => {
  suite(
    () => openStore({ dataDir: join(work, "pglite") }),
    (s) => s.close(),
  );
});

const pgUrl = process.env.DATABASE_URL || null;
const SCHEMA = `fleet_test_${process.pid}`;
describeLive("fleet intake on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  suite(
    async () => openStore({ url: await freshSchemaUrl(pgUrl!, SCHEMA) }),
    async (s) => {
      await s.close();
      await dropSchema(pgUrl!, SCHEMA);
    },
  );
});
