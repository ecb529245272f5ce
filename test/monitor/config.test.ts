// The monitor config: defaults, and one clear line naming the file and the key for each mistake.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { nextRuns, parseDuration, parseMonitorConfig } from "../../src/monitor/config.ts";
import { dryRun } from "../../src/monitor/plan.ts";

const FILE = "/etc/clawpatrol/monitor.yml";

const good = `
sinks:
  hook: { type: webhook, url: "https://hooks.example.net/clawpatrol/T0KEN", secretEnv: HOOK_SECRET }
  siem: { type: syslog, transport: tcp, host: 127.0.0.1, port: 6514 }
  file: { type: ndjson, path: /var/log/clawpatrol/alerts.ndjson }
  pager: { type: command, argv: [/usr/local/bin/page, --team, sec] }
profiles:
  - name: office
    schedule: "*/30 * * * *"
    timezone: Europe/Berlin
    targets: [10.0.0.0/22]
    excludes: 10.0.3.0/24
    ports: extended
    alerts:
      - { sink: file }
      - { sink: pager, minSeverity: high, kinds: [new, reopened, changed, flapping] }
  - name: lab
    schedule: "0 * * * * *"
    targets: 127.0.0.1
    ports: [18789, 18790]
    timeout: 2s
`;

function parse(text: string, env: NodeJS.ProcessEnv = { HOOK_SECRET: "s3cret" }) {
  return parseMonitorConfig(text, FILE, env);
}

function error(text: string, env?: NodeJS.ProcessEnv): string {
  try {
    parse(text, env);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg.includes("\n")).toBe(false);
    return msg;
  }
  throw new Error("expected a config error");
}

describe("monitor config", () => {
  it("reads profiles, sinks and routes, with defaults", () => {
    const c = parse(good);
    expect(c.dedupeWindowMs).toBe(86_400_000);
    expect(c.flapThreshold).toBe(2);
    expect(c.retryForMs).toBe(7 * 86_400_000);
    expect([...c.sinks.keys()]).toEqual(["hook", "siem", "file", "pager"]);
    expect(c.sinks.get("hook")).toMatchObject({
      type: "webhook",
      resolvedSecret: "s3cret",
      retries: 3,
      timeout: 10_000,
    });
    expect(c.sinks.get("siem")).toMatchObject({
      transport: "tcp",
      facility: "local0",
      appName: "clawpatrol",
    });
    const [office, lab] = c.profiles;
    expect(office).toMatchObject({
      name: "office",
      timezone: "Europe/Berlin",
      ports: [18789, 18790, 18791, 18792, 18793, 80, 443, 8080, 8443],
      rate: 2000,
      timeoutMs: 5000,
      excludes: ["10.0.3.0/24"],
    });
    expect(office!.plan.addressCount).toBe(768n);
    expect(office!.alerts).toEqual([
      {
        sink: "file",
        minSeverity: "info",
        kinds: ["new", "closed", "reopened", "changed", "flapping", "sla-breach", "sla-resolved"],
      },
      { sink: "pager", minSeverity: "high", kinds: ["new", "reopened", "changed", "flapping"] },
    ]);
    expect(lab).toMatchObject({ ports: [18789, 18790], timeoutMs: 2000, targets: ["127.0.0.1"], alerts: [] });
  });

  it("reads the same config as JSON", () => {
    const c = parseMonitorConfig(
      JSON.stringify({ profiles: [{ name: "a", schedule: "@hourly", targets: ["127.0.0.1"] }] }),
      "/tmp/monitor.json",
    );
    expect(c.profiles[0]!.name).toBe("a");
    expect(() => parseMonitorConfig("{", "/tmp/monitor.json")).toThrow(
      /^\/tmp\/monitor\.json: not valid JSON/,
    );
  });

  it("durations need a unit", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("24")).toBeNull();
  });

  it("next run times follow the cron schedule (5 fields, or 6 with seconds)", () => {
    const from = new Date("2026-11-24T10:07:00Z");
    expect(nextRuns("*/30 * * * *", "UTC", 3, from).map((d) => d.toISOString())).toEqual([
      "2026-11-24T10:30:00.000Z",
      "2026-11-24T11:00:00.000Z",
      "2026-11-24T11:30:00.000Z",
    ]);
    expect(nextRuns("*/10 * * * * *", null, 2, from).map((d) => d.toISOString())).toEqual([
      "2026-11-24T10:07:10.000Z",
      "2026-11-24T10:07:20.000Z",
    ]);
  });

  it("--dry-run shows profiles, sinks without secrets, and next runs", () => {
    const c = parse(good);
    const text = dryRun(c, c.profiles, false, new Date("2026-11-24T10:07:00Z"));
    expect(text).toMatch(/^\/etc\/clawpatrol\/monitor\.yml: 2 profile\(s\), 4 sink\(s\); dedupe window 1d/);
    expect(text).toMatch(/sink hook: webhook → https:\/\/hooks\.example\.net\/… \(signed\)/);
    expect(text).not.toMatch(/T0KEN|s3cret/);
    expect(text).toMatch(
      /profile office: "\*\/30 \* \* \* \*" \(Europe\/Berlin\); 6912 endpoint\(s\) \(768 address\(es\) × 9 port\(s\)\); alerts → file, pager high\+ new,reopened,changed,flapping/,
    );
    expect(text).toMatch(
      /next runs: 2026-11-24T10:30:00\.000Z, 2026-11-24T11:00:00\.000Z, 2026-11-24T11:30:00\.000Z/,
    );
    const json = JSON.parse(dryRun(c, c.profiles, true, new Date("2026-11-24T10:07:00Z")));
    expect(json.schema).toBe("clawpatrol.monitor-plan/v1");
    expect(json.profiles[1]).toMatchObject({ name: "lab", endpoints: 2, nextRuns: expect.any(Array) });
    expect(JSON.stringify(json)).not.toMatch(/s3cret|T0KEN/);
  });

  it.each([
    ["profiles: []", /^\/etc\/clawpatrol\/monitor\.yml: profiles: must list at least one profile$/],
    ["", /monitor\.yml: the file is empty/],
    [
      "profiles: [\n  - name: a\n    schedule: [",
      /^\/etc\/clawpatrol\/monitor\.yml:\d+:\d+: not valid YAML: /,
    ],
    [
      'profiles: [{ name: a, schedul: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: profiles\[0\]: unknown key "schedul"$/,
    ],
    ["profiles: [{ name: a, targets: [127.0.0.1] }]", /monitor\.yml: profiles\[0\]\.schedule: is required$/],
    [
      'profiles: [{ name: a, schedule: "61 * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: profiles\[0\]\.schedule: invalid: Invalid value for minute: 61$/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * *", targets: [127.0.0.1] }]',
      /monitor\.yml: profiles\[0\]\.schedule: invalid: .*five, six, or seven/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", timezone: Mars/Olympus, targets: [127.0.0.1] }]',
      /monitor\.yml: profiles\[0\]\.timezone: invalid: /,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [10.0.0.300] }]',
      /monitor\.yml: profiles\[0\]\.targets: invalid target "10\.0\.0\.300"/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1], excludes: [example.com] }]',
      /monitor\.yml: profiles\[0\]\.excludes: invalid exclude "example\.com"/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1], ports: "70000" }]',
      /monitor\.yml: profiles\[0\]\.ports: invalid port range "70000"/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [10.0.0.0/8] }]',
      /monitor\.yml: profiles\[0\]\.targets: 16777216 addresses; more than 65536 needs allowLarge: true$/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1], timeout: 5 }]',
      /monitor\.yml: profiles\[0\]\.timeout: must be a duration with a unit/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1], timeout: 5 minutes }]',
      /monitor\.yml: profiles\[0\]\.timeout: "5 minutes" is not a duration/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1], alerts: [{ sink: nope }] }]',
      /monitor\.yml: profiles\[0\]\.alerts\[0\]\.sink: unknown sink "nope" \(define it under sinks:\)$/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1], alerts: [{ sink: x, minSeverity: urgent }] }]',
      /monitor\.yml: profiles\[0\]\.alerts\[0\]\.minSeverity: must be one of info, low, medium, high, critical$/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1], alerts: [{ sink: x, kinds: [opened] }] }]',
      /monitor\.yml: profiles\[0\]\.alerts\[0\]\.kinds\[0\]: must be one of new, closed, reopened, changed, flapping, sla-breach, sla-resolved$/,
    ],
    [
      'policy: /nonexistent/policy.yml\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: policy: \/nonexistent\/policy\.yml: .*$/,
    ],
    [
      'profiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }, { name: a, schedule: "@daily", targets: [127.0.0.1] }]',
      /monitor\.yml: profiles\[1\]\.name: "a" is used by another profile$/,
    ],
    [
      'profiles: [{ name: "a b", schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: profiles\[0\]\.name: must be 1-64 letters/,
    ],
    [
      'sinks: { s: { type: email, to: me } }\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: sinks\.s\.type: type must be one of webhook, syslog, ndjson, command$/,
    ],
    [
      'sinks: { s: { type: webhook, url: "ftp://x" } }\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: sinks\.s\.url: must be an http:\/\/ or https:\/\/ URL$/,
    ],
    [
      'sinks: { s: { type: webhook, url: "https://x", secretEnv: NOT_SET_ANYWHERE } }\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: sinks\.s\.secretEnv: environment variable NOT_SET_ANYWHERE is not set$/,
    ],
    [
      'sinks: { s: { type: syslog, transport: tls, host: h, ca: /nonexistent/ca.pem } }\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: sinks\.s\.ca: cannot read "\/nonexistent\/ca\.pem": ENOENT$/,
    ],
    [
      'sinks: { s: { type: syslog, transport: udp, host: h, ca: /x } }\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: sinks\.s: ca, cert, key and servername need transport: tls$/,
    ],
    [
      'sinks: { s: { type: command, argv: [] } }\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: sinks\.s\.argv: must name the program to run$/,
    ],
    [
      'dedupeWindow: forever\nprofiles: [{ name: a, schedule: "* * * * *", targets: [127.0.0.1] }]',
      /monitor\.yml: dedupeWindow: "forever" is not a duration/,
    ],
  ])("rejects %j with one line naming the file and the key", (text, want) => {
    expect(error(text, {})).toMatch(want);
  });
});
