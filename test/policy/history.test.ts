// Compliance over time: real audits of an OpenClaw config kept in a PGlite store on three days
// (open without auth, still open, then given a token) and judged each day; the evaluations kept
// give the per clause, per network and per host trend that /compliance draws (inline SVG, no
// third-party assets) and /api/compliance/history returns. Then the real CLI: `policy check
// --from-store` keeps one more evaluation, `--no-record` does not.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.ts";
import { evaluatePolicy } from "../../src/policy/evaluate.ts";
import { complianceTrend, networkOf, recordCheck } from "../../src/policy/history.ts";
import { parsePolicy } from "../../src/policy/load.ts";
import { subjectsOfDb } from "../../src/policy/store-subjects.ts";
import { createDashboard } from "../../src/server/app.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { sql } from "../../src/store/drizzle.ts";
import { beginRun, completeRun, writeFindings } from "../../src/store/write.ts";
import { runClawpatrol } from "../support/cli.ts";

const work = mkdtempSync(join(tmpdir(), "cp-compliance-history-"));
const home = join(work, "home");
const DAY = 86_400_000;
const T0 = Date.parse("2026-12-01T09:00:00Z");
const POLICY = "version: 1\norganisation: Example Org\ngateway:\n  requireAuth: true\n";
const policy = parsePolicy(POLICY, "policy.yml");
const HOSTILE_HOST = `<svg onload=alert(1)>`;

let store: Store;
let assetHost = "";

async function auditDay(day: number, config: string): Promise<void> {
  const dir = join(work, `day${day}`);
  mkdirSync(join(dir, "state"), { recursive: true, mode: 0o700 });
  writeFileSync(join(work, "openclaw.json"), config, { mode: 0o600 });
  const report = await runAudit({
    stateDir: join(dir, "state"),
    configPath: join(work, "openclaw.json"),
    home: join(dir, "h"),
    env: {},
    noProcesses: true,
    noLive: true,
    globalRoots: [],
    logDirs: [],
    assume: { product: "openclaw", version: "2026.3.13" },
  });
  const at = new Date(T0 + day * DAY).toISOString();
  const id = `audit-day${day}`;
  await beginRun(store.db, { id, kind: "audit", source: "audit", startedAt: at });
  // a fleet host whose name is markup: the same findings as its report names them (host:path)
  const hostile = report.findings.map((f) => ({ ...f, asset: `${HOSTILE_HOST}:${f.asset}` }));
  await writeFindings(
    store.db,
    id,
    [...report.findings, ...hostile].map((finding) => ({ finding, seen: at })),
  );
  await completeRun(store.db, id, at);
  const now = new Date(T0 + day * DAY + 3_600_000);
  await recordCheck(
    store.db,
    evaluatePolicy(policy, await subjectsOfDb(store.db, now), {
      policyFile: "policy.yml",
      inputs: ["store"],
      now,
    }),
  );
}

beforeAll(async () => {
  store = await openStore({ dataDir: join(home, "db") });
  const open = `{ gateway: { bind: "lan", auth: { mode: "none" } } }\n`;
  const fixed = `{ gateway: { bind: "lan", auth: { mode: "token", token: "${"k".repeat(48)}" }, controlUi: { allowedOrigins: ["https://cp.example"] } } }\n`;
  await auditDay(0, open);
  await auditDay(1, open);
  await auditDay(2, fixed);
  const [row] = rowsOf<{ asset: string }>(
    await store.db.execute(
      sql`SELECT asset FROM findings WHERE rule_id = 'CP-AUDIT-001' AND asset NOT LIKE '<svg%' LIMIT 1`,
    ),
  );
  // a local audit names the config alone; that path is its host in the trend
  assetHost = row!.asset;
}, 180_000);

afterAll(async () => {
  await store?.close().catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

describe("compliance over time", () => {
  it("networks: an address counts in its /24 or /64; names by kind", () => {
    expect(networkOf("10.1.2.3", "gateway")).toBe("10.1.2.0/24");
    expect(networkOf("2001:db8:1:2:3:4:5:6", "gateway")).toBe("2001:db8:1:2::/64");
    expect(networkOf("gw.nonexistent.invalid", "gateway")).toBe("named gateways");
    expect(networkOf("laptop-7", "install")).toBe("audited hosts");
    expect(networkOf("", "skill")).toBe("skills");
  });

  it("each kept evaluation is one column: requireAuth broken, broken, then kept, per host and per network", async () => {
    const t = await complianceTrend(store.db);
    expect(t.checks.map((c) => c.checkedAt)).toEqual(
      [0, 1, 2].map((d) => new Date(T0 + d * DAY + 3_600_000).toISOString()),
    );
    const host = t.hosts.find((h) => h.clause === "gateway.requireAuth" && h.host === assetHost);
    expect(host, JSON.stringify(t.hosts.map((h) => [h.clause, h.host]))).toBeDefined();
    expect(host!.statuses).toEqual(["fail", "fail", "pass"]);
    expect(host!.network).toBe("audited hosts");
    const fleetHost = t.hosts.find((h) => h.clause === "gateway.requireAuth" && h.host === HOSTILE_HOST);
    expect(fleetHost!.statuses).toEqual(["fail", "fail", "pass"]);
    const net = t.networks.find((n) => n.clause === "gateway.requireAuth" && n.network === "audited hosts");
    expect(net!.statuses).toEqual(["fail", "fail", "pass"]);
    expect(t.checks[0]!.summary.fail).toBeGreaterThan(0);
  });

  it("/compliance draws it as inline SVG with the hostile host name as text; /api/compliance/history returns it", async () => {
    const app = createDashboard({
      db: store.db,
      token: null,
      now: () => new Date(T0 + 3 * DAY),
      log: () => {},
      policy: { policy, file: "policy.yml" },
    }).app;
    const res = await app.request("/compliance", { headers: { host: "127.0.0.1:8417" } });
    expect(res.status).toBe(200);
    const page = await res.text();
    const row = new RegExp(
      `<tr data-clause="gateway.requireAuth" data-host="${assetHost.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" data-statuses="fail,fail,pass">.*?</tr>`,
    ).exec(page);
    expect(row, "the host's trend row").not.toBeNull();
    expect(row![0]).toMatch(
      /<svg class="spark"[^>]*>(<rect [^>]*fill="#c62828"><title>[^<]+: broken<\/title><\/rect>){2}<rect [^>]*fill="#2e7d32">/,
    );
    expect(page).toContain('data-network="audited hosts" data-statuses="fail,fail,pass"');
    expect(page).not.toContain("<svg onload");
    expect(page).toContain("&lt;svg onload=alert(1)&gt;");
    expect(page).not.toMatch(/<script(?! src="\/static\/)/);
    const api = (await (
      await app.request("/api/compliance/history", { headers: { host: "127.0.0.1:8417" } })
    ).json()) as {
      checks: unknown[];
      hosts: { clause: string; host: string; statuses: string[] }[];
    };
    expect(api.checks).toHaveLength(3);
    expect(
      api.hosts.find((h) => h.clause === "gateway.requireAuth" && h.host === HOSTILE_HOST)?.statuses,
    ).toEqual(["fail", "fail", "pass"]);
  });

  it("the CLI: policy check --from-store keeps its evaluation, --no-record does not", async () => {
    await store.close();
    writeFileSync(join(work, "policy.yml"), POLICY);
    const env = { CLAWPATROL_HOME: home, DATABASE_URL: "" };
    const kept = await runClawpatrol(
      ["policy", "check", "--policy", "policy.yml", "--from-store", "--json"],
      {
        cwd: work,
        env,
      },
    );
    // exit 1: gateway.bind (loopback by default) is still broken by bind "lan"
    expect(kept.code, kept.stderr).toBe(1);
    const skipped = await runClawpatrol(
      ["policy", "check", "--policy", "policy.yml", "--from-store", "--no-record", "--json"],
      { cwd: work, env },
    );
    expect(skipped.code, skipped.stderr).toBe(1);
    store = await openStore({ dataDir: join(home, "db") });
    const t = await complianceTrend(store.db);
    expect(t.checks).toHaveLength(4);
    expect(t.checks[3]!.checkedAt).toBe(JSON.parse(kept.stdout).checkedAt);
    expect(t.hosts.find((h) => h.clause === "gateway.requireAuth" && h.host === assetHost)!.statuses).toEqual(
      ["fail", "fail", "pass", "pass"],
    );
  }, 120_000);
});
