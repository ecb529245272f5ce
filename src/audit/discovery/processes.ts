// Process scan: running gateway processes from Linux /proc, with their environment, the state
// dir and config they were pointed at, and the package they run.
import { readFileSync, readlinkSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { GatewayProcess } from "../types.ts";
import { NAME_RE, packageDirFromPath } from "./installs.ts";
import { readSmall, safeReaddir } from "./read.ts";

function readNul(path: string): string[] {
  try {
    return readFileSync(path).toString("utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** Running gateway processes (Linux /proc). Titles are `openclaw-gateway`, `clawdbot-gateway`, `openclaw`. */
export function findProcesses(procRoot = "/proc"): GatewayProcess[] {
  const out: GatewayProcess[] = [];
  for (const d of safeReaddir(procRoot)) {
    if (!/^\d+$/.test(d)) continue;
    const cmdline = readNul(join(procRoot, d, "cmdline"));
    const head = (cmdline[0] ?? "").trim();
    const joined = cmdline.join(" ");
    const titled = /^(openclaw|clawdbot|moltbot)(-gateway)?$/.test(basename(head.split(/\s+/)[0] ?? ""));
    const cli = NAME_RE.test(joined) && /\bgateway\b/.test(joined) && !/clawpatrol/.test(joined);
    if (!titled && !cli) continue;
    const envList = readNul(join(procRoot, d, "environ"));
    const env: Record<string, string> = {};
    for (const e of envList) {
      const eq = e.indexOf("=");
      if (eq > 0) env[e.slice(0, eq)] = e.slice(eq + 1);
    }
    let packageDir: string | null = null;
    for (const a of cmdline) if (a.includes("/node_modules/")) packageDir ??= packageDirFromPath(a);
    if (!packageDir) {
      // native addons of the package are mapped into the process
      const maps = readSmall(join(procRoot, d, "maps"), 16 * 1024 * 1024) ?? "";
      for (const m of maps.matchAll(/(\/\S*?\/node_modules\/\S+\.node)$/gm)) {
        packageDir = packageDirFromPath(m[1]!);
        if (packageDir) break;
      }
    }
    let cwd = "";
    try {
      cwd = readlinkSync(join(procRoot, d, "cwd"));
    } catch {
      // process gone or not ours
    }
    const stateDir = env.OPENCLAW_STATE_DIR || env.CLAWDBOT_STATE_DIR || env.MOLTBOT_STATE_DIR || null;
    const configPath =
      env.OPENCLAW_CONFIG_PATH || env.CLAWDBOT_CONFIG_PATH || env.MOLTBOT_CONFIG_PATH || null;
    out.push({
      pid: Number(d),
      cmdline,
      env,
      stateDir: stateDir ? resolve(cwd || "/", stateDir) : null,
      configPath: configPath ? resolve(cwd || "/", configPath) : null,
      packageDir,
    });
  }
  return out;
}
