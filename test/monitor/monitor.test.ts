// Monitor runs end to end against replay gateways on 127.42.x.y (recorded real OpenClaw
// transcripts) with real receivers on 127.0.0.1, on PGlite and (live) PostgreSQL. Between runs
// one gateway disappears, one changes version and auth (another transcript), and one returns;
// each run's asset events and alerts are checked, then dedupe, flapping, retries of a failed
// sink, and an interrupted run whose events the next run alerts.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MonitorConfig, parseMonitorConfig } from "../../src/monitor/config.ts";
import { type RunReport, runProfile } from "../../src/monitor/runner.ts";
import { MonitorScheduler } from "../../src/monitor/scheduler.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { describeLive } from "../support/live.ts";
import { handleReplayConnection } from "../support/replay-server.ts";
import { Fleet, readNdjson, SyslogListener, transcript, WebhookReceiver } from "./support.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-monitor-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SECRET = "monitor-test-secret";

function suite(subnet: string, open: () => Promise<Store>) {
  const A = `${subnet}.1`;
  const B = `${subnet}.2`;
  const C = `${subnet}.3`;
  const E = `${subnet}.5`;
  let fleet: Fleet;
  let hook: WebhookReceiver;
  let siem: SyslogListener;
  let config: MonitorConfig;
  const file = join(work, `${subnet}-alerts.ndjson`);
  const addr = (ip: string) => `${ip}:${fleet.port}`;

  const configText = (window = "24h") => `
dedupeWindow: ${window}
sinks:
  hook: { type: webhook, url: "${hook.url}", secret: ${SECRET}, retries: 1, backoff: 10ms }
  siem: { type: syslog, transport: udp, host: 127.0.0.1, port: ${siem.port} }
  file: { type: ndjson, path: "${file}" }
profiles:
  - name: lab
    schedule: "*/5 * * * *"
    targets: [${subnet}.1-${subnet}.5]
    ports: ${fleet.port}
    timeout: 3s
    alerts:
      - { sink: file }
      - { sink: hook }
      - { sink: siem, minSeverity: high, kinds: [new, reopened, changed, flapping] }
`;

  const run = (signal?: AbortSignal) =>
    runProfile(config, config.profiles[0]!, { open, ...(signal ? { signal } : {}) });
  const byAddr = <T extends { address: string }>(list: T[]) =>
    Object.fromEntries(list.map((x) => [x.address, x])) as Record<string, T>;
  const ok = (r: RunReport) => {
    expect(r.error, JSON.stringify(r)).toBeNull();
    expect(r.status).toBe("complete");
  };

  beforeAll(async () => {
    fleet = await Fleet.start({
      [A]: "oc96-loopback-token",
      [B]: "oc527-lan-token",
      [C]: "oc96-loopback-noauth",
    });
    hook = await new WebhookReceiver(SECRET).start();
    siem = await new SyslogListener("udp").start();
    config = parseMonitorConfig(configText(), join(work, "monitor.yml"));
  });
  afterAll(async () => {
    await fleet?.close();
    await hook?.close();
    await siem?.close();
  });

  it("run 1: every gateway is new; a webhook that is down is retried later, the other sinks get their alerts", async () => {
    hook.script = Array(10).fill(503);
    const r = await run();
    ok(r);
    hook.script = [];
    expect(r.endpoints).toBe(5);
    expect(r.gateways).toBe(3);
    expect(r.eventCounts).toEqual({ new: 3, closed: 0, reopened: 0, changed: 0 });
    const ev = byAddr(r.events);
    expect(ev[addr(A)]).toMatchObject({
      kind: "new",
      product: "openclaw",
      version: "2026.9.6",
      auth: "required",
    });
    expect(ev[addr(B)]).toMatchObject({
      kind: "new",
      product: "openclaw",
      version: "2026.5.27",
      auth: "required",
    });
    expect(ev[addr(C)]).toMatchObject({
      kind: "new",
      product: "openclaw",
      version: "2026.9.6",
      auth: "not-required",
    });
    const al = byAddr(r.alerts);
    expect(al[addr(A)]).toMatchObject({
      kind: "new",
      severity: "medium",
      title: "New gateway exposed with auth required",
    });
    expect(al[addr(C)]).toMatchObject({
      kind: "new",
      severity: "critical",
      title: "New gateway exposed without auth",
    });
    // The file took all three, syslog only the critical one; the webhook failed all three.
    expect(al[addr(C)]!.sinks).toEqual({ file: "sent", hook: "failed", siem: "sent" });
    expect(al[addr(A)]!.sinks).toEqual({ file: "sent", hook: "failed" });
    expect(al[addr(A)]!.errors?.hook).toMatch(/HTTP 503|not tried/);
    expect(r.deliveries).toMatchObject({ sent: 4, failed: 3, suppressed: 0, retried: 0 });
    const lines = readNdjson(file);
    expect(readFileSync(file, "utf8").startsWith('{"schema":"clawpatrol.alert/v1","id":"')).toBe(true);
    expect(lines.map((l) => `${l.kind} ${l.asset.address} ${l.severity}`).sort()).toEqual(
      [`new ${addr(A)} medium`, `new ${addr(B)} medium`, `new ${addr(C)} critical`].sort(),
    );
    const c = lines.find((l) => l.asset.address === addr(C))!;
    expect(c.why).toMatch(/answers without auth/);
    expect(c.remediation.join(" ")).toMatch(/gateway\.auth\.mode "token"/);
    const syslog = await siem.waitFor(1);
    expect(syslog.length).toBe(1);
    expect(syslog[0]!.cef).toMatchObject({ signatureId: "CP-MONITOR-NEW", severity: 10 });
    expect(syslog[0]!.cef.ext).toMatchObject({ dst: C, dpt: String(fleet.port), cs3: "not-required" });
    expect(hook.hits.length).toBe(0);
    expect(hook.requests.length).toBe(2); // one alert, tried twice; the rest not tried this round
  });

  it("run 2: one gateway disappears, one changes version and auth; the failed webhook deliveries go out now", async () => {
    await fleet.down(A);
    await fleet.up(B, "oc415-loopback-noauth");
    const r = await run();
    ok(r);
    expect(r.eventCounts).toEqual({ new: 0, closed: 1, reopened: 0, changed: 1 });
    const ev = byAddr(r.events);
    expect(ev[addr(A)]).toMatchObject({ kind: "closed" });
    expect(ev[addr(B)]).toMatchObject({ kind: "changed", version: "2026.4.15", auth: "not-required" });
    expect(ev[addr(B)]!.changes).toMatchObject({
      auth: ["required", "not-required"],
      version: ["2026.5.27", "2026.4.15"],
      preauthAdvisories: { added: expect.any(Array), removed: [] },
    });
    const al = byAddr(r.alerts);
    expect(al[addr(A)]).toMatchObject({ kind: "closed", severity: "info", title: "Gateway closed" });
    expect(al[addr(A)]!.sinks).toEqual({ file: "sent", hook: "sent" });
    expect(al[addr(B)]).toMatchObject({ kind: "changed", severity: "critical" });
    expect(al[addr(B)]!.title).toMatch(
      /^Gateway changed: auth turned off; pre-auth advisories .* now apply; downgraded 2026\.5\.27 → 2026\.4\.15$/,
    );
    expect(al[addr(B)]!.sinks).toEqual({ file: "sent", hook: "sent", siem: "sent" });
    // Run 1's three webhook alerts were retried and delivered, each signed and verified.
    expect(r.deliveries).toMatchObject({ retried: 3, failed: 0, suppressed: 0 });
    expect(hook.hits.length).toBe(5);
    expect(hook.requests.every((h) => h.verified)).toBe(true);
    expect(hook.hits.map((h) => h.json.kind).sort()).toEqual(["changed", "closed", "new", "new", "new"]);
    const changed = hook.hits.find((h) => h.json.kind === "changed")!.json;
    expect(changed.asset).toMatchObject({ address: addr(B), version: "2026.4.15", auth: "not-required" });
    expect(changed.upgradeTo).toMatch(/^2026\./);
    expect(changed.advisories.length).toBeGreaterThan(0);
    expect(changed.remediation.join(" ")).toMatch(/Upgrade to 2026\./);
  });

  it("run 3: the gateway that disappeared returns: re-opened, alerted as flapping (closed and back within the window)", async () => {
    await fleet.up(A, "oc96-loopback-token");
    const r = await run();
    ok(r);
    expect(r.events.map((e) => `${e.kind} ${e.address}`)).toEqual([`reopened ${addr(A)}`]);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({
      kind: "flapping",
      key: `${addr(A)}|flapping`,
      severity: "medium",
      sinks: { file: "sent", hook: "sent" },
    });
    expect(r.alerts[0]!.title).toMatch(/^Gateway flapping: 2 open\/closed flips since .*, now open$/);
  });

  it("run 4: nothing changed: no events, nothing sent again", async () => {
    const before = readNdjson(file).length;
    const r = await run();
    ok(r);
    expect(r.events).toEqual([]);
    expect(r.alerts).toEqual([]);
    expect(r.deliveries).toMatchObject({ sent: 0, failed: 0, retried: 0 });
    expect(readNdjson(file).length).toBe(before);
  });

  it("runs 5-7: a host that keeps flipping pages no more: every flip is an event, none is sent again", async () => {
    const before = readNdjson(file).length;
    const hitsBefore = hook.hits.length;
    for (const step of ["down", "up", "down"] as const) {
      if (step === "down") await fleet.down(A);
      else await fleet.up(A, "oc96-loopback-token");
      const r = await run();
      ok(r);
      expect(r.events.map((e) => e.kind)).toEqual([step === "down" ? "closed" : "reopened"]);
      expect(r.alerts).toHaveLength(1);
      expect(r.alerts[0]).toMatchObject({
        kind: "flapping",
        sinks: { file: "suppressed", hook: "suppressed" },
      });
      expect(r.deliveries).toMatchObject({ sent: 0, suppressed: 2 });
    }
    expect(readNdjson(file).length).toBe(before);
    expect(hook.hits.length).toBe(hitsBefore);
    // One alert per change and sink in the whole history: the log has no duplicates to send.
    const s = await open();
    try {
      const rows = rowsOf<{ key: string; sink: string; n: number }>(
        await s.db.execute(
          sql`SELECT key, sink, count(*)::int AS n FROM alert_log GROUP BY key, sink HAVING count(*) > 1`,
        ),
      );
      expect(rows).toEqual([]);
      const statuses = rowsOf<{ status: string; n: number }>(
        await s.db.execute(sql`SELECT status, count(*)::int AS n FROM alert_log GROUP BY status`),
      );
      expect(statuses).toEqual([{ status: "sent", n: expect.any(Number) }]);
      const runs = rowsOf<{ profile: string; status: string; has_scope: boolean }>(
        await s.db.execute(
          sql`SELECT profile, status, scope IS NOT NULL AS has_scope FROM runs WHERE source = 'monitor'`,
        ),
      );
      expect(runs.length).toBe(7);
      expect(runs.every((x) => x.profile === "lab" && x.status === "complete" && x.has_scope)).toBe(true);
      const pendingAlerting = rowsOf(
        await s.db.execute(sql`SELECT 1 FROM monitor_runs WHERE alerted_at IS NULL`),
      );
      expect(pendingAlerting).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("once the window has passed, the same change is alerted again, and a lone flip is no longer flapping", async () => {
    config = parseMonitorConfig(configText("1s"), join(work, "monitor.yml"));
    await new Promise((r) => setTimeout(r, 1200));
    await fleet.up(A, "oc96-loopback-token");
    const r = await run();
    ok(r);
    expect(r.alerts.map((a) => `${a.kind} ${a.address} ${a.sinks.file}`)).toEqual([
      `reopened ${addr(A)} sent`,
    ]);
    expect(readNdjson(file).at(-1)).toMatchObject({
      kind: "reopened",
      title: "Gateway exposed again with auth required",
    });
    config = parseMonitorConfig(configText(), join(work, "monitor.yml"));
  });

  it("an interrupted run is left incomplete, and the next run alerts its events", async () => {
    // A gateway whose first connection stops the run (as Ctrl-C would): the endpoints in flight finish.
    const abort = new AbortController();
    const counters = new Map<string, number>();
    const t = transcript("cb124-loopback-noauth");
    const server = net.createServer((socket) => {
      abort.abort();
      handleReplayConnection(t, socket, counters);
    });
    await new Promise<void>((r) => server.listen(fleet.port, E, r));
    try {
      const r1 = await run(abort.signal);
      expect(r1.status).toBe("interrupted");
      expect(r1.alerts).toEqual([]);
      const s = await open();
      try {
        const [row] = rowsOf<{ status: string }>(
          await s.db.execute(sql`SELECT status FROM runs WHERE id = ${r1.runId}`),
        );
        expect(row?.status).toBe("incomplete");
      } finally {
        await s.close();
      }
      const r2 = await run();
      ok(r2);
      expect(r2.caughtUp).toEqual([r1.runId]);
      const e = r2.alerts.find((a) => a.address === addr(E));
      expect(e).toMatchObject({
        kind: "new",
        severity: "critical",
        runId: r1.runId,
        sinks: { file: "sent", hook: "sent", siem: "sent" },
      });
      expect(r2.events.filter((x) => x.address === addr(E))).toEqual([]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
}

describe("monitor on PGlite", () => {
  suite("127.42.1", () => openStore({ dataDir: join(work, "pglite") }));

  it("a run that cannot open the store is reported, and the next tick runs again", async () => {
    const fleet = await Fleet.start({ "127.42.3.1": "oc96-loopback-token" });
    try {
      const config = parseMonitorConfig(
        `profiles: [{ name: tick, schedule: "* * * * * *", targets: [127.42.3.1], ports: ${fleet.port} }]`,
        join(work, "tick.yml"),
      );
      // Create the store first (a fresh PGlite takes seconds), so each tick's run fits in its second.
      await (await openStore({ dataDir: join(work, "pglite-tick") })).close();
      let opens = 0;
      const reports: RunReport[] = [];
      const lines: string[] = [];
      const scheduler = new MonitorScheduler({
        config,
        profiles: config.profiles,
        serial: true,
        log: (l) => lines.push(l),
        onReport: (r) => reports.push(r),
        open: () => {
          opens++;
          if (opens === 1) return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
          return openStore({ dataDir: join(work, "pglite-tick") });
        },
      });
      scheduler.start();
      const until = Date.now() + 10_000;
      while (reports.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await scheduler.stop();
      expect(reports[0]).toMatchObject({ status: "failed", runId: null });
      expect(reports[0]!.error).toMatch(/^cannot open the store: .*ECONNREFUSED/);
      expect(reports[1]).toMatchObject({ status: "complete", eventCounts: { new: 1 } });
      // A tick that comes while the last run is still going is skipped, never run alongside it.
      const runLines = lines.filter((l) => !/skipped a tick: the previous run is still going$/.test(l));
      expect(runLines[0]).toMatch(
        /^monitor tick: failed: cannot open the store: .*; retrying at the next tick \(/,
      );
      expect(runLines[1]).toMatch(
        /^monitor tick: run scan-\S+ complete in [\d.]+s; 1 endpoints, 1 gateways; events 1 new/,
      );
    } finally {
      await fleet.close();
    }
  });
});

describe("scheduling", () => {
  it("never runs two runs of one profile at once: a tick during a run is skipped and logged", async () => {
    const config = parseMonitorConfig(
      `profiles: [{ name: slow, schedule: "* * * * * *", targets: [127.42.3.9], ports: 9 }]`,
      join(work, "slow.yml"),
    );
    let inFlight = 0;
    let maxInFlight = 0;
    const lines: string[] = [];
    const reports: RunReport[] = [];
    const scheduler = new MonitorScheduler({
      config,
      profiles: config.profiles,
      serial: false,
      log: (l) => lines.push(l),
      onReport: (r) => reports.push(r),
      // A store that takes 2.5 s to open, then turns out to be down: each run lasts over two ticks.
      open: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 2500));
        inFlight--;
        throw new Error("store down");
      },
    });
    scheduler.start();
    const until = Date.now() + 10_000;
    while (reports.length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await scheduler.stop();
    expect(maxInFlight).toBe(1);
    expect(
      lines.filter((l) => l === "monitor slow: skipped a tick: the previous run is still going").length,
    ).toBeGreaterThanOrEqual(1);
    expect(reports[0]).toMatchObject({ status: "failed", error: "cannot open the store: store down" });
  });
});

const pgUrl = process.env.DATABASE_URL ?? null;
describeLive("monitor on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  // A schema of our own keeps this suite apart from the other store suites on the same database.
  const schema = `clawpatrol_monitor_test_${process.pid}`;
  const url = () => {
    const u = new URL(pgUrl!);
    u.searchParams.set("options", `-c search_path=${schema}`);
    return u.toString();
  };
  beforeAll(async () => {
    const c = new pg.Client(pgUrl!);
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
  });
  afterAll(async () => {
    const c = new pg.Client(pgUrl!);
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
  suite("127.42.2", () => openStore({ url: url() }));
});
