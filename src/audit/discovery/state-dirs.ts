// State-dir discovery: every state dir and config a gateway on this host may use (named on the
// command line, from the environment, default and profile dirs, services, running processes),
// each with the services, processes and environment that belong to it.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { checkConfigArg, checkStateDirArg } from "../explicit-paths.ts";
import type { AuditTarget, GatewayProcess, Install, Product, ServiceDef } from "../types.ts";
import { findInstalls, globalRoots, readPackage } from "./installs.ts";
import { findProcesses } from "./processes.ts";
import { isDir, safeReaddir } from "./read.ts";
import { findServices } from "./services.ts";

const CONFIG_NAMES: Record<Product, string[]> = {
  openclaw: ["openclaw.json", "clawdbot.json", "moltbot.json", "moldbot.json"],
  clawdbot: ["clawdbot.json", "openclaw.json"],
  moltbot: ["moltbot.json", "clawdbot.json", "openclaw.json"],
};

function productOfDir(dir: string): Product {
  const b = basename(dir);
  if (b.startsWith(".clawdbot")) return "clawdbot";
  if (b.startsWith(".moltbot") || b.startsWith(".moldbot")) return "moltbot";
  return "openclaw";
}

/** The config file a gateway with this state dir reads (first existing name, else the default). */
export function configPathFor(stateDir: string, product: Product): string {
  for (const n of CONFIG_NAMES[product]) {
    const p = join(stateDir, n);
    if (existsSync(p)) return p;
  }
  return join(stateDir, CONFIG_NAMES[product][0]!);
}

export interface DiscoverOptions {
  home?: string;
  env?: Record<string, string | undefined>;
  stateDir?: string;
  configPath?: string;
  /** Skip /proc scans (tests). */
  noProcesses?: boolean;
  /** Extra dirs to look for compose files in. */
  composeDirs?: string[];
  globalRoots?: string[];
  procRoot?: string;
}

export interface Discovery {
  home: string;
  installs: Install[];
  services: ServiceDef[];
  processes: GatewayProcess[];
  targets: AuditTarget[];
}

export function discover(opts: DiscoverOptions = {}): Discovery {
  const env = opts.env ?? process.env;
  // named on the command line: missing or of the wrong kind is a usage error, not a finding
  // (checked first, before the slower look around the host)
  const namedConfig = opts.configPath ? checkConfigArg(opts.configPath) : null;
  const namedStateDir = opts.stateDir ? checkStateDirArg(opts.stateDir) : null;
  const home = opts.home ?? (env.OPENCLAW_HOME || homedir());
  const installs = findInstalls(opts.globalRoots ?? globalRoots(home, env));
  const explicit = Boolean(opts.stateDir || opts.configPath);
  const services = findServices(home, [process.cwd(), ...(opts.composeDirs ?? [])]);
  const processes = opts.noProcesses ? [] : findProcesses(opts.procRoot);
  for (const p of processes) {
    if (p.packageDir && !installs.some((i) => i.packageDir === p.packageDir)) {
      const pkg = readPackage(p.packageDir);
      if (pkg) installs.push({ ...pkg, packageDir: p.packageDir, via: `running process ${p.pid}` });
    }
  }
  for (const s of services) {
    if (s.packageDir && !installs.some((i) => i.packageDir === s.packageDir)) {
      const pkg = readPackage(s.packageDir);
      if (pkg) installs.push({ ...pkg, packageDir: s.packageDir, via: `service ${s.path}` });
    }
  }

  interface Cand {
    stateDir: string;
    configPath: string | null;
    via: string;
    stateDirFromConfig?: boolean;
    profile: string | null;
    env: Record<string, string>;
  }
  const cands: Cand[] = [];
  const add = (c: Cand) => {
    const sd = resolve(c.stateDir);
    const existing = cands.find(
      (x) => resolve(x.stateDir) === sd && (x.configPath ?? "") === (c.configPath ?? ""),
    );
    if (existing) {
      if (Object.keys(c.env).length > 0 && Object.keys(existing.env).length === 0) existing.env = c.env;
      return;
    }
    cands.push({ ...c, stateDir: sd });
  };
  const ownEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) ownEnv[k] = v;

  if (explicit) {
    const cp = namedConfig;
    const sd = namedStateDir ?? dirname(cp!);
    add({
      stateDir: sd,
      configPath: cp,
      stateDirFromConfig: namedStateDir === null,
      via: "command line",
      profile: null,
      env: ownEnv,
    });
  } else {
    for (const pre of ["OPENCLAW", "CLAWDBOT", "MOLTBOT"]) {
      const sd = env[`${pre}_STATE_DIR`];
      const cp = env[`${pre}_CONFIG_PATH`];
      if (sd || cp) {
        add({
          stateDir: sd ? resolve(sd) : dirname(resolve(cp!)),
          configPath: cp ? resolve(cp) : null,
          stateDirFromConfig: !sd,
          via: `${pre}_STATE_DIR/${pre}_CONFIG_PATH in the environment`,
          profile: null,
          env: ownEnv,
        });
      }
    }
    for (const name of safeReaddir(home)) {
      const m = /^\.(openclaw|clawdbot|moltbot|moldbot)(?:-(.+))?$/.exec(name);
      if (!m || !isDir(join(home, name))) continue;
      add({
        stateDir: join(home, name),
        configPath: null,
        via: m[2] ? `profile ${m[2]}` : "default state dir",
        profile: m[2] ?? null,
        env: ownEnv,
      });
    }
    for (const s of services) {
      const sd = s.env.OPENCLAW_STATE_DIR || s.env.CLAWDBOT_STATE_DIR || s.env.MOLTBOT_STATE_DIR;
      const cp = s.env.OPENCLAW_CONFIG_PATH || s.env.CLAWDBOT_CONFIG_PATH || s.env.MOLTBOT_CONFIG_PATH;
      if ((sd || cp) && s.kind !== "compose") {
        add({
          stateDir: sd ? resolve(sd) : dirname(resolve(cp!)),
          configPath: cp ? resolve(cp) : null,
          stateDirFromConfig: !sd,
          via: `service ${s.path}`,
          profile: null,
          env: s.env,
        });
      }
    }
    for (const p of processes) {
      if (p.stateDir || p.configPath) {
        add({
          stateDir: p.stateDir ?? dirname(p.configPath!),
          configPath: p.configPath,
          stateDirFromConfig: !p.stateDir,
          via: `running gateway (pid ${p.pid})`,
          profile: null,
          env: p.env,
        });
      } else {
        const h = p.env.OPENCLAW_HOME || p.env.HOME;
        if (h)
          add({
            stateDir: join(h, ".openclaw"),
            configPath: null,
            via: `running gateway (pid ${p.pid})`,
            profile: null,
            env: p.env,
          });
      }
    }
  }

  const targets: AuditTarget[] = [];
  for (const c of cands) {
    const product = productOfDir(c.stateDir);
    const configPath = c.configPath ?? configPathFor(c.stateDir, product);
    if (!explicit && !existsSync(c.stateDir) && !existsSync(configPath)) continue;
    const procs = processes.filter(
      (p) =>
        (p.stateDir && resolve(p.stateDir) === c.stateDir) || (p.configPath && p.configPath === configPath),
    );
    const svcs = services.filter((s) => {
      const sd = s.env.OPENCLAW_STATE_DIR || s.env.CLAWDBOT_STATE_DIR || s.env.MOLTBOT_STATE_DIR;
      if (sd) return resolve(sd) === c.stateDir;
      if (s.kind === "compose") return false;
      // a unit without an explicit state dir uses the default one (or its profile's)
      const profileTail = /-(?:gateway)-?(.*)\.(service|plist)$/.exec(basename(s.path))?.[1] ?? "";
      const defaultDir = join(home, profileTail ? `.openclaw-${profileTail}` : ".openclaw");
      return (
        defaultDir === c.stateDir ||
        (basename(s.path).includes("clawdbot") && c.stateDir === join(home, ".clawdbot"))
      );
    });
    // the environment the gateway sees: running process > service > ours
    const gwEnv = procs[0]?.env ?? (svcs[0] ? { ...ownEnv, ...svcs[0].env } : c.env);
    targets.push({
      stateDir: c.stateDir,
      configPath,
      ...(c.stateDirFromConfig ? { stateDirFromConfig: true } : {}),
      via: c.via,
      profile: c.profile,
      product,
      version: null,
      versionSource: "unknown",
      env: gwEnv,
      services: svcs,
      processes: procs,
    });
  }
  return { home, installs, services, processes, targets };
}
