// Every alert sink against a real receiver on 127.0.0.1: the webhook (HMAC signature checked by
// the receiver, retries with backoff, timeouts), syslog over UDP, TCP and TLS (RFC 5424 framing,
// RFC 6587 octet counting, CEF inside, parsed back), the NDJSON file and the command.
import { execFileSync, spawn } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdvisoryLookup, type Alert, type AssetEvent, alertForEvent } from "../../src/monitor/alerts.ts";
import { parseMonitorConfig, type SinkConfig } from "../../src/monitor/config.ts";
import { createSink } from "../../src/monitor/sinks/index.ts";
import { signBody, verifySignature } from "../../src/monitor/sinks/webhook.ts";
import {
  OPENSSL,
  type parseSyslog,
  readNdjson,
  SyslogListener,
  selfSignedCert,
  WebhookReceiver,
} from "./support.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-monitor-sinks-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const lookup: AdvisoryLookup = (id) => ({
  id,
  aliases: ["CVE-2026-99999"],
  severity: "critical",
  summary: "test advisory",
  fixed: "2026.2.2",
});

function event(patch: Partial<AssetEvent> = {}): AssetEvent {
  return {
    runId: "scan-test",
    ip: "127.0.0.9",
    port: 18789,
    kind: "new",
    at: "2026-11-24T10:00:00.000Z",
    product: "openclaw",
    version: "2026.1.29",
    auth: "not-required",
    changes: {},
    ...patch,
  };
}

const meta = { profile: "lab", runId: "scan-test", upgradeTo: "2026.6.5" };
const ctx = { remoteLooksLocal: false, preauthAdvisories: ["GHSA-aaaa-bbbb-cccc"] };
const newAlert = alertForEvent(event(), ctx, lookup, meta);
const closedAlert = alertForEvent(event({ kind: "closed", ip: "127.0.0.10" }), ctx, lookup, meta);
// A value that tries to break out of a CEF field, a syslog frame and a terminal.
const hostile = alertForEvent(
  event({ ip: "::1", version: "2026.1.29|x=1\\ \n<13>1 fake \u001b[31m", auth: "required" }),
  { remoteLooksLocal: false, preauthAdvisories: [] },
  lookup,
  meta,
);
const alerts: Alert[] = [newAlert, closedAlert, hostile];

/** A sink built the way the config builds it (defaults and checks included). */
function sinkFrom(yamlSink: string, env: NodeJS.ProcessEnv = {}) {
  const cfg = parseMonitorConfig(
    `sinks:\n  s: ${yamlSink}\nprofiles:\n  - { name: p, schedule: "* * * * *", targets: [127.0.0.1], alerts: [{ sink: s }] }\n`,
    join(work, "monitor.yml"),
    env,
  );
  return createSink("s", cfg.sinks.get("s") as SinkConfig);
}

describe("webhook", () => {
  const secret = "test-secret-0123456789";
  let hook: WebhookReceiver;
  beforeAll(async () => {
    hook = await new WebhookReceiver(secret).start();
  });
  afterAll(() => hook?.close());

  it("POSTs each alert as JSON with an HMAC-SHA256 signature over timestamp and body", async () => {
    const sink = sinkFrom(`{ type: webhook, url: "${hook.url}", secretEnv: HOOK_SECRET }`, {
      HOOK_SECRET: secret,
    });
    const results = await sink.deliver(alerts);
    expect(results).toEqual(alerts.map(() => ({ ok: true })));
    expect(hook.requests.every((r) => r.verified)).toBe(true);
    expect(hook.hits.map((h) => h.json.id)).toEqual(alerts.map((a) => a.id));
    const h = hook.hits[0]!;
    expect(h.headers["content-type"]).toBe("application/json");
    expect(h.headers["x-clawpatrol-delivery"]).toBe(newAlert.id);
    expect(h.headers["x-clawpatrol-event"]).toBe("new");
    expect(h.headers["x-clawpatrol-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(h.json).toMatchObject({
      schema: "clawpatrol.alert/v1",
      kind: "new",
      severity: "critical",
      asset: { address: "127.0.0.9:18789", product: "openclaw", version: "2026.1.29", auth: "not-required" },
    });
    expect(h.json.why).toMatch(/without auth/);
    expect(h.json.remediation.join(" ")).toMatch(/gateway\.auth\.mode/);
  });

  it("a receiver refuses a changed body, a wrong secret and a replayed (old) timestamp", () => {
    const body = JSON.stringify(newAlert);
    const ts = Math.floor(Date.now() / 1000);
    const sig = signBody(secret, ts, body);
    expect(verifySignature(secret, { signature: sig, timestamp: String(ts) }, body)).toBe(true);
    expect(verifySignature(secret, { signature: sig, timestamp: String(ts) }, `${body} `)).toBe(false);
    expect(verifySignature("other", { signature: sig, timestamp: String(ts) }, body)).toBe(false);
    expect(verifySignature(secret, { signature: sig, timestamp: String(ts + 1) }, body)).toBe(false);
    const old = ts - 3600;
    expect(
      verifySignature(secret, { signature: signBody(secret, old, body), timestamp: String(old) }, body),
    ).toBe(false);
  });

  it("retries 5xx with backoff, then succeeds", async () => {
    hook.hits.length = 0;
    hook.requests.length = 0;
    hook.script = [503, 500];
    const sink = sinkFrom(
      `{ type: webhook, url: "${hook.url}", secret: "${secret}", retries: 3, backoff: 50ms }`,
    );
    const t0 = Date.now();
    expect(await sink.deliver([newAlert])).toEqual([{ ok: true }]);
    expect(hook.requests.length).toBe(3);
    expect(hook.hits.length).toBe(1);
    // Backoff 50 ms then 100 ms (plus jitter).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it("gives up after its retries; a 4xx is not retried; the rest of the list is not tried", async () => {
    hook.requests.length = 0;
    hook.script = [500, 500, 500];
    const sink = sinkFrom(
      `{ type: webhook, url: "${hook.url}", secret: "${secret}", retries: 2, backoff: 10ms }`,
    );
    const r = await sink.deliver([newAlert, closedAlert]);
    expect(r[0]).toEqual({ ok: false, error: "HTTP 500 (after 3 attempts)" });
    expect(r[1]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not tried: webhook failed earlier/),
    });
    expect(hook.requests.length).toBe(3);
    hook.requests.length = 0;
    hook.script = [400];
    expect((await sink.deliver([newAlert]))[0]).toEqual({ ok: false, error: "HTTP 400 (after 3 attempts)" });
    expect(hook.requests.length).toBe(1);
  });

  it("an unsigned request (no secret) is refused by a receiver that checks signatures", async () => {
    hook.requests.length = 0;
    const sink = sinkFrom(`{ type: webhook, url: "${hook.url}", retries: 0 }`);
    const r = await sink.deliver([newAlert]);
    expect(r[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^HTTP 401/) });
    expect(hook.requests[0]!.headers["x-clawpatrol-signature"]).toBeUndefined();
  });

  it("times out a receiver that does not answer", async () => {
    hook.delayMs = 2000;
    try {
      const sink = sinkFrom(
        `{ type: webhook, url: "${hook.url}", secret: "${secret}", timeout: 200ms, retries: 0 }`,
      );
      const t0 = Date.now();
      const r = await sink.deliver([newAlert]);
      expect(r[0]).toMatchObject({ ok: false, error: expect.stringMatching(/timed out after 200 ms/) });
      expect(Date.now() - t0).toBeLessThan(1500);
    } finally {
      hook.delayMs = 0;
    }
  });

  it("a refused connection is a failure, not a crash", async () => {
    const sink = sinkFrom(
      `{ type: webhook, url: "http://127.0.0.1:${await closedPort()}/x", retries: 1, backoff: 10ms }`,
    );
    const r = await sink.deliver([newAlert]);
    expect(r[0]).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED.*after 2 attempts/) });
  });
});

function checkSyslog(lines: ReturnType<typeof parseSyslog>[]) {
  expect(lines.length).toBe(3);
  const [a, b, c] = lines as [
    ReturnType<typeof parseSyslog>,
    ReturnType<typeof parseSyslog>,
    ReturnType<typeof parseSyslog>,
  ];
  // local0 (16) * 8 + critical (2) = 130; info (6) = 134; medium (4) = 132
  expect(a.pri).toBe(130);
  expect(b.pri).toBe(134);
  expect(c.pri).toBe(16 * 8 + 4);
  expect(a.version).toBe(1);
  expect(Number.isNaN(Date.parse(a.timestamp))).toBe(false);
  expect(a.appName).toBe("clawpatrol");
  expect(a.procId).toBe(String(process.pid));
  expect(a.msgId).toBe("CP-MONITOR-NEW");
  expect(a.sd).toBe("-");
  expect(a.cef).toMatchObject({
    version: "CEF:0",
    vendor: "clawpatrol",
    product: "clawpatrol",
    signatureId: "CP-MONITOR-NEW",
    name: "New gateway exposed without auth",
    severity: 10,
  });
  expect(a.cef.ext).toMatchObject({
    dst: "127.0.0.9",
    dpt: "18789",
    cat: "new",
    externalId: newAlert.id,
    cs1: "openclaw",
    cs2: "2026.1.29",
    cs3: "not-required",
    cs4: "GHSA-aaaa-bbbb-cccc",
    cs6: "127.0.0.9:18789|new",
    flexString1: "lab",
  });
  expect(a.cef.ext.msg).toMatch(/without auth/);
  expect(b.cef).toMatchObject({ signatureId: "CP-MONITOR-CLOSED", severity: 1 });
  // The hostile version comes back whole inside its field, and started no field or message of its own.
  expect(c.cef.ext.cs2).toBe("2026.1.29|x=1\\ \n<13>1 fake \\x1b[31m");
  expect(c.cef.ext.c6a1).toBe("::1");
  expect(c.cef.ext.x).toBeUndefined();
}

describe("syslog (RFC 5424 + CEF)", () => {
  it("over UDP: one datagram per alert", async () => {
    const l = await new SyslogListener("udp").start();
    try {
      const sink = sinkFrom(`{ type: syslog, transport: udp, host: 127.0.0.1, port: ${l.port} }`);
      expect(await sink.deliver(alerts)).toEqual(alerts.map(() => ({ ok: true })));
      checkSyslog(await l.waitFor(3));
    } finally {
      await l.close();
    }
  });

  it("over TCP with octet-counting framing (RFC 6587)", async () => {
    const l = await new SyslogListener("tcp").start();
    try {
      const sink = sinkFrom(
        `{ type: syslog, transport: tcp, host: 127.0.0.1, port: ${l.port}, facility: local0 }`,
      );
      expect(await sink.deliver(alerts)).toEqual(alerts.map(() => ({ ok: true })));
      checkSyslog(await l.waitFor(3));
      // The hostile newline travelled escaped, never as a raw line break inside a frame.
      expect(l.raw.every((m) => !m.includes("\n"))).toBe(true);
    } finally {
      await l.close();
    }
  });

  it("a TCP collector that is down fails every alert of the round", async () => {
    const sink = sinkFrom(`{ type: syslog, transport: tcp, host: 127.0.0.1, port: ${await closedPort()} }`);
    const r = await sink.deliver(alerts);
    expect(r.every((x) => !x.ok && /ECONNREFUSED/.test(x.error))).toBe(true);
  });

  describe.skipIf(OPENSSL === null)("over TLS (RFC 5425)", () => {
    let cert: ReturnType<typeof selfSignedCert>;
    beforeAll(() => {
      cert = selfSignedCert();
    });
    afterAll(() => cert?.cleanup());

    it("verifies the collector against the configured CA and delivers", async () => {
      const l = await new SyslogListener("tls").start(cert);
      try {
        const sink = sinkFrom(
          `{ type: syslog, transport: tls, host: 127.0.0.1, port: ${l.port}, ca: "${cert.certPath}", hostname: monitor-01 }`,
        );
        expect(await sink.deliver(alerts)).toEqual(alerts.map(() => ({ ok: true })));
        const lines = await l.waitFor(3);
        checkSyslog(lines);
        expect(lines[0]!.hostname).toBe("monitor-01");
      } finally {
        await l.close();
      }
    });

    it("refuses a collector whose certificate the CA does not vouch for", async () => {
      const l = await new SyslogListener("tls").start(cert);
      try {
        const sink = sinkFrom(`{ type: syslog, transport: tls, host: 127.0.0.1, port: ${l.port} }`);
        const r = await sink.deliver(alerts);
        expect(r.every((x) => !x.ok && /self[- ]signed|certificate/i.test(x.error))).toBe(true);
        expect(l.messages.length).toBe(0);
      } finally {
        await l.close();
      }
    });
  });
  if (OPENSSL === null)
    it.skip("TLS syslog: skipped, no openssl binary to make a test certificate", () => {});
});

describe("NDJSON file", () => {
  it("appends one alert per line (mode 600), across deliveries", async () => {
    const path = join(work, "sub", "alerts.ndjson");
    const sink = sinkFrom(`{ type: ndjson, path: "${path}" }`);
    expect(await sink.deliver([newAlert])).toEqual([{ ok: true }]);
    expect(await sink.deliver([closedAlert, hostile])).toEqual([{ ok: true }, { ok: true }]);
    const lines = readNdjson(path);
    expect(lines.map((l) => l.id)).toEqual([newAlert.id, closedAlert.id, hostile.id]);
    expect(lines[2]!.asset.version).toBe(hostile.asset.version);
    expect(readFileSync(path, "utf8").split("\n").length).toBe(4);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("a directory that cannot be made fails the alerts instead of hanging (Node's recursive mkdir loops under /proc)", async () => {
    const sink = sinkFrom(`{ type: ndjson, path: "/proc/clawpatrol-nope/x/alerts.ndjson" }`);
    const r = await sink.deliver([newAlert]);
    expect(r[0]).toMatchObject({ ok: false, error: expect.stringMatching(/ENOENT/) });
  });

  it("an unwritable path fails the alerts", async () => {
    writeFileSync(join(work, "a-file"), "");
    const sink = sinkFrom(`{ type: ndjson, path: "${join(work, "a-file", "alerts.ndjson")}" }`);
    const r = await sink.deliver([newAlert]);
    expect(r[0]!.ok).toBe(false);
  });

  it("a directory as the path fails the alerts with the reason, and is left as it was", async () => {
    const dir = join(work, "a-dir");
    mkdirSync(dir);
    const r = await sinkFrom(`{ type: ndjson, path: "${dir}" }`).deliver([newAlert]);
    expect(r[0]).toMatchObject({ ok: false, error: expect.stringMatching(/EISDIR/) });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a symlink appends to the file it names and stays a link", async () => {
    const target = join(work, "real-alerts.ndjson");
    writeFileSync(target, `${JSON.stringify({ id: "earlier" })}\n`);
    symlinkSync(target, join(work, "alerts-link.ndjson"));
    const r = await sinkFrom(`{ type: ndjson, path: "${join(work, "alerts-link.ndjson")}" }`).deliver([
      newAlert,
    ]);
    expect(r).toEqual([{ ok: true }]);
    expect(lstatSync(join(work, "alerts-link.ndjson")).isSymbolicLink()).toBe(true);
    expect(readNdjson(target).map((l) => l.id)).toEqual(["earlier", newAlert.id]);
  });

  it("a FIFO nobody reads fails at once instead of hanging the run; one with a reader gets the alerts", async () => {
    const fifo = join(work, "alerts.fifo");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const r = await sinkFrom(`{ type: ndjson, path: "${fifo}" }`).deliver([newAlert]);
    expect(r[0]).toMatchObject({ ok: false, error: expect.stringMatching(/ENXIO/) });
    expect(Date.now() - started).toBeLessThan(2000);
    const reader = spawn("cat", [fifo]);
    let got = "";
    reader.stdout.on("data", (d) => {
      got += d;
    });
    await new Promise((res) => setTimeout(res, 200)); // the reader has the FIFO open
    expect(await sinkFrom(`{ type: ndjson, path: "${fifo}" }`).deliver([newAlert])).toEqual([{ ok: true }]);
    await new Promise((res) => reader.on("close", res));
    expect(JSON.parse(got).id).toBe(newAlert.id);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it("a disk that fills mid-write leaves the earlier alerts whole, with no torn line", async (ctx) => {
    const mnt = join(work, "small-disk");
    mkdirSync(mnt);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt], { stdio: "ignore" });
    } catch {
      ctx.skip("cannot mount a tmpfs here (not root?)");
    }
    try {
      const path = join(mnt, "alerts.ndjson");
      const sink = sinkFrom(`{ type: ndjson, path: "${path}" }`);
      expect(await sink.deliver([newAlert])).toEqual([{ ok: true }]);
      const before = readFileSync(path, "utf8");
      // Far more than 16 KiB of alerts in one delivery.
      const many = Array.from({ length: 4000 }, () => hostile);
      const r = await sink.deliver(many);
      expect(r[0], JSON.stringify(r[0])).toMatchObject({ ok: false, error: expect.stringMatching(/ENOSPC/) });
      expect(r.every((x) => !x.ok)).toBe(true);
      expect(readFileSync(path, "utf8")).toBe(before);
    } finally {
      execFileSync("umount", [mnt], { stdio: "ignore" });
    }
  });
});

describe("command", () => {
  const node = process.execPath;

  it("runs the program without a shell, the alert JSON on stdin, its details in the environment", async () => {
    const out = join(work, "cmd-out");
    const script = join(work, "receive.cjs");
    writeFileSync(
      script,
      `const fs = require("fs");
let s = "";
process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const line = { stdin: JSON.parse(s), kind: process.env.CLAWPATROL_ALERT_KIND, sev: process.env.CLAWPATROL_ALERT_SEVERITY, arg: process.argv[3] };
  fs.appendFileSync(process.argv[2], JSON.stringify(line) + "\\n");
});
`,
    );
    const sink = sinkFrom(
      `{ type: command, argv: ["${node}", "${script}", "${out}", "$(touch ${work}/pwned); *"] }`,
    );
    expect(await sink.deliver([newAlert, closedAlert])).toEqual([{ ok: true }, { ok: true }]);
    const got = readNdjson(out);
    expect(got.map((g) => g.stdin.id)).toEqual([newAlert.id, closedAlert.id]);
    expect(got[0]).toMatchObject({ kind: "new", sev: "critical" });
    // Passed as one literal argument: no shell ever saw it.
    expect(got[0]!.arg).toBe(`$(touch ${work}/pwned); *`);
    expect(() => statSync(join(work, "pwned"))).toThrow();
  });

  it("a non-zero exit fails that alert, with the program's last stderr line", async () => {
    const sink = sinkFrom(
      `{ type: command, argv: ["${node}", "-e", "console.error('page service down'); process.exit(4)"] }`,
    );
    const r = await sink.deliver([newAlert]);
    expect(r[0]).toEqual({
      ok: false,
      error: expect.stringMatching(/exited with code 4: page service down$/),
    });
  });

  it("a program that outlives the timeout is stopped and the alert fails", async () => {
    const sink = sinkFrom(
      `{ type: command, argv: ["${node}", "-e", "setTimeout(()=>{}, 60000)"], timeout: 300ms }`,
    );
    const t0 = Date.now();
    const r = await sink.deliver([newAlert]);
    expect(r[0]).toEqual({ ok: false, error: expect.stringMatching(/timed out after 300 ms/) });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("a program that exits 0 but leaves a background child holding stderr counts as delivered at once", async () => {
    const bg = join(work, "bg.cjs");
    writeFileSync(
      bg,
      `require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 3000)"], { stdio: ["ignore", "ignore", "inherit"] }).unref();\n`,
    );
    const sink = sinkFrom(`{ type: command, argv: ["${node}", "${bg}"], timeout: 2s }`);
    const t0 = Date.now();
    expect(await sink.deliver([newAlert])).toEqual([{ ok: true }]);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("a missing program fails the round at once", async () => {
    const sink = sinkFrom(`{ type: command, argv: ["${work}/no-such-program"] }`);
    const r = await sink.deliver([newAlert, closedAlert]);
    expect(r[0]).toMatchObject({ ok: false, error: expect.stringMatching(/cannot run .*ENOENT/) });
    expect(r[1]).toMatchObject({ ok: false, error: expect.stringMatching(/^not tried/) });
  });
});
