// Which sockets belong to the install being audited. A socket is counted as this install's only
// when that can be shown:
//   - its process is this install's gateway (discovery matched it by state/config path), or the
//     process names this install's state dir or config in its environment or command line;
//   - or it is in the audit's own network namespace and this is the only audited install whose
//     gateway uses that port there.
// Otherwise it is either someone else's (a process that names another install; any socket in
// another network namespace) and left out, or a guess ("matched by port only") that the finding
// must say is one. Variable names are the ones the real releases read (verified in the dist of
// clawdbot 2026.1.24-3, openclaw 2026.1.29 and 2026.9.6): CLAWDBOT_STATE_DIR / _CONFIG_PATH /
// _PROFILE (clawdbot), OPENCLAW_STATE_DIR || CLAWDBOT_STATE_DIR and OPENCLAW_CONFIG_PATH ||
// CLAWDBOT_CONFIG_PATH (2026.1.29), OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH, OPENCLAW_HOME,
// OPENCLAW_PROFILE (2026.9.6); MOLTBOT_* from the Moltbot beta (not in the zoo).
import { basename, isAbsolute, join, resolve, sep } from "node:path";
import type { CheckContext, ListeningSocket, ProcessInstall, SocketAttribution } from "./types.ts";

const STATE_VARS = ["OPENCLAW_STATE_DIR", "CLAWDBOT_STATE_DIR", "MOLTBOT_STATE_DIR"] as const;
const CONFIG_VARS = ["OPENCLAW_CONFIG_PATH", "CLAWDBOT_CONFIG_PATH", "MOLTBOT_CONFIG_PATH"] as const;
const PROFILE_VARS = ["OPENCLAW_PROFILE", "CLAWDBOT_PROFILE"] as const;
const GATEWAY_TITLE = /^(openclaw|clawdbot|moltbot)(-gateway)?$/;

function expand(p: string, home: string | undefined, cwd: string): string {
  const t = p.trim();
  if (home && (t === "~" || t.startsWith("~/"))) return resolve(home, t.slice(2));
  return isAbsolute(t) ? resolve(t) : resolve(cwd, t);
}

/**
 * The install a process serves, from its environment (and, for a gateway with no override, the
 * default state dir its HOME and profile give); null when it names none.
 */
export function processInstall(
  cmdline: string[],
  env: Record<string, string>,
  cwd: string | null,
): ProcessInstall | null {
  const here = cwd ?? "/";
  const home = env.OPENCLAW_HOME || env.HOME;
  const out: ProcessInstall = { stateDirs: [], configPaths: [], via: [] };
  for (const v of STATE_VARS) {
    const x = env[v]?.trim();
    if (x) {
      out.stateDirs.push(expand(x, home, here));
      out.via.push(v);
    }
  }
  for (const v of CONFIG_VARS) {
    const x = env[v]?.trim();
    if (x) {
      out.configPaths.push(expand(x, home, here));
      out.via.push(v);
    }
  }
  const title = GATEWAY_TITLE.exec(basename((cmdline[0] ?? "").trim().split(/\s+/)[0] ?? ""));
  if (out.stateDirs.length === 0 && out.configPaths.length === 0 && title && home) {
    const flag = cmdline.indexOf("--profile");
    const profile =
      (flag >= 0 ? cmdline[flag + 1] : undefined) ?? PROFILE_VARS.map((v) => env[v]?.trim()).find(Boolean);
    const product = title[1] === "openclaw" ? "openclaw" : title[1]!;
    const dir = profile && profile !== "default" ? `.${product}-${profile}` : `.${product}`;
    out.stateDirs.push(join(home, dir));
    out.via.push(`the default state dir of ${env.OPENCLAW_HOME ? "OPENCLAW_HOME" : "HOME"}=${home}`);
  }
  return out.via.length > 0 ? out : null;
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The command-line argument that names this install's state dir or config, if any. */
function namedInCmdline(cmd: string[] | undefined, stateDir: string, configPath: string): string | null {
  for (const a of cmd ?? []) {
    const value = a.includes("=") ? a.slice(a.indexOf("=") + 1) : a;
    if (!isAbsolute(value)) continue;
    const p = resolve(value);
    if (p === configPath || within(p, stateDir)) return a;
  }
  return null;
}

/**
 * Whether socket `s` belongs to the install of `ctx`, and how that is known; null when it does
 * not, or when nothing but its port ties it to this install and it is in another namespace.
 */
export function attributeSocket(ctx: CheckContext, s: ListeningSocket): SocketAttribution | null {
  const { stateDir, configPath } = ctx.target;
  const sd = resolve(stateDir);
  const cp = resolve(configPath);
  const where = s.netns ? ` (network namespace ${s.netns})` : "";
  if (s.pid !== null && ctx.target.processes.some((p) => p.pid === s.pid))
    return { proven: true, how: `pid ${s.pid} is this install's gateway process${where}` };
  const owner = s.owner;
  if (owner) {
    if (owner.stateDirs.includes(sd))
      return { proven: true, how: `pid ${s.pid} names ${stateDir} (${owner.via.join(", ")})${where}` };
    if (owner.configPaths.includes(cp))
      return { proven: true, how: `pid ${s.pid} names ${configPath} (${owner.via.join(", ")})${where}` };
  }
  const arg = namedInCmdline(s.cmdline, sd, cp);
  if (arg !== null) return { proven: true, how: `pid ${s.pid} names ${arg} on its command line${where}` };
  // a process that names another install serves that one
  if (owner && (owner.stateDirs.length > 0 || owner.configPaths.length > 0)) return null;
  // another namespace: the same port number there is no evidence at all
  if (s.netns) return null;
  const others = ctx.samePortInstalls ?? [];
  const who =
    s.pid !== null
      ? `pid ${s.pid}${s.process ? ` (${s.process})` : ""}, which names no install`
      : "owner unknown";
  // an unreadable owner (another user's process) on the gateway port, with no rival install
  if (others.length === 0 && s.port === ctx.gw.port && s.pid === null)
    return {
      proven: true,
      how: `matched by port: the only audited install using port ${s.port} in this network namespace (${who})`,
    };
  return {
    proven: false,
    how:
      others.length > 0
        ? `matched by port only: ${others.length + 1} audited installs use port ${s.port} here (${who})`
        : `matched by port only (${who})`,
  };
}
