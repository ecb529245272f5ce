// `monitor` with a policy: the exposure service level (a gateway without auth closed within
// 24 h) is timed against the store's first-seen times of real scan results (a replay gateway
// without auth on 127.42.20.1, a recorded OpenClaw transcript) with a pinned clock. One alert
// per breach, however many cycles it lasts; one "resolved" when the gateway gets a token; and
// both reach the NDJSON sink with the asset, clause, time open and deadline.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/model.ts";
import { addStoredSuppression } from "../../src/findings/stored-suppressions.ts";
import { evidencePin } from "../../src/findings/suppress.ts";
import { loadMonitorConfig, type MonitorConfig } from "../../src/monitor/config.ts";
import { runProfile } from "../../src/monitor/runner.ts";
import { openStore, rowsOf, type Store } from "../../src/store/db.ts";
import { sql } from "../../src/store/drizzle.ts";
import { dropSchema, freshSchemaUrl } from "../server/support.ts";
import { describeLive } from "../support/live.ts";
import { Fleet, readNdjson, SyslogListener } from "./support.ts";

const root = mkdtempSync(join(tmpdir(), "clawpatrol-sla-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const HOUR = 3_600_000;

function suite(IP: string, openReal: (work: string) => Promise<Store>) {
  const work = join(root, IP);
  mkdirSync(work);
  let fleet: Fleet;
  let siem: SyslogListener;
  let config: MonitorConfig;
  let store: Store;
  let real: Store | undefined;
  const sinkFile = join(work, "alerts.ndjson");
  const open = async () => store;
  let t0 = 0;
  const run = (hours: number) =>
    runProfile(config, config.profiles[0]!, {
      open,
      now: () => new Date(t0 + hours * HOUR),
    });
  const slaLines = () => readNdjson(sinkFile).filter((a) => String(a.kind).startsWith("sla-"));

  beforeAll(async () => {
    fleet = await Fleet.start({ [IP]: "oc96-loopback-noauth" });
    siem = await new SyslogListener("udp").start();
    writeFileSync(
      join(work, "policy.yml"),
      "version: 1\norganisation: Example Org\nseverity: critical\nexposure:\n  noAuthHours: 24\n",
    );
    writeFileSync(
      join(work, "monitor.yml"),
      `policy: policy.yml
sinks:
  file: { type: ndjson, path: "${sinkFile}" }
  siem: { type: syslog, transport: udp, host: 127.0.0.1, port: ${siem.port} }
profiles:
  - name: lab
    schedule: "0 * * * *"
    targets: [${IP}]
    ports: ${fleet.port}
    timeout: 3s
    alerts:
      - { sink: file, kinds: [sla-breach, sla-resolved] }
      - { sink: siem, kinds: [sla-breach] }
`,
    );
    config = loadMonitorConfig(join(work, "monitor.yml"));
    real = await openReal(work);
    // runProfile closes the store it opened after each run; keep one open for the whole test.
    store = { ...real, close: async () => {} };
  });
  afterAll(async () => {
    await real?.close();
    await fleet?.close();
    await siem?.close();
  });

  it("reads the policy named by the config (relative to it)", () => {
    expect(config.policy?.file).toBe(join(work, "policy.yml"));
    expect(config.policy?.policy.exposure?.noAuthHours).toBe(24);
  });

  it("within the 24 h the gateway is open without auth but nothing is alerted", async () => {
    t0 = Date.now();
    const r = await run(1);
    expect(r.status, JSON.stringify(r)).toBe("complete");
    expect(r.alerts.filter((a) => a.kind.startsWith("sla-"))).toEqual([]);
    expect(slaLines()).toEqual([]);
    // The store holds the finding the clock is measured from.
    const [f] = rowsOf<{ first_seen: unknown }>(
      await store.db.execute(sql`SELECT first_seen FROM findings WHERE rule_id = 'CP-SCAN-002'`),
    );
    expect(f).toBeDefined();
  });

  it("past the deadline: one sla-breach alert naming the asset, clause, time open and deadline", async () => {
    const r = await run(25);
    expect(r.status).toBe("complete");
    const lines = slaLines();
    expect(lines).toHaveLength(1);
    const a = lines[0]!;
    expect(a).toMatchObject({
      kind: "sla-breach",
      severity: "critical",
      asset: { ip: IP, port: fleet.port, address: `${IP}:${fleet.port}`, state: "open" },
      sla: { clause: "exposure.noAuthHours", limitHours: 24, rules: ["CP-SCAN-002"] },
    });
    const [f] = rowsOf<{ first_seen: unknown }>(
      await store.db.execute(sql`SELECT first_seen FROM findings WHERE rule_id = 'CP-SCAN-002'`),
    );
    const firstSeen = new Date(String(f!.first_seen)).toISOString();
    expect(a.sla.firstSeen).toBe(firstSeen);
    expect(a.sla.deadline).toBe(new Date(Date.parse(firstSeen) + 24 * HOUR).toISOString());
    expect(a.sla.openHours).toBeGreaterThan(24.9);
    expect(a.sla.openHours).toBeLessThan(25.1);
    expect(a.title).toBe(
      `SLA breached: ${IP}:${fleet.port} exposed without auth for ${a.sla.openHours.toFixed(1)} h (policy exposure.noAuthHours: 24 h)`,
    );
    expect(a.summary).toContain(`the deadline was ${a.sla.deadline}`);
    // the SIEM gets it as CEF, with its own signature
    const syslog = await siem.waitFor(1);
    expect(syslog).toHaveLength(1);
    expect(syslog[0]!.cef).toMatchObject({ signatureId: "CP-MONITOR-SLA-BREACH", severity: 10 });
    expect(syslog[0]!.cef.ext).toMatchObject({ dst: IP, dpt: String(fleet.port) });
  });

  it("the breach lasting over more cycles is not alerted again", async () => {
    await run(26);
    await run(30);
    expect(slaLines().map((a) => a.kind)).toEqual(["sla-breach"]);
  });

  it("once the gateway demands a token: one sla-resolved alert, then silence", async () => {
    await fleet.up(IP, "oc96-loopback-token");
    const r = await run(31);
    expect(r.status).toBe("complete");
    const lines = slaLines();
    expect(lines.map((a) => a.kind)).toEqual(["sla-breach", "sla-resolved"]);
    expect(lines[1]).toMatchObject({
      severity: "info",
      asset: { ip: IP, state: "closed" },
      sla: { clause: "exposure.noAuthHours", deadline: lines[0]!.sla.deadline },
    });
    expect(lines[1]!.sla.resolvedAt).toBe(new Date(t0 + 31 * HOUR).toISOString());
    await run(32);
    expect(slaLines()).toHaveLength(2);
    // the route to the SIEM takes breaches only
    expect(siem.messages).toHaveLength(1);
    const rows = rowsOf<{ resolved_at: unknown }>(
      await store.db.execute(sql`SELECT resolved_at FROM sla_breaches`),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.resolved_at).not.toBeNull();
  });

  it("a gateway that loses auth again: its old, overdue exposure is alerted once more, not every cycle", async () => {
    await fleet.up(IP, "oc96-loopback-noauth");
    await run(33);
    await run(34);
    const lines = slaLines();
    expect(lines.map((a) => a.kind)).toEqual(["sla-breach", "sla-resolved", "sla-breach"]);
    // The store keeps the finding's first-seen time, so the deadline is the one already missed.
    expect(lines[2]!.sla.deadline).toBe(lines[0]!.sla.deadline);
    expect(lines[2]!.sla.openHours).toBeGreaterThan(32.9);
  });

  it("a finding accepted on the dashboard (a store suppression) no longer counts: the breach resolves", async () => {
    const [row] = rowsOf<{ finding: unknown }>(
      await store.db.execute(sql`SELECT finding FROM findings WHERE rule_id = 'CP-SCAN-002'`),
    );
    const f = (typeof row!.finding === "string" ? JSON.parse(row!.finding) : row!.finding) as Finding;
    await addStoredSuppression(
      store.db,
      {
        rule: f.ruleId,
        path: f.asset,
        sha256: evidencePin(f),
        reason: "lab gateway, accepted",
        owner: null,
        expires: new Date(t0 + 60 * 86_400_000).toISOString().slice(0, 10),
      },
      "test (API token)",
      new Date(),
    );
    await run(35);
    expect(slaLines().map((a) => a.kind)).toEqual([
      "sla-breach",
      "sla-resolved",
      "sla-breach",
      "sla-resolved",
    ]);
  });
}

describe("monitor --policy on PGlite: exposure service levels", () => {
  suite("127.42.20.1", (work) => openStore({ dataDir: join(work, "pglite") }));
});

const pgUrl = process.env.DATABASE_URL || null;
describeLive("monitor --policy on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  const schema = `clawpatrol_sla_test_${process.pid}`;
  afterAll(() => dropSchema(pgUrl!, schema));
  suite("127.42.21.1", async () => openStore({ url: await freshSchemaUrl(pgUrl!, schema) }));
});
