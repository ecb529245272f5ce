// The single executable (npm run build:sea → dist-sea/clawpatrol), built once and run inside
// a fresh network namespace that has only loopback, with a PATH holding no `node`: --version
// (the first start unpacks the package into the cache dir), an audit of a fixture state dir
// and a scan of a recorded gateway replayed on the namespace's loopback.
// Skips with a reason when the build or the namespace cannot be had (not linux-x64, not
// root, no unshare, no postject); under CLAWPATROL_REQUIRE_LIVE=1 it must run.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { REPO_ROOT } from "../support/zoo.ts";
import { type Ran, runProgram } from "./support.ts";

const EXE = join(REPO_ROOT, "dist-sea", "clawpatrol");
const AUDIT_FIXTURE = new URL("../fixtures/audit/dangerous-oc313/", import.meta.url).pathname;
const TRANSCRIPT = new URL("../fixtures/zoo/local/cb124-loopback-noauth.json", import.meta.url).pathname;
const DRIVER = new URL("./sea-netns-driver.ts", import.meta.url).pathname;

function missing(): string | null {
  if (process.platform !== "linux" || process.arch !== "x64")
    return `built for linux-x64 only, this is ${process.platform}-${process.arch}`;
  if (process.getuid?.() !== 0) return "network namespaces need root";
  if (spawnSync("unshare", ["--version"]).status !== 0) return "unshare (util-linux) is not installed";
  if (spawnSync("ip", ["-V"]).status !== 0) return "ip (iproute2) is not installed";
  try {
    createRequire(import.meta.url).resolve("postject");
  } catch {
    return "postject is not installed (npm ci)";
  }
  const probe = spawnSync("unshare", ["-n", "true"]);
  if (probe.status !== 0) return `unshare -n fails here: ${String(probe.stderr).trim()}`;
  return null;
}

interface DriverResult {
  links: string[];
  port: number;
  firstVersion: Ran & { ms: number };
  version: Ran & { ms: number };
  audit: Ran;
  scan: Ran;
  inventory: Ran;
}

describeLive("single executable (Node SEA)", missing(), () => {
  let cache = "";
  let result: DriverResult;
  let build: Ran;
  let cloneAudit: Ran;

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), "clawpatrol-sea-"));
    build = await runProgram(process.execPath, [join(REPO_ROOT, "scripts", "build-sea.ts")], {
      timeoutMs: 300_000,
    });
    if (build.code !== 0) throw new Error(`build:sea failed: ${build.stderr.slice(-1000)}`);
    const ran = await runProgram(
      "unshare",
      ["-n", process.execPath, DRIVER, EXE, TRANSCRIPT, AUDIT_FIXTURE, cache],
      {
        timeoutMs: 120_000,
      },
    );
    if (ran.code !== 0) throw new Error(`driver in the namespace failed: ${ran.stderr.slice(-1000)}`);
    result = JSON.parse(ran.stdout) as DriverResult;
    cloneAudit = await runClawpatrol(["audit", "--no-live", "--state-dir", AUDIT_FIXTURE, "--json"]);
  }, 420_000);

  afterAll(async () => {
    if (cache) await rm(cache, { recursive: true, force: true });
  });

  it("is one file under 120 MB", () => {
    expect(existsSync(EXE)).toBe(true);
    expect(statSync(EXE).size).toBeLessThan(120e6);
    expect(build.stdout).toMatch(/^build:sea: dist-sea\/clawpatrol /m);
  });

  it("runs where the only network is loopback", () => {
    expect(result.links).toEqual(["lo"]);
  });

  it("prints its version, unpacking itself at the first start", async () => {
    const clone = await runClawpatrol(["--version"]);
    for (const r of [result.firstVersion, result.version]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(clone.stdout);
    }
    expect(existsSync(join(cache, "clawpatrol", "sea"))).toBe(true);
  });

  it("audits a fixture state dir as the clone does", () => {
    const ids = (r: Ran) =>
      (JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId).sort();
    expect(result.audit.code, result.audit.stderr).toBe(cloneAudit.code);
    expect(ids(result.audit).length).toBeGreaterThan(0);
    expect(ids(result.audit)).toEqual(ids(cloneAudit));
  });

  it("scans a gateway replayed on the namespace's loopback", () => {
    expect(result.scan.code, result.scan.stderr).toBe(1);
    const records = result.scan.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { port: number; product: string; version: string; auth: string });
    expect(records.map((o) => [o.port, o.product, o.version, o.auth])).toEqual([
      [result.port, "clawdbot", "2026.1.24-3", "not-required"],
    ]);
  });

  it("keeps the scan in its embedded store (PGlite) and lists it", () => {
    expect(result.inventory.code, result.inventory.stderr).toBe(0);
    const assets = result.inventory.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(assets).toHaveLength(1);
    expect(assets[0]).toMatchObject({ port: result.port, product: "clawdbot", version: "2026.1.24-3" });
  });
});
