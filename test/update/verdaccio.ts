// A real npm registry for the update tests: verdaccio from node_modules on 127.0.0.1, with
// a config of its own in a temp dir and no uplinks, so it never proxies to the public
// registry; plus the npm client set up to publish to it (and nowhere else).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../support/zoo.ts";

export interface LocalRegistry {
  url: string;
  /** Where verdaccio keeps the packages (storage/<name>/<name>-<version>.tgz). */
  storage: string;
  /** Run the npm client against this registry (publish, deprecate). */
  npm(args: string[], cwd?: string): { status: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess, ms: number): Promise<string | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return `verdaccio exited with code ${child.exitCode}`;
    try {
      const res = await fetch(new URL("-/ping", url), { signal: AbortSignal.timeout(2000) });
      if (res.ok) return null;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return `verdaccio did not answer on ${url} within ${ms} ms`;
}

/** Start verdaccio; a string says why it could not be started. */
export async function startVerdaccio(): Promise<LocalRegistry | string> {
  const bin = join(REPO_ROOT, "node_modules", "verdaccio", "bin", "verdaccio");
  const dir = mkdtempSync(join(tmpdir(), "clawpatrol-verdaccio-"));
  const storage = join(dir, "storage");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${storage}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "    max_users: 10",
      "# No uplinks: this registry never asks the public registry for anything.",
      "uplinks: {}",
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      "    unpublish: $authenticated",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: error }",
      "",
    ].join("\n"),
  );
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_ENV: "production" },
    });
  } catch (err) {
    return `cannot start verdaccio: ${(err as Error).message}`;
  }
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const closed = new Promise((r) => child.once("close", r));
      child.kill("SIGTERM");
      await closed;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const problem = await waitForPing(url, child, 60_000);
  if (problem) {
    await stop();
    return `${problem}${output ? `: ${output.trim().split("\n").slice(-3).join(" / ")}` : ""}`;
  }

  // A user to publish as: the npm client will not publish without credentials.
  const res = await fetch(new URL("-/user/org.couchdb.user:clawpatrol-test", url), {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "clawpatrol-test", password: "clawpatrol-test-password" }),
  });
  const token = ((await res.json()) as { token?: string }).token;
  if (!res.ok || !token) {
    await stop();
    return `verdaccio refused to create a user (HTTP ${res.status})`;
  }
  const npmrc = join(dir, "npmrc");
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  const npmEnv = {
    ...process.env,
    npm_config_userconfig: npmrc,
    npm_config_registry: url,
    npm_config_cache: join(dir, "npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  return {
    url,
    storage,
    npm: (args, cwd) => {
      const r = spawnSync("npm", [...args, "--registry", url], {
        cwd: cwd ?? dir,
        env: npmEnv,
        encoding: "utf8",
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    stop,
  };
}
