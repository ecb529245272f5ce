// `clawpatrol serve` as a user runs it: it refuses a non-loopback bind without a token (exit 2,
// one line), prints where it listens, answers over HTTP on 127.0.0.1, holds the store while it
// runs, and on SIGTERM / Ctrl-C closes the server and the store and exits 0.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const work = mkdtempSync(join(tmpdir(), "clawpatrol-serve-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TOKEN = "cli-test-token-0123456789abcdef";

/**
 * The environment of a user without DATABASE_URL or a token: PGlite under a fresh home. Empty
 * values, not missing keys: runClawpatrol merges this over the test process's own environment.
 */
function env(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CLAWPATROL_HOME: home, DATABASE_URL: "", CLAWPATROL_TOKEN: "", ...extra };
}

interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Start `clawpatrol serve ...` and wait for the line that says where it listens. */
function startServe(args: string[], e: NodeJS.ProcessEnv): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}/bin/clawpatrol.mjs`, "serve", ...args], {
      cwd: REPO_ROOT,
      env: e,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    child.stderr!.on("data", (d) => {
      stderr += d;
      const m = /dashboard on (http:\/\/\S+\/)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stderr: () => stderr, exited });
      }
    });
    child.on("error", reject);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${stderr}`));
    });
  });
}

describe("clawpatrol serve (CLI)", () => {
  it("refuses a non-loopback bind without a token: exit 2, one line", async () => {
    for (const host of ["0.0.0.0", "::", "192.0.2.10"]) {
      const r = await runClawpatrol(["serve", "--host", host], { env: env(join(work, "refuse")) });
      expect(r.code, host).toBe(2);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toContain(`refusing to serve on ${host} without an auth token`);
      expect(r.stdout).toBe("");
    }
    // Refused before the store is ever opened.
    expect(existsSync(join(work, "refuse", "db"))).toBe(false);
  });

  it("refuses a short token and a bad port: exit 2, one line", async () => {
    const short = await runClawpatrol(["serve", "--host", "0.0.0.0", "--token", "short"], {
      env: env(join(work, "refuse")),
    });
    expect(short.code).toBe(2);
    expect(isOneLineError(short.stderr)).toBe(true);
    expect(short.stderr).toContain("at least 16 characters");
    const port = await runClawpatrol(["serve", "--port", "70000"], { env: env(join(work, "refuse")) });
    expect(port.code).toBe(2);
    expect(isOneLineError(port.stderr)).toBe(true);
  });

  it("serves on 127.0.0.1, holds the store, and stops cleanly on SIGTERM and on Ctrl-C", async () => {
    const home = join(work, "run");
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const s = await startServe(["--port", "0"], env(home));
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(s.stderr()).toContain(`store: pglite ${join(home, "db")}`);
      const o = await (await fetch(`${s.url}api/overview`)).json();
      expect(o).toMatchObject({ live: 0, everSeen: 0, day: null });
      const page = await fetch(s.url);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
      // PGlite is one process's: while serve runs it holds the store, and other commands reach
      // the store through it (test/server/served-store.test.ts).
      expect(existsSync(join(home, "db", "clawpatrol.lock"))).toBe(true);
      expect(existsSync(join(home, "db", "clawpatrol-serve.json"))).toBe(true);
      s.child.kill(signal);
      expect(await s.exited).toBe(0);
      expect(s.stderr()).toContain(`dashboard stopped (${signal})`);
      expect(s.stderr()).not.toMatch(/\n\s+at /);
      expect(existsSync(join(home, "db", "clawpatrol.lock"))).toBe(false);
      expect(existsSync(join(home, "db", "clawpatrol-serve.json"))).toBe(false);
    }
  }, 60_000);

  it("with CLAWPATROL_TOKEN every request needs it", async () => {
    const s = await startServe(["--port", "0"], env(join(work, "token"), { CLAWPATROL_TOKEN: TOKEN }));
    try {
      expect(s.stderr()).toContain("token required");
      expect((await fetch(`${s.url}api/overview`)).status).toBe(401);
      expect((await fetch(`${s.url}metrics`)).status).toBe(401);
      const ok = await fetch(`${s.url}api/overview`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      const page = await fetch(s.url, { redirect: "manual" });
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toBe("/login?next=%2F");
    } finally {
      s.child.kill("SIGTERM");
      expect(await s.exited).toBe(0);
    }
  }, 60_000);
});
