// Live: two hosts, each in a network namespace of its own, audit their own OpenClaw config and
// report to one `clawpatrol serve` running in a third namespace, over veth links this test
// creates (10.231.x.0/30, inside its namespaces only). Each report is stored under its host;
// one host using the other's token is refused and stores nothing; a revoked token is refused;
// the roll-up is then checked against a policy from the store.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { STARTER_POLICY } from "../../src/policy/starter.ts";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const ID = randomBytes(3).toString("hex");
const NS = { srv: `cpf-${ID}-srv`, a: `cpf-${ID}-a`, b: `cpf-${ID}-b` };
const PORT = 18_000 + Math.floor(Math.random() * 1000);
const TOKEN = `dashboard-${randomBytes(16).toString("hex")}`;
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });

function setUp(): string | null {
  if (process.platform !== "linux") return "network namespaces need Linux";
  try {
    for (const ns of Object.values(NS)) {
      ip("netns", "add", ns);
      ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }
    // srv <-> a on 10.231.1.0/30, srv <-> b on 10.231.2.0/30
    for (const [i, host] of [
      [1, NS.a],
      [2, NS.b],
    ] as const) {
      const [s, h] = [`cpf${ID}s${i}`, `cpf${ID}h${i}`];
      ip("link", "add", s, "netns", NS.srv, "type", "veth", "peer", "name", h, "netns", host);
      ip("-n", NS.srv, "addr", "add", `10.231.${i}.1/30`, "dev", s);
      ip("-n", host, "addr", "add", `10.231.${i}.2/30`, "dev", h);
      ip("-n", NS.srv, "link", "set", s, "up");
      ip("-n", host, "link", "set", h, "up");
    }
    return null;
  } catch (err) {
    tearDown();
    return `ip netns not permitted: ${String((err as Error).message).split("\n")[0]}`;
  }
}

function tearDown(): void {
  for (const ns of Object.values(NS))
    try {
      ip("netns", "del", ns);
    } catch {
      // not created
    }
}

const reason = setUp();
const work = mkdtempSync(join(tmpdir(), "cp-fleet-two-"));
const env = {
  ...process.env,
  CLAWPATROL_HOME: join(work, "server-home"),
  DATABASE_URL: "",
  CLAWPATROL_TOKEN: "",
};
let serve: ChildProcess | null = null;
let serveLog = "";

/** Run the CLI inside a namespace, as that host would. */
function inNs(ns: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      "ip",
      ["netns", "exec", ns, process.execPath, `${REPO_ROOT}/bin/clawpatrol.mjs`, ...args],
      {
        env: { ...process.env, DATABASE_URL: "", CLAWPATROL_FLEET_TOKEN: "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    c.stdout!.on("data", (d) => {
      stdout += d;
    });
    c.stderr!.on("data", (d) => {
      stderr += d;
    });
    c.on("error", reject);
    c.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function hostFiles(name: string, config: string) {
  const dir = join(work, name);
  mkdirSync(join(dir, "state"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "openclaw.json"), config, { mode: 0o600 });
  return dir;
}

function audit(ns: string, dir: string, host: string, tokenFile: string, url: string) {
  return inNs(ns, [
    "audit",
    "--state-dir",
    join(dir, "state"),
    "--config",
    join(dir, "openclaw.json"),
    "--home",
    dir,
    "--assume-version",
    "openclaw@2026.9.6",
    "-o",
    join(dir, "audit.txt"),
    "--fail-on",
    "none",
    "--report-to",
    url,
    "--report-token-file",
    tokenFile,
    "--report-host",
    host,
  ]);
}

async function stopServe(): Promise<void> {
  if (!serve) return;
  const s = serve;
  serve = null;
  const done = new Promise((r) => s.once("close", r));
  s.kill("SIGTERM");
  await done;
}

afterAll(async () => {
  await stopServe();
  tearDown();
  rmSync(work, { recursive: true, force: true });
});

describeLive("two hosts in their own network namespaces report to one serve", reason, () => {
  const dirA = hostFiles("a", `{ gateway: { bind: "lan", auth: { mode: "none" } } }\n`);
  const dirB = hostFiles(
    "b",
    `{ gateway: { bind: "loopback", auth: { mode: "token", token: "${"k".repeat(40)}" } } }\n`,
  );

  beforeAll(async () => {
    // tokens first: a PGlite store is held by serve while it runs
    for (const h of ["host-a", "host-b", "host-c"]) {
      const r = await runClawpatrol(["fleet", "token", "create", h], { env });
      expect(r.code, r.stderr).toBe(0);
      writeFileSync(join(work, `${h}.token`), r.stdout, { mode: 0o600 });
    }
    expect((await runClawpatrol(["fleet", "token", "revoke", "host-c"], { env })).code).toBe(0);
    await new Promise<void>((resolve, reject) => {
      serve = spawn(
        "ip",
        [
          "netns",
          "exec",
          NS.srv,
          process.execPath,
          `${REPO_ROOT}/bin/clawpatrol.mjs`,
          "serve",
          "--host",
          "0.0.0.0",
          "--port",
          String(PORT),
          "--token",
          TOKEN,
        ],
        { env, stdio: ["ignore", "pipe", "pipe"] },
      );
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${serveLog}`)), 30_000);
      serve.stderr!.on("data", (d) => {
        serveLog += d;
        if (/dashboard on /.test(serveLog)) {
          clearTimeout(timer);
          resolve();
        }
      });
      serve.once("close", (code) => reject(new Error(`serve exited ${code}: ${serveLog}`)));
    });
  }, 90_000);

  it("each host's audit reaches serve over its own link and is stored under its name", async () => {
    const a = await audit(NS.a, dirA, "host-a", join(work, "host-a.token"), `http://10.231.1.1:${PORT}/`);
    expect(a.stderr).toMatch(
      /report stored by http:\/\/10\.231\.1\.1:\d+\/api\/fleet\/reports as fleet-audit-/,
    );
    expect(a.code).toBe(0);
    const b = await audit(NS.b, dirB, "host-b", join(work, "host-b.token"), `http://10.231.2.1:${PORT}`);
    expect(b.stderr).toMatch(/report stored by .* as fleet-audit-/);
    expect(b.code).toBe(0);
  }, 60_000);

  it("a host using the other host's token, or a revoked one, is refused: exit 3, one line", async () => {
    const stolen = await audit(
      NS.b,
      dirB,
      "host-b",
      join(work, "host-a.token"),
      `http://10.231.2.1:${PORT}/`,
    );
    expect(stolen.code).toBe(3);
    expect(stolen.stderr.trim()).toMatch(
      /^clawpatrol: report refused by .* \(403\): this token belongs to another host, not host-b$/,
    );
    const revoked = await audit(
      NS.b,
      dirB,
      "host-c",
      join(work, "host-c.token"),
      `http://10.231.2.1:${PORT}/`,
    );
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/\(401\): unknown or revoked host token/);
    // host a cannot reach host b's link: the namespaces are apart
    const unreachable = await audit(
      NS.a,
      dirA,
      "host-a",
      join(work, "host-a.token"),
      `http://10.231.2.1:${PORT}/`,
    );
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/report not delivered: cannot reach/);
  }, 90_000);

  it("the store holds one report per host, and the policy is judged per host", async () => {
    await stopServe();
    const hosts = JSON.parse((await runClawpatrol(["fleet", "hosts", "--json"], { env })).stdout) as {
      host: string;
      reports: number;
      revokedAt: string | null;
    }[];
    expect(hosts.map((h) => [h.host, h.reports, h.revokedAt !== null])).toEqual([
      ["host-a", 1, false],
      ["host-b", 1, false],
      ["host-c", 0, true],
    ]);
    writeFileSync(join(work, "policy.yml"), STARTER_POLICY);
    const check = await runClawpatrol(
      ["policy", "check", "--policy", join(work, "policy.yml"), "--from-store", "--json"],
      { env },
    );
    expect(check.code).toBe(1);
    const auth = (
      JSON.parse(check.stdout).clauses as { clause: string; subjects: { asset: string; status: string }[] }[]
    ).find((c) => c.clause === "gateway.requireAuth")!;
    const status = (prefix: string) =>
      auth.subjects.filter((s) => s.asset.startsWith(prefix)).map((s) => s.status);
    expect(status("host-a:")).toContain("fail");
    expect(status("host-b:")).not.toContain("fail");
  }, 60_000);
});
