// Live: a real gateway from the zoo install, in a namespace we create, reachable from a
// second namespace. The audit (with --probe, inside the namespace) sees it listening on
// the veth address; `fix --apply --allow-lockout` repairs the config; after a restart the
// gateway still starts, answers on loopback, and the other namespace can no longer reach it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildEntry, ZOO_HOME, ZOO_NODE, zooAvailable } from "../audit/support/cases.ts";
import {
  canConnect,
  createPair,
  destroyPair,
  killAllIn,
  type NsPair,
  netnsUnavailable,
} from "../firewall/support/netns.ts";
import { describeLive } from "../support/live.ts";

const CLI = join(import.meta.dirname, "../../bin/clawpatrol.mjs");

interface Gw {
  build: string;
  port: number;
  config: (addr: string) => string;
}

const GATEWAYS: Gw[] = [
  {
    build: "openclaw-2026.9.6",
    port: 18789,
    config: (addr) => `// lan gateway for the fix test
{
  gateway: {
    mode: "local",
    port: 18789,
    bind: "lan",
    auth: { mode: "token", token: "fix-test-token-01" },
    controlUi: { allowedOrigins: ["http://${addr}:18789"] },
  },
  discovery: { mdns: { mode: "full" } },
  update: { checkOnStart: false },
  models: { catalogRefresh: { enabled: false } },
  telemetry: { enabled: false },
  logging: { file: "__ROOT__/gw.log" },
}
`,
  },
  {
    build: "clawdbot-2026.1.24-3",
    port: 18909,
    config: () => `// clawdbot on all interfaces with a short token
{
  gateway: { mode: "local", port: 18909, bind: "lan", auth: { mode: "token", token: "short-token-1" } },
  update: { checkOnStart: false },
  logging: { file: "__ROOT__/gw.log" },
}
`,
  },
];

function reason(): string | null {
  return (
    zooAvailable() ??
    netnsUnavailable() ??
    (spawnSync("test", ["-d", join(ZOO_HOME, "inst")]).status === 0 ? null : "zoo install missing")
  );
}

function startGateway(ns: string, build: string, root: string): ChildProcess {
  const env = [
    `PATH=${join(ZOO_NODE, "..")}:/usr/bin:/bin`,
    `HOME=${join(root, "home")}`,
    `TMPDIR=${join(root, "tmp")}`,
    "LANG=C.UTF-8",
    "NO_COLOR=1",
    `OPENCLAW_STATE_DIR=${join(root, "state")}`,
    `OPENCLAW_CONFIG_PATH=${join(root, "openclaw.json")}`,
    `CLAWDBOT_STATE_DIR=${join(root, "state")}`,
    `CLAWDBOT_CONFIG_PATH=${join(root, "openclaw.json")}`,
    "OPENCLAW_DISABLE_BONJOUR=1",
    "CLAWDBOT_DISABLE_BONJOUR=1",
    "OPENCLAW_NO_AUTO_UPDATE=1",
    "OPENCLAW_NO_RESPAWN=1",
    "CLAWDBOT_NO_RESPAWN=1",
    "OPENCLAW_SKIP_CHANNELS=1",
    "CLAWDBOT_SKIP_CHANNELS=1",
    "OPENCLAW_EXEC_SHELL_SNAPSHOT=0",
    "DO_NOT_TRACK=1",
  ];
  const log = join(root, `console-${Date.now()}.log`);
  writeFileSync(log, "");
  return spawn(
    "ip",
    ["netns", "exec", ns, "env", "-i", ...env, ZOO_NODE, buildEntry(build), "gateway", "run"],
    {
      stdio: ["ignore", "ignore", "ignore"],
      detached: true,
    },
  );
}

async function waitListening(ns: string, host: string, port: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (canConnect(ns, host, port, 500)) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

async function stopGateway(child: ChildProcess, ns: string): Promise<void> {
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    // already gone
  }
  const until = Date.now() + 20_000;
  while (Date.now() < until && child.exitCode === null && child.signalCode === null)
    await new Promise((r) => setTimeout(r, 250));
  killAllIn(ns);
}

function cli(ns: string | null, args: string[]): { status: number; stdout: string; stderr: string } {
  const argv = ns
    ? ["ip", ["netns", "exec", ns, process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const r = spawnSync(argv[0] as string, argv[1] as string[], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

describeLive("fix --apply on a real gateway, then restart", reason(), () => {
  const pairs: NsPair[] = [];
  const roots: string[] = [];
  beforeAll(() => {});
  afterAll(() => {
    for (const p of pairs) destroyPair(p);
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  GATEWAYS.forEach((g, i) => {
    it(`${g.build}: exposed before, still starts after the fix, unreachable from the other namespace`, {
      timeout: 600_000,
    }, async () => {
      const pair = createPair(`cpfix${i}`, 2 + i);
      pairs.push(pair);
      const root = mkdtempSync(join(tmpdir(), `cpfix-${g.build}-`));
      roots.push(root);
      for (const d of ["state", "home", "tmp"]) mkdirSync(join(root, d));
      chmodSync(join(root, "state"), 0o755);
      const cfgPath = join(root, "openclaw.json");
      writeFileSync(cfgPath, g.config(pair.gwAddr).replaceAll("__ROOT__", root), { mode: 0o644 });
      chmodSync(cfgPath, 0o644);
      const sd = join(root, "state");

      let gw = startGateway(pair.gw, g.build, root);
      try {
        expect(await waitListening(pair.gw, "127.0.0.1", g.port, 180_000)).toBe(true);
        expect(canConnect(pair.scan, pair.gwAddr, g.port)).toBe(true);

        // the audit, run inside the namespace, sees the live socket and confirms it with --probe
        const before = cli(pair.gw, [
          "audit",
          "--state-dir",
          sd,
          "--config",
          cfgPath,
          "--probe",
          "--json",
          "--fail-on",
          "none",
        ]);
        expect(before.status, before.stderr).toBe(0);
        const rep = JSON.parse(before.stdout);
        const live = rep.findings.find((f: { ruleId: string }) => f.ruleId === "CP-AUDIT-100");
        expect(live, JSON.stringify(rep.findings.map((f: { ruleId: string }) => f.ruleId))).toBeTruthy();
        expect(JSON.stringify(live.evidence)).toContain(`${pair.gwAddr}:${g.port}`);
        expect(
          rep.live.probes.some(
            (p: { address: string; reachable: boolean }) => p.address === pair.gwAddr && p.reachable,
          ),
        ).toBe(true);

        // preview changes nothing; apply without --allow-lockout holds the bind back (remote use evidence)
        const original = readFileSync(cfgPath, "utf8");
        expect(cli(null, ["fix", "--state-dir", sd, "--config", cfgPath]).status).toBe(0);
        expect(readFileSync(cfgPath, "utf8")).toBe(original);
        const applied = cli(null, [
          "fix",
          "--state-dir",
          sd,
          "--config",
          cfgPath,
          "--apply",
          "--allow-lockout",
        ]);
        expect(applied.status, applied.stderr + applied.stdout).toBe(0);
        const fixed = JSON5.parse(readFileSync(cfgPath, "utf8"));
        expect(fixed.gateway.bind).toBe("loopback");
        expect(fixed.gateway.auth.token).toHaveLength(43);
        expect(readFileSync(cfgPath, "utf8")).toContain("// ");

        await stopGateway(gw, pair.gw);
        gw = startGateway(pair.gw, g.build, root);
        expect(await waitListening(pair.gw, "127.0.0.1", g.port, 180_000)).toBe(true);
        expect(canConnect(pair.scan, pair.gwAddr, g.port)).toBe(false);

        const after = cli(pair.gw, [
          "audit",
          "--state-dir",
          sd,
          "--config",
          cfgPath,
          "--probe",
          "--json",
          "--fail-on",
          "none",
        ]);
        const rep2 = JSON.parse(after.stdout);
        expect(
          rep2.findings.filter((f: { ruleId: string }) =>
            ["CP-AUDIT-100", "CP-AUDIT-001", "CP-AUDIT-029"].includes(f.ruleId),
          ),
        ).toEqual([]);
      } finally {
        await stopGateway(gw, pair.gw);
      }
    });
  });
});
