// Live: real processes, a real network namespace. `audit --state-dir DIR` must count as DIR's
// only the sockets and logs that provably belong to it:
//   A  a gateway-looking process in another network namespace on DIR's gateway port: not DIR's
//   B  a process in our namespace on the same port whose command line names DIR: DIR's (proven)
//   C  a process in our namespace on DIR's browser-control side port that names nothing: a guess,
//      reported as "matched by port only"
//   D  a gateway process in the other namespace whose environment sets OPENCLAW_STATE_DIR=DIR,
//      listening beyond loopback on a side port there: DIR's (proven), a critical finding
// and a rolling log under a /tmp/openclaw-like dir written by an unrelated process is not read.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.ts";
import type { AuditReport } from "../../src/audit/types.ts";
import { describeLive } from "../support/live.ts";

const NS = `cp-test-${randomBytes(4).toString("hex")}`;
const PORT = 41000 + Math.floor(Math.random() * 8000);

function netnsReason(): string | null {
  if (process.platform !== "linux") return "network namespaces need Linux";
  try {
    execFileSync("ip", ["netns", "add", NS], { stdio: "pipe" });
    execFileSync("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "up"], { stdio: "pipe" });
    return null;
  } catch (err) {
    return `ip netns not permitted: ${String((err as Error).message).split("\n")[0]}`;
  }
}
const reason = netnsReason();

// Listens, says "ready" once listening, and lives until killed.
const LISTEN = `const [host, port] = process.argv.slice(1, 3);
require("node:net").createServer(() => {}).listen(Number(port), host, () => console.log("ready"));`;

const children: ChildProcess[] = [];
let root = "";
let report: AuditReport;

function start(cmd: string[], env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd[0]!, cmd.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(c);
    let err = "";
    c.stderr!.on("data", (d) => {
      err += d;
    });
    c.stdout!.once("data", () => resolve(c));
    c.once("exit", (code) => reject(new Error(`listener exited ${code}: ${err}`)));
  });
}

const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const node = process.execPath;

describeLive("audit attribution with real processes and a network namespace", reason, () => {
  let dir = "";
  let other = "";
  let logDir = "";
  const pids: Record<string, number> = {};

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "cp-attr-"));
    dir = join(root, "state");
    other = join(root, "other-state");
    logDir = join(root, "tmp-openclaw");
    mkdirSync(dir, { mode: 0o700 });
    mkdirSync(other, { mode: 0o700 });
    mkdirSync(join(root, "home"));
    mkdirSync(logDir);
    writeFileSync(
      join(dir, "openclaw.json"),
      `{ gateway: { port: ${PORT}, bind: "loopback", auth: { mode: "none" } } }`,
      { mode: 0o600 },
    );
    const inNs = (args: string[]) => ["ip", "netns", "exec", NS, node, "-e", LISTEN, ...args];
    pids.A = (await start(inNs(["0.0.0.0", String(PORT), "openclaw", "gateway"]), baseEnv)).pid!;
    pids.B = (await start([node, "-e", LISTEN, "127.0.0.1", String(PORT), dir], baseEnv)).pid!;
    pids.C = (await start([node, "-e", LISTEN, "127.0.0.1", String(PORT + 2)], baseEnv)).pid!;
    pids.D = (
      await start(inNs(["0.0.0.0", String(PORT + 3), "openclaw", "gateway"]), {
        ...baseEnv,
        OPENCLAW_STATE_DIR: dir,
      })
    ).pid!;
    // the shared rolling log: one file written by an unrelated process for another install,
    // one whose gateway start names DIR
    const rec = (o: Record<string, unknown>) => `${JSON.stringify({ time: "2026-12-07T10:00:00Z", ...o })}\n`;
    const cron = (stateDir: string) =>
      rec({
        "0": JSON.stringify({ module: "cron", storePath: `${stateDir}/cron/jobs.json` }),
        "2": "cron: started",
      });
    const theirs = join(logDir, "openclaw-2026-12-06.log");
    const ours = join(logDir, "openclaw-2026-12-07.log");
    const write = (path: string, text: string) =>
      execFileSync(node, [
        "-e",
        "require('node:fs').appendFileSync(process.argv[1], process.argv[2])",
        path,
        text,
      ]);
    write(theirs, cron(other) + rec({ "1": "webchat connected remote=203.0.113.9 client=x" }));
    write(ours, cron(dir) + rec({ "1": "webchat connected remote=203.0.113.10 client=y" }));
    report = await runAudit({
      stateDir: dir,
      configPath: join(dir, "openclaw.json"),
      home: join(root, "home"),
      env: {},
      globalRoots: [],
      logDirs: [logDir],
      assume: { product: "openclaw", version: "2026.9.6" },
    });
  }, 60_000);

  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    try {
      execFileSync("ip", ["netns", "del", NS], { stdio: "pipe" });
    } catch {
      // already gone
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const listening = () => report.targets[0]!.listening ?? [];
  const byPid = (pid: number) => listening().find((s) => s.pid === pid);

  it("the gateway in another namespace on the same port is not this install's", () => {
    expect(report.live.sockets.some((s) => s.pid === pids.A && s.port === PORT && s.netns)).toBe(true);
    expect(byPid(pids.A!)).toBeUndefined();
    const exposure = report.findings.filter((f) => f.ruleId === "CP-AUDIT-100");
    expect(exposure).toEqual([]);
  });

  it("the process whose command line names the state dir is, and says how", () => {
    expect(byPid(pids.B!)).toMatchObject({
      port: PORT,
      netns: null,
      attribution: { proven: true, how: expect.stringContaining(`names ${dir} on its command line`) },
    });
  });

  it("a side-port listener that names nothing is only a guess, and says so", () => {
    expect(byPid(pids.C!)).toMatchObject({
      port: PORT + 2,
      attribution: { proven: false, how: expect.stringMatching(/^matched by port only/) },
    });
  });

  it("the gateway whose environment names the state dir is, in any namespace: critical side-port finding", () => {
    expect(byPid(pids.D!)).toMatchObject({ port: PORT + 3, attribution: { proven: true } });
    const side = report.findings.filter((f) => f.ruleId === "CP-AUDIT-101");
    expect(side.map((f) => [f.severity, f.asset])).toEqual([["critical", `0.0.0.0:${PORT + 3}`]]);
    expect(side[0]!.evidence[0]!.detail).toContain(`pid ${pids.D} is this install's gateway process`);
  });

  it("a log under the shared dir written for another install is not read; the one naming DIR is", () => {
    const ips = report.findings.filter((f) => f.group === "compromise").map((f) => f.asset);
    expect(ips).toContain("203.0.113.10");
    expect(ips).not.toContain("203.0.113.9");
    const logs = report.targets[0]!.logs!;
    expect(logs.read).toEqual([join(logDir, "openclaw-2026-12-07.log")]);
    expect(logs.skipped).toEqual([
      { path: join(logDir, "openclaw-2026-12-06.log"), why: `written by another install (${other})` },
    ]);
    expect(report.notes.some((n) => n.includes("openclaw-2026-12-06.log"))).toBe(true);
  });
});
