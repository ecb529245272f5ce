// While `clawpatrol serve` holds the PGlite store, the other store commands work through it:
// a real serve process, and real inventory / export / runs / import / scan --store processes
// against a replayed gateway. The store API is for the secret serve leaves (mode 600) beside
// the store, and for nothing else.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/model.ts";
import { evidencePin } from "../../src/findings/suppress.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { ndjson, synthetic } from "../store/records.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-served-"));
const home = join(work, "home");
const TOKEN = "served-store-token-0123456789abcdef";
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  CLAWPATROL_HOME: home,
  DATABASE_URL: "",
  CLAWPATROL_TOKEN: "",
  ...extra,
});
const run = (args: string[]) => runClawpatrol(args, { env: env() });

interface Serving {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServe(e: NodeJS.ProcessEnv): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}/bin/clawpatrol.mjs`, "serve", "--port", "0"], {
      cwd: REPO_ROOT,
      env: e,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    child.stderr!.on("data", (d) => {
      stderr += d;
      const m = /dashboard on (http:\/\/\S+\/)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stderr: () => stderr, exited });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${stderr}`));
    });
  });
}

let gw: ReplayServer;
let serve: Serving;
const serveFile = join(home, "db", "clawpatrol-serve.json");

beforeAll(async () => {
  gw = await startReplayServer(
    transcriptFromJson(
      readFileSync(new URL("../fixtures/zoo/local/oc96-loopback-noauth.json", import.meta.url), "utf8"),
    ),
  );
  serve = await startServe(env({ CLAWPATROL_TOKEN: TOKEN }));
}, 90_000);
afterAll(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill("SIGTERM");
    await serve.exited;
  }
  await gw?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("store commands while serve holds the store", () => {
  it("serve leaves its loopback URL and a secret, readable by the user only", () => {
    const st = statSync(serveFile);
    expect(st.mode & 0o777).toBe(0o600);
    const f = JSON.parse(readFileSync(serveFile, "utf8")) as { pid: number; url: string; secret: string };
    expect(f.pid).toBe(serve.child.pid);
    expect(f.url).toBe(serve.url);
    expect(f.secret).toMatch(/^[\w-]{43}$/);
    expect(f.secret).not.toBe(TOKEN);
  });

  it("scan --store goes into the served store and says what it stored; inventory, runs and export read it", async () => {
    const scan = await run([
      "scan",
      "127.0.0.1",
      "-p",
      String(gw.port),
      "--store",
      "--fail-on",
      "none",
      "--no-progress",
    ]);
    expect(scan.code, scan.stderr).toBe(0);
    const line =
      /stored run (scan-[\w-]+) in the store of the dashboard at (\S+) \(process (\d+)\): 1 record; gateway assets 1 new, 0 changed, 0 closed, 0 reopened/.exec(
        scan.stderr,
      );
    expect(line, scan.stderr).not.toBeNull();
    expect(line![2]).toBe(serve.url);
    expect(Number(line![3])).toBe(serve.child.pid);
    const runId = line![1]!;

    const inv = await run(["inventory", "--json"]);
    expect(inv.code, inv.stderr).toBe(0);
    expect(
      inv.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      expect.objectContaining({ ip: "127.0.0.1", port: gw.port, product: "openclaw", auth: "not-required" }),
    ]);
    // Filters are checked on this side and on the server's.
    const none = await run(["inventory", "--json", "--product", "clawdbot"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe("");

    const runs = await run(["runs", "--json"]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(
      runs.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      expect.objectContaining({
        id: runId,
        kind: "scan",
        status: "complete",
        endpoints: 1,
        gateways: 1,
        scope: `127.0.0.1 × port ${gw.port}`,
      }),
    ]);

    const records = await run(["export", "--run", runId]);
    expect(records.code, records.stderr).toBe(0);
    expect(JSON.parse(records.stdout.trim())).toMatchObject({ port: gw.port, product: "openclaw" });
    const sarif = await run(["export", "-f", "sarif"]);
    expect(sarif.code, sarif.stderr).toBe(0);
    expect(JSON.parse(sarif.stdout).runs[0].results.length).toBeGreaterThan(0);
    // A finding suppressed from the dashboard leaves the exports made through it too.
    const secret = (JSON.parse(readFileSync(serveFile, "utf8")) as { secret: string }).secret;
    const stored = (await (
      await fetch(`${serve.url}api/store/findings`, { headers: { authorization: `Bearer ${secret}` } })
    ).json()) as { finding: Finding }[];
    const noAuth = stored.find((f) => f.finding.ruleId === "CP-SCAN-002")!.finding;
    const added = await fetch(`${serve.url}api/suppressions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        rule: noAuth.ruleId,
        path: noAuth.asset,
        sha256: evidencePin(noAuth),
        reason: "test gateway on loopback",
        expires: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
      }),
    });
    expect(added.status, await added.clone().text()).toBe(201);
    const held = await run(["export", "-f", "sarif"]);
    expect(held.code, held.stderr).toBe(0);
    const ruleIds = (JSON.parse(held.stdout).runs[0].results as { ruleId: string }[]).map((r) => r.ruleId);
    expect(ruleIds).not.toContain("CP-SCAN-002");
    expect(JSON.parse(sarif.stdout).runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain(
      "CP-SCAN-002",
    );
    expect(held.stderr).toContain("1 suppressed finding(s) left out");
    const bogus = await run(["export", "--run", "bogus"]);
    expect(bogus.code).toBe(2);
    expect(isOneLineError(bogus.stderr), bogus.stderr).toBe(true);
    expect(bogus.stderr).toContain("no run bogus");

    // The dashboard itself sees what went in through it.
    const o = (await (
      await fetch(`${serve.url}api/overview`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { live: number };
    expect(o.live).toBe(1);
  }, 120_000);

  it("import goes through serve too, once", async () => {
    const file = join(work, "import.ndjson");
    writeFileSync(file, ndjson(Array.from({ length: 12 }, (_, i) => synthetic(i, 0))));
    const first = await run(["import", file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/imported: 12 records, 0 rejected/);
    expect(first.stderr).toMatch(/stored run import-\w+ in the store of the dashboard .*: 12 records/);
    const again = await run(["import", file]);
    expect(again.stdout).toMatch(/already imported/);
    const inv = await run(["inventory", "--json", "--network", "10.0.0.0/8"]);
    expect(inv.stdout.trim().split("\n").length).toBe(12);
  }, 120_000);

  it("the store API takes only the secret: not the dashboard token, not a guess", async () => {
    const secret = (JSON.parse(readFileSync(serveFile, "utf8")) as { secret: string }).secret;
    const get = (auth: string) =>
      fetch(`${serve.url}api/store/runs`, { headers: { authorization: `Bearer ${auth}` } });
    expect((await get(secret)).status).toBe(200);
    const token = await get(TOKEN);
    expect(token.status).toBe(403);
    expect(((await token.json()) as { error: string }).error).toMatch(/store API/);
    expect((await get("x".repeat(43))).status).toBe(401);
    // Bad writes are refused with the reason, not stored.
    const post = (path: string, body: string) =>
      fetch(`${serve.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body,
      });
    const badRun = await post("api/store/runs", JSON.stringify({ id: "x", kind: "nope", startedAt: "now" }));
    expect(badRun.status).toBe(400);
    const made = await post(
      "api/store/runs",
      JSON.stringify({ id: "scan-api-test", kind: "scan", startedAt: new Date().toISOString() }),
    );
    expect(made.status).toBe(200);
    const badRecord = await post(
      "api/store/runs/scan-api-test/records",
      JSON.stringify([{ seq: 0, observation: { schema: "nope" } }]),
    );
    expect(badRecord.status).toBe(400);
    expect(((await badRecord.json()) as { error: string }).error).toMatch(/^\[0\]\.observation: /);
    expect((await post("api/store/runs/no-such-run/complete", "{}")).status).toBe(404);
  });

  it("after serve stops, the commands open the store themselves", async () => {
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(() => statSync(serveFile)).toThrow();
    const runs = await run(["runs"]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(/\n3 runs\n$/);
  }, 60_000);
});
