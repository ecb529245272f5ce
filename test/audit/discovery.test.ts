import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { composeFindings } from "../../src/audit/checks/exposure.ts";
import {
  discover,
  parseCompose,
  parseLaunchdPlist,
  parsePortSpec,
  parseSystemdUnit,
} from "../../src/audit/discovery.ts";
import { parseLsof, parseNetstat, parseProcNet } from "../../src/audit/live.ts";
import { runAudit } from "../../src/audit/run.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fakeHome(): string {
  const home = mkdtempSync(join(tmpdir(), "cp-home-"));
  dirs.push(home);
  for (const d of [".openclaw", ".openclaw-work", ".clawdbot", ".moltbot"])
    mkdirSync(join(home, d), { mode: 0o700 });
  writeFileSync(
    join(home, ".openclaw/openclaw.json"),
    `{ gateway: { bind: "lan", auth: { mode: "none" } } }`,
  );
  writeFileSync(join(home, ".openclaw-work/openclaw.json"), `{ gateway: { port: 19001 } }`);
  writeFileSync(join(home, ".clawdbot/clawdbot.json"), `{ gateway: { port: 18909 } }`);
  mkdirSync(join(home, ".config/systemd/user"), { recursive: true });
  writeFileSync(
    join(home, ".config/systemd/user/openclaw-gateway.service"),
    "[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN=0123456789abcdef0123456789abcdef\nExecStart=/usr/bin/node /opt/x/node_modules/openclaw/openclaw.mjs gateway run --bind lan\n",
  );
  mkdirSync(join(home, "Library/LaunchAgents"), { recursive: true });
  writeFileSync(
    join(home, "Library/LaunchAgents/ai.openclaw.gateway.plist"),
    `<?xml version="1.0"?><plist><dict><key>EnvironmentVariables</key><dict><key>OPENCLAW_GATEWAY_TOKEN</key><string>plist-token-0123456789abcdef</string></dict><key>ProgramArguments</key><array><string>/usr/local/bin/openclaw</string><string>gateway</string><string>--port</string><string>18800</string></array></dict></plist>`,
  );
  mkdirSync(join(home, "openclaw"));
  writeFileSync(
    join(home, "openclaw/docker-compose.yml"),
    `services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    environment:\n      OPENCLAW_GATEWAY_BIND: lan\n    ports:\n      - "18789:18789"\n      - "127.0.0.1:18791:18791"\n  db:\n    image: postgres\n    ports: ["5432:5432"]\n`,
  );
  return home;
}

describe("discovery", () => {
  it("finds state dirs (default, profile, legacy), units, plists and compose files", () => {
    const home = fakeHome();
    const d = discover({ home, env: {}, noProcesses: true, globalRoots: [] });
    const dirsFound = d.targets.map((t) => t.stateDir).sort();
    expect(dirsFound).toEqual(
      [
        join(home, ".clawdbot"),
        join(home, ".moltbot"),
        join(home, ".openclaw"),
        join(home, ".openclaw-work"),
      ].sort(),
    );
    expect(d.targets.find((t) => t.stateDir.endsWith(".clawdbot"))?.configPath).toBe(
      join(home, ".clawdbot/clawdbot.json"),
    );
    expect(d.targets.find((t) => t.stateDir.endsWith(".openclaw-work"))?.profile).toBe("work");
    const kinds = d.services.map((s) => s.kind).sort();
    expect(kinds).toEqual(["compose", "launchd", "systemd"]);
    const main = d.targets.find((t) => t.stateDir.endsWith(".openclaw"))!;
    expect(main.services.map((s) => s.kind)).toContain("systemd");
    expect(main.env.OPENCLAW_GATEWAY_TOKEN).toBe("0123456789abcdef0123456789abcdef");
  });

  it("honours OPENCLAW_STATE_DIR / OPENCLAW_CONFIG_PATH overrides", () => {
    const home = fakeHome();
    const other = join(home, "elsewhere");
    mkdirSync(other);
    writeFileSync(join(other, "cfg.json"), "{}");
    const d = discover({
      home,
      env: { OPENCLAW_STATE_DIR: other, OPENCLAW_CONFIG_PATH: join(other, "cfg.json") },
      noProcesses: true,
      globalRoots: [],
    });
    expect(d.targets.some((t) => t.configPath === join(other, "cfg.json"))).toBe(true);
  });

  it("reads global installs with their versions", () => {
    const root = mkdtempSync(join(tmpdir(), "cp-npm-"));
    dirs.push(root);
    mkdirSync(join(root, "openclaw"));
    writeFileSync(
      join(root, "openclaw/package.json"),
      JSON.stringify({ name: "openclaw", version: "2026.9.6" }),
    );
    mkdirSync(join(root, "clawdbot"));
    writeFileSync(
      join(root, "clawdbot/package.json"),
      JSON.stringify({ name: "clawdbot", version: "2026.1.24-3" }),
    );
    const d = discover({ home: fakeHome(), env: {}, noProcesses: true, globalRoots: [root] });
    expect(d.installs.map((i) => `${i.product}@${i.version}`).sort()).toEqual([
      "clawdbot@2026.1.24-3",
      "openclaw@2026.9.6",
    ]);
  });

  it("parses unit files, plists and compose port syntaxes", () => {
    const u = parseSystemdUnit(
      "/u",
      'Environment="A=1" B=2\nExecStart=openclaw gateway --port=19000 --auth none --token abc\n',
    );
    expect(u.env).toEqual({ A: "1", B: "2" });
    expect(u.flags).toEqual({ port: 19000, auth: "none", token: true });
    const l = parseLaunchdPlist(
      "/p",
      "<key>EnvironmentVariables</key><dict><key>X</key><string>a&amp;b</string></dict><key>ProgramArguments</key><array><string>openclaw</string><string>--bind</string><string>lan</string></array>",
    );
    expect(l.env.X).toBe("a&b");
    expect(l.flags.bind).toBe("lan");
    expect(parsePortSpec("0.0.0.0:18789:18789/tcp")).toEqual([
      { hostIp: "0.0.0.0", hostPort: 18789, containerPort: 18789 },
    ]);
    expect(parsePortSpec("127.0.0.1:1:18789")[0]!.hostIp).toBe("127.0.0.1");
    expect(parsePortSpec("[::1]:18789:18789")[0]!.hostIp).toBe("::1");
    expect(parsePortSpec({ target: 18789, published: 8080, host_ip: "127.0.0.1" })).toEqual([
      { hostIp: "127.0.0.1", hostPort: 8080, containerPort: 18789 },
    ]);
    expect(parsePortSpec("18789")[0]).toMatchObject({ hostIp: "0.0.0.0", hostPort: 0 });
    const svcs = parseCompose(
      "/c.yml",
      `services:\n  gw:\n    image: openclaw:latest\n    ports:\n      - "18789:18789"\n      - "127.0.0.1:18791:18791"\n`,
    );
    const f = composeFindings(svcs);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: "CP-AUDIT-105", evidence: [{ path: "/c.yml", line: 5 }] });
  });

  it("audits a whole fake home without looking at the real one", async () => {
    const home = fakeHome();
    const r = await runAudit({
      home,
      env: {},
      noProcesses: true,
      noLive: true,
      globalRoots: [],
      logDirs: [],
    });
    expect(r.targets).toHaveLength(4);
    expect(r.findings.some((f) => f.ruleId === "CP-AUDIT-105")).toBe(true);
    expect(r.findings.some((f) => f.ruleId === "CP-AUDIT-001")).toBe(true);
    expect(r.verdict.line).toMatch(/^CRITICAL/);
    // service env secrets never reach the JSON report
    expect(JSON.stringify(r)).not.toContain("0123456789abcdef0123456789abcdef");
    expect(JSON.stringify(r)).not.toContain("plist-token-0123456789abcdef");
  });
});

describe("socket tables", () => {
  it("parses /proc/net/tcp and tcp6", () => {
    const t4 =
      "  sl  local_address rem_address   st\n   0: 0100007F:4979 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 13135 1\n   1: 00000000:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1\n";
    expect(parseProcNet(t4, "tcp").map((e) => `${e.local}:${e.localPort}/${e.inode}`)).toEqual([
      "127.0.0.1:18809/13135",
      "0.0.0.0:18789/99",
    ]);
    const t6 =
      "  sl\n   0: 00000000000000000000000001000000:4979 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 7 1\n   1: 0000000000000000FFFF00000100007F:4979 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 8 1\n   2: 00000000000000000000000000000000:4979 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 9 1\n";
    expect(parseProcNet(t6, "tcp6").map((e) => e.local)).toEqual(["::1", "::ffff:127.0.0.1", "::"]);
  });
  it("parses lsof and netstat output", () => {
    const lsof =
      "COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME\nnode 501 me 20u IPv4 0x1 0t0 TCP *:18789 (LISTEN)\nnode 501 me 21u IPv6 0x2 0t0 TCP [::1]:18791 (LISTEN)\n";
    expect(parseLsof(lsof).map((s) => `${s.address}:${s.port}:${s.pid}`)).toEqual([
      "0.0.0.0:18789:501",
      "::1:18791:501",
    ]);
    const ns =
      "  Proto  Local Address          Foreign Address        State           PID\n  TCP    0.0.0.0:18789          0.0.0.0:0              LISTENING       4242\n  TCP    [::1]:18791            [::]:0                 LISTENING       4242\n";
    expect(parseNetstat(ns).map((s) => `${s.address}:${s.port}:${s.pid}`)).toEqual([
      "0.0.0.0:18789:4242",
      "::1:18791:4242",
    ]);
  });
});
