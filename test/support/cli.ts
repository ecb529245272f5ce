// Run the real CLI (bin/clawpatrol.mjs) in a child process, as a user would.
import { spawn } from "node:child_process";
import { REPO_ROOT } from "./zoo.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runClawpatrol(
  args: string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}/bin/clawpatrol.mjs`, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
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
    child.stdin.end(options.input ?? "");
  });
}

/** A usage error is exactly one line on stderr, no stack trace. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trimEnd().split("\n");
  return lines.length === 1 && lines[0]!.startsWith("clawpatrol: ") && !/\n\s+at /.test(stderr);
}
