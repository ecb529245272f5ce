// `clawpatrol monitor` as a user runs it: config errors (exit 2, one line), --dry-run, --once
// --json against a replay gateway with NDJSON and command sinks, a store that is down (exit 3),
// and the long-running mode stopped by SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { REPO_ROOT } from "../support/zoo.ts";
import { Fleet, readNdjson } from "./support.ts";

const home = mkdtempSync(join(tmpdir(), "clawpatrol-monitor-cli-"));
const env = { CLAWPATROL_HOME: home, DATABASE_URL: "" };
const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  runClawpatrol(args, { env: { ...env, ...extra } });
afterAll(() => rmSync(home, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(home, name);
  writeFileSync(p, text);
  return p;
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe("monitor: bad input", () => {
  it.each([
    [
      ["monitor", "--once", "--config", "/nonexistent/monitor.yml"],
      /^clawpatrol: cannot read monitor config "\/nonexistent\/monitor\.yml": ENOENT\n$/,
    ],
    [["monitor", "--once"], /^clawpatrol: no monitor config at .*monitor\.yml: create it/],
    [
      ["monitor", "--once", "--dry-run", "--config", "x.yml"],
      /^clawpatrol: choose one of --once and --dry-run\n$/,
    ],
  ])("%j exits 2 with one line", async (args, want) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(want);
  });

  it.each([
    [
      "bad-cron.yml",
      'profiles: [{ name: a, schedule: "0 25 * * *", targets: [127.0.0.1] }]',
      /bad-cron\.yml: profiles\[0\]\.schedule: invalid: Invalid value for hour: 25/,
    ],
    [
      "bad-sink.yml",
      'profiles: [{ name: a, schedule: "@hourly", targets: [127.0.0.1], alerts: [{ sink: slack }] }]',
      /bad-sink\.yml: profiles\[0\]\.alerts\[0\]\.sink: unknown sink "slack"/,
    ],
    ["bad-yaml.yml", "profiles:\n  - name: a\n   schedule: x\n", /bad-yaml\.yml:\d+:\d+: not valid YAML/],
    [
      "bad-key.yml",
      'profiles: [{ name: a, schedule: "@hourly", targets: [127.0.0.1], rate_limit: 5 }]',
      /bad-key\.yml: profiles\[0\]: unknown key "rate_limit"/,
    ],
  ])("a bad config (%s) exits 2 with one line naming the file and the key", async (name, text, want) => {
    const r = await run(["monitor", "--once", "--config", write(name, text)]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(want);
  });

  it("an unknown --profile exits 2", async () => {
    const cfg = write("one.yml", 'profiles: [{ name: a, schedule: "@hourly", targets: [127.0.0.1] }]');
    const r = await run(["monitor", "--once", "--config", cfg, "--profile", "b"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`clawpatrol: --profile: no profile "b" in ${cfg} (profiles: a)\n`);
  });
});

describe("monitor --dry-run", () => {
  it("prints the plan and next runs without touching the network or the store", async () => {
    const cfg = write(
      "plan.yml",
      `sinks: { f: { type: ndjson, path: ${home}/a.ndjson } }
profiles:
  - { name: nightly, schedule: "0 3 * * *", timezone: UTC, targets: [127.42.4.0/30], ports: "18789,18790", alerts: [{ sink: f, minSeverity: high }] }
`,
    );
    const r = await run(["monitor", "--dry-run", "--json", "--config", cfg]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({
      schema: "clawpatrol.monitor-plan/v1",
      config: cfg,
      sinks: [{ name: "f", type: "ndjson" }],
    });
    expect(plan.profiles[0]).toMatchObject({
      name: "nightly",
      addresses: 4,
      endpoints: 8,
      ports: [18789, 18790],
    });
    expect(plan.profiles[0].nextRuns).toHaveLength(3);
    for (const t of plan.profiles[0].nextRuns) expect(t).toMatch(/T03:00:00\.000Z$/);
    const text = await run(["monitor", "--dry-run", "--config", cfg]);
    expect(text.stdout).toMatch(/profile nightly: "0 3 \* \* \*" \(UTC\); 8 endpoint\(s\)/);
  });

  it("--policy names the policy whose service levels it alerts on; a bad policy is exit 2, one line", async () => {
    const cfg = write(
      "sla.yml",
      `profiles:\n  - { name: p, schedule: "0 3 * * *", targets: [127.42.4.0/30] }\n`,
    );
    const policy = write(
      "policy.yml",
      "version: 1\norganisation: Example\nexposure:\n  noAuthHours: 24\n  preAuthAdvisoryHours: 72\n",
    );
    const text = await run(["monitor", "--dry-run", "--config", cfg, "--policy", policy]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      `  policy ${policy}: exposure.noAuthHours 24 h, exposure.preAuthAdvisoryHours 72 h\n`,
    );
    const json = JSON.parse(
      (await run(["monitor", "--dry-run", "--json", "--config", cfg, "--policy", policy])).stdout,
    );
    expect(json.policy).toEqual({
      file: policy,
      serviceLevels: [
        { clause: "exposure.noAuthHours", hours: 24 },
        { clause: "exposure.preAuthAdvisoryHours", hours: 72 },
      ],
    });
    const bad = write("bad-policy.yml", "version: 1\norganisation: Example\nexposure:\n  noAuthHours: -1\n");
    const r = await run(["monitor", "--dry-run", "--config", cfg, "--policy", bad]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/^clawpatrol: --policy: .*bad-policy\.yml: exposure\.noAuthHours: /);
  });

  it("refuses an NDJSON sink whose directory does not exist or is no directory: exit 2 naming it", async () => {
    writeFileSync(join(home, "plain-file"), "");
    for (const [dir, problem] of [
      [join(home, "no-such-dir"), "does not exist"],
      [join(home, "plain-file"), "is not a directory"],
    ] as const) {
      const cfg = write(
        "sinkdir.yml",
        `sinks: { f: { type: ndjson, path: ${dir}/alerts.ndjson } }
profiles:
  - { name: p, schedule: "0 3 * * *", targets: [127.42.4.0/30], alerts: [{ sink: f }] }
`,
      );
      const r = await run(["monitor", "--dry-run", "--config", cfg]);
      expect(r.code, r.stderr).toBe(2);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toContain(`sinks.f.path: `);
      expect(r.stderr).toContain(`${dir} ${problem}`);
      expect(r.stdout).toBe("");
    }
  });
});

describe("monitor --once and the long-running mode", () => {
  let fleet: Fleet;
  let cfg: string;
  const file = join(home, "alerts.ndjson");
  const cmdOut = join(home, "command-got.ndjson");
  beforeAll(async () => {
    fleet = await Fleet.start({ "127.42.4.1": "cb124-loopback-noauth", "127.42.4.2": "oc96-loopback-token" });
    const receiver = write(
      "receive.cjs",
      `let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => require("fs").appendFileSync(process.argv[2], s));\n`,
    );
    cfg = write(
      "monitor.yml",
      `sinks:
  file: { type: ndjson, path: "${file}" }
  page: { type: command, argv: ["${process.execPath}", "${receiver}", "${cmdOut}"], timeout: 10s }
profiles:
  - name: lab
    schedule: "* * * * * *"
    targets: [127.42.4.1-127.42.4.3]
    ports: ${fleet.port}
    alerts:
      - { sink: file }
      - { sink: page, minSeverity: critical }
`,
    );
  });
  afterAll(() => fleet?.close());

  it("--once --json: one JSON report per profile; the events and alerts reach the sinks", async () => {
    const r = await run(["monitor", "--once", "--json", "--config", cfg]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const rep = JSON.parse(lines[0]!);
    expect(rep).toMatchObject({
      schema: "clawpatrol.monitor-run/v1",
      profile: "lab",
      status: "complete",
      endpoints: 3,
      gateways: 2,
      eventCounts: { new: 2, closed: 0, reopened: 0, changed: 0 },
      deliveries: { sent: 3, failed: 0 },
      error: null,
    });
    const cb = rep.alerts.find((a: { address: string }) => a.address === `127.42.4.1:${fleet.port}`);
    expect(cb).toMatchObject({ kind: "new", severity: "critical", sinks: { file: "sent", page: "sent" } });
    expect(
      readNdjson(file)
        .map((a) => a.asset.address)
        .sort(),
    ).toEqual([`127.42.4.1:${fleet.port}`, `127.42.4.2:${fleet.port}`].sort());
    const paged = readNdjson(cmdOut);
    expect(paged).toHaveLength(1);
    expect(paged[0]).toMatchObject({
      kind: "new",
      severity: "critical",
      asset: { product: "clawdbot", version: "2026.1.24-3" },
    });
    expect(paged[0]!.advisories.length).toBeGreaterThan(0);
    expect(paged[0]!.upgradeTo).toBe("2026.6.5");
  });

  it("--once (text): the gateway that went away is reported closed", async () => {
    await fleet.down("127.42.4.2");
    const r = await run(["monitor", "--once", "--config", cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^monitor lab: run scan-\S+ complete in [\d.]+s; 3 endpoints, 1 gateways; events 0 new, 1 closed/,
    );
    expect(r.stdout).toMatch(
      new RegExp(`  event closed +127\\.42\\.4\\.2:${fleet.port} +openclaw 2026\\.9\\.6 auth required`),
    );
    expect(r.stdout).toMatch(
      new RegExp(`  alert INFO closed +127\\.42\\.4\\.2:${fleet.port} +Gateway closed → file:sent`),
    );
  });

  it("--once with the store down: the run is reported and the exit code is 3", async () => {
    const down = `postgres://clawpatrol:x@127.0.0.1:${await closedPort()}/nope`;
    const r = await run(["monitor", "--once", "--json", "--config", cfg], { DATABASE_URL: down });
    expect(r.code).toBe(3);
    const rep = JSON.parse(r.stdout.trim());
    expect(rep).toMatchObject({ status: "failed", runId: null });
    expect(rep.error).toMatch(/^cannot open the store: .*ECONNREFUSED/);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
  });

  it("long-running: runs on its schedule, logs one line per run, stops cleanly on SIGTERM", async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [`${REPO_ROOT}/bin/clawpatrol.mjs`, "monitor", "--config", cfg, "--json"],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    let stdout = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    child.stdout!.on("data", (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    const until = Date.now() + 25_000;
    while (!/monitor lab: run scan-\S+ complete/.test(stderr) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGTERM");
    const code = await exited;
    expect(code, stderr).toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^\S+Z monitor: 1 profile\(s\) from .*monitor\.yml; next: lab \S+Z$/);
    expect(stderr).toMatch(
      /\n\S+Z monitor lab: run scan-\S+ complete in [\d.]+s; 3 endpoints, 1 gateways; events 0 new, 0 closed, 0 reopened, 0 changed; alerts 0 sent/,
    );
    expect(stderr).toMatch(/\n\S+Z monitor: SIGTERM: stopping/);
    expect(lines.at(-1)).toMatch(/^\S+Z monitor: stopped$/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const reports = stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.every((x) => x.schema === "clawpatrol.monitor-run/v1" && x.profile === "lab")).toBe(true);
    // The store was closed: another command can open it at once.
    const inv = await run(["inventory", "--json"]);
    expect(inv.code, inv.stderr).toBe(0);
  });

  it("SIGTERM during a run: the scan stops taking endpoints, the run is kept incomplete, the store is closed", async () => {
    // A tarpit: accepts, never answers, so the run is still going when the signal comes.
    const sockets = new Set<net.Socket>();
    const tarpit = net.createServer((sock) => {
      sockets.add(sock);
      sock.on("error", () => {});
    });
    await new Promise<void>((r) => tarpit.listen(0, "127.42.4.9", r));
    const port = (tarpit.address() as net.AddressInfo).port;
    const slow = write(
      "tarpit.yml",
      `profiles: [{ name: tarpit, schedule: "* * * * * *", targets: [127.42.4.9], ports: ${port}, timeout: 1500ms }]\n`,
    );
    let conns = 0;
    tarpit.on("connection", () => conns++);
    const { openStore, rowsOf } = await import("../../src/store/db.ts");
    const { sql } = await import("drizzle-orm");
    // The store exists before the monitor starts, so its first run reaches the tarpit at once.
    await (await openStore({ dataDir: join(home, "db") })).close();
    try {
      const child = spawn(
        process.execPath,
        [`${REPO_ROOT}/bin/clawpatrol.mjs`, "monitor", "--config", slow],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ...env },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr!.on("data", (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
      const until = Date.now() + 20_000;
      // The probe's connection (the second: the first is the sweep) means the run is mid-scan.
      while (conns < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      child.kill("SIGTERM");
      expect(await exited, stderr).toBe(0);
      expect(stderr).toMatch(/monitor: SIGTERM: stopping \(in-flight runs stop taking endpoints/);
      expect(stderr).toMatch(/monitor tarpit: run scan-\S+ interrupted in/);
      expect(stderr).toMatch(/monitor: stopped\n$/);
      const store = await openStore({ dataDir: join(home, "db") });
      try {
        const runs = rowsOf<{ status: string; mstatus: string }>(
          await store.db.execute(
            sql`SELECT r.status, m.status AS mstatus FROM runs r JOIN monitor_runs m ON m.run_id = r.id
                WHERE r.profile = 'tarpit' ORDER BY r.started_at`,
          ),
        );
        // The run the signal caught is the last one; any before it had finished.
        expect(runs.at(-1), stderr).toEqual({ status: "incomplete", mstatus: "interrupted" });
        expect(runs.slice(0, -1).every((r) => r.status === "complete" && r.mstatus === "complete")).toBe(
          true,
        );
      } finally {
        await store.close();
      }
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => tarpit.close(r));
    }
  }, 60_000);
});
