// Finds what is installed and configured on this host: global packages, state dirs
// (default, profiles, legacy names, env overrides), service definitions (systemd user and
// system units, launchd plists, compose files that publish the gateway port) and running
// gateway processes. Everything is read-only and bounded; nothing here runs a program.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { isCalVer } from "../advisories/calver.ts";
import { OPENCLAW_FAMILY } from "../fingerprints/openclaw/meta.ts";
import { checkConfigArg, checkStateDirArg } from "./explicit-paths.ts";
import type { AuditTarget, GatewayProcess, Install, Product, ServiceDef } from "./types.ts";

const PRODUCTS: readonly Product[] = OPENCLAW_FAMILY;
const NAME_RE = /openclaw|clawdbot|moltbot|moldbot/i;

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readSmall(path: string, max = 1024 * 1024): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > max) return null;
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Read `version` and product from a package dir. */
export function readPackage(dir: string): { product: Product; version: string | null } | null {
  const text = readSmall(join(dir, "package.json"));
  if (!text) return null;
  try {
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    const name = typeof pkg.name === "string" ? pkg.name : "";
    const product = PRODUCTS.find((p) => name === p);
    if (!product) return null;
    const version = typeof pkg.version === "string" && isCalVer(pkg.version) ? pkg.version : null;
    return { product, version };
  } catch {
    return null;
  }
}

/** Candidate global node_modules roots, without running npm (which is slow). */
export function globalRoots(home: string, env: Record<string, string | undefined>): string[] {
  const roots = new Set<string>([
    "/usr/lib/node_modules",
    "/usr/local/lib/node_modules",
    "/opt/homebrew/lib/node_modules",
    join(home, ".npm-global/lib/node_modules"),
    join(home, ".local/lib/node_modules"),
    join(home, ".local/share/pnpm/global/5/node_modules"),
    join(home, "Library/pnpm/global/5/node_modules"),
    join(home, ".bun/install/global/node_modules"),
    join(dirname(dirname(process.execPath)), "lib/node_modules"),
  ]);
  for (const v of [env.NPM_CONFIG_PREFIX, env.npm_config_prefix, env.PREFIX]) {
    if (v) roots.add(join(v, "lib/node_modules"));
  }
  if (env.APPDATA) roots.add(join(env.APPDATA, "npm/node_modules"));
  for (const v of safeReaddir(join(home, ".nvm/versions/node")))
    roots.add(join(home, ".nvm/versions/node", v, "lib/node_modules"));
  for (const v of safeReaddir(join(home, ".volta/tools/image/packages"))) {
    roots.add(join(home, ".volta/tools/image/packages", v, "lib/node_modules"));
  }
  return [...roots];
}

export function findInstalls(roots: string[]): Install[] {
  const out: Install[] = [];
  for (const root of roots) {
    for (const p of PRODUCTS) {
      const dir = join(root, p);
      const pkg = readPackage(dir);
      if (pkg)
        out.push({
          product: pkg.product,
          version: pkg.version,
          packageDir: dir,
          via: `global package in ${root}`,
        });
    }
  }
  return out;
}

/** Walk a path containing node_modules segments and find the product package it belongs to. */
export function packageDirFromPath(p: string): string | null {
  const parts = p.split("/node_modules/");
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join("/node_modules/");
    for (const prod of PRODUCTS) {
      const cand = `${prefix}/node_modules/${prod}`;
      if (existsSync(join(cand, "package.json")) && readPackage(cand)) return cand;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------- services

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    env[m[1]!] = v;
  }
  return env;
}

export { parseEnvFile };

function flagsFromArgs(args: string[]): ServiceDef["flags"] {
  const flags: ServiceDef["flags"] = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [name, inline] = a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const val = () => inline ?? args[++i];
    if (name === "--bind") flags.bind = val();
    else if (name === "--port") {
      const n = Number(val());
      if (Number.isInteger(n)) flags.port = n;
    } else if (name === "--auth") flags.auth = val();
    else if (name === "--token") {
      val();
      flags.token = true;
    } else if (name === "--password") {
      val();
      flags.password = true;
    }
  }
  return flags;
}

function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(cmd); m; m = re.exec(cmd)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

/** Parse a systemd unit file (only what matters here). */
export function parseSystemdUnit(path: string, text: string): ServiceDef {
  const env: Record<string, string> = {};
  const envFiles: string[] = [];
  let exec: string[] = [];
  let line = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const l = raw.trim();
    if (l.startsWith("Environment=")) {
      for (const part of splitCommand(l.slice("Environment=".length))) {
        const eq = part.indexOf("=");
        if (eq > 0) env[part.slice(0, eq)] = part.slice(eq + 1);
      }
    } else if (l.startsWith("EnvironmentFile=")) {
      const f = l.slice("EnvironmentFile=".length).replace(/^-/, "").trim();
      envFiles.push(f);
      const t = readSmall(f);
      if (t) Object.assign(env, parseEnvFile(t));
    } else if (l.startsWith("ExecStart=")) {
      exec = splitCommand(l.slice("ExecStart=".length).replace(/^[-@+!:]+/, ""));
      line = idx + 1;
    }
  });
  let packageDir: string | null = null;
  for (const a of exec) {
    if (a.includes("/node_modules/")) {
      packageDir = packageDirFromPath(a);
      if (packageDir) break;
    }
  }
  return {
    kind: "systemd",
    path,
    env,
    envFiles,
    flags: flagsFromArgs(exec),
    published: [],
    packageDir,
    line,
  };
}

/** Pull EnvironmentVariables and ProgramArguments out of a launchd plist (XML form). */
export function parseLaunchdPlist(path: string, text: string): ServiceDef {
  const env: Record<string, string> = {};
  const envBlock = /<key>EnvironmentVariables<\/key>\s*<dict>([\s\S]*?)<\/dict>/.exec(text);
  if (envBlock) {
    const re = /<key>([^<]*)<\/key>\s*<string>([^<]*)<\/string>/g;
    for (let m = re.exec(envBlock[1]!); m; m = re.exec(envBlock[1]!)) env[m[1]!] = decodeXml(m[2]!);
  }
  const args: string[] = [];
  const argBlock = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text);
  if (argBlock) {
    const re = /<string>([^<]*)<\/string>/g;
    for (let m = re.exec(argBlock[1]!); m; m = re.exec(argBlock[1]!)) args.push(decodeXml(m[1]!));
  }
  const packageDir =
    args.map((a) => (a.includes("/node_modules/") ? packageDirFromPath(a) : null)).find(Boolean) ?? null;
  return { kind: "launchd", path, env, envFiles: [], flags: flagsFromArgs(args), published: [], packageDir };
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

const GATEWAY_PORTS = new Set([18789, 18790, 18791, 18792, 18793]);

type YamlModule = typeof import("yaml");
let yamlModule: YamlModule | null = null;

/** yaml is only loaded when a compose file is actually found (it costs ~20 ms to import). */
function yaml(): YamlModule {
  yamlModule ??= createRequire(import.meta.url)("yaml") as YamlModule;
  return yamlModule;
}

/** Parse a compose file; returns a ServiceDef per gateway-looking service. */
export function parseCompose(path: string, text: string): ServiceDef[] {
  const { LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  let doc: ReturnType<YamlModule["parseDocument"]>;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  } catch {
    return [];
  }
  const services = doc.get("services", true) as
    | { items?: { key: { value?: unknown }; value: unknown }[] }
    | undefined;
  const out: ServiceDef[] = [];
  for (const item of services?.items ?? []) {
    const svc = item.value as
      | { get?: (k: string, keep?: boolean) => unknown; toJSON?: () => unknown }
      | undefined;
    if (!svc || typeof svc.toJSON !== "function") continue;
    const js = svc.toJSON() as Record<string, unknown>;
    const image = typeof js.image === "string" ? js.image : "";
    const envRaw = js.environment;
    const env: Record<string, string> = {};
    if (Array.isArray(envRaw)) {
      for (const e of envRaw) {
        if (typeof e === "string" && e.includes("="))
          env[e.slice(0, e.indexOf("="))] = e.slice(e.indexOf("=") + 1);
      }
    } else if (envRaw && typeof envRaw === "object") {
      for (const [k, v] of Object.entries(envRaw)) env[k] = v === null ? "" : String(v);
    }
    const command = Array.isArray(js.command)
      ? js.command.map(String)
      : typeof js.command === "string"
        ? splitCommand(js.command)
        : [];
    const looksLikeGateway =
      NAME_RE.test(image) ||
      Object.keys(env).some((k) => /^(OPENCLAW|CLAWDBOT|MOLTBOT)_/.test(k)) ||
      command.some((c) => NAME_RE.test(c));
    const published: ServiceDef["published"] = [];
    const portsNode = svc.get?.("ports", true) as
      | { items?: { range?: [number, number, number]; toJSON?: () => unknown; value?: unknown }[] }
      | undefined;
    for (const p of portsNode?.items ?? []) {
      const line = p.range ? lc.linePos(p.range[0]).line : 0;
      const val = typeof p.toJSON === "function" ? p.toJSON() : p.value;
      for (const pub of parsePortSpec(val)) {
        if (looksLikeGateway || GATEWAY_PORTS.has(pub.containerPort)) published.push({ ...pub, line });
      }
    }
    if (!looksLikeGateway && published.length === 0) continue;
    const envPort = Number(env.OPENCLAW_GATEWAY_PORT ?? "");
    const flags = flagsFromArgs(command);
    if (!flags.bind && env.OPENCLAW_GATEWAY_BIND) flags.bind = env.OPENCLAW_GATEWAY_BIND;
    if (!flags.port && Number.isInteger(envPort) && envPort > 0) flags.port = envPort;
    const keyLine = (item as { key: { range?: [number, number, number] } }).key.range;
    out.push({
      kind: "compose",
      path,
      env,
      envFiles: [],
      flags,
      published,
      packageDir: null,
      line: keyLine ? lc.linePos(keyLine[0]).line : 0,
    });
  }
  return out;
}

/** Short or long compose port syntax → publications (host side). */
export function parsePortSpec(v: unknown): { hostIp: string; hostPort: number; containerPort: number }[] {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const target = Number(o.target);
    const published = Number(o.published ?? o.target);
    if (!Number.isInteger(target)) return [];
    return [
      {
        hostIp: typeof o.host_ip === "string" ? o.host_ip : "0.0.0.0",
        hostPort: published,
        containerPort: target,
      },
    ];
  }
  if (typeof v !== "string" && typeof v !== "number") return [];
  let s = String(v).replace(/\/(tcp|udp)$/, "");
  let hostIp = "0.0.0.0";
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (v6) {
    hostIp = v6[1]!;
    s = v6[2]!;
  }
  const parts = s.split(":");
  if (parts.length === 3) {
    hostIp = parts[0]!;
    parts.shift();
  }
  const range = (r: string) => {
    const [a, b] = r.split("-").map(Number);
    if (!Number.isInteger(a)) return [] as number[];
    const end = Number.isInteger(b) ? b! : a!;
    const out: number[] = [];
    for (let x = a!; x <= end && out.length < 200; x++) out.push(x);
    return out;
  };
  if (parts.length === 1) {
    // container port only: Docker picks a random host port on all interfaces
    return range(parts[0]!).map((p) => ({ hostIp, hostPort: 0, containerPort: p }));
  }
  const hosts = range(parts[0]!);
  const conts = range(parts[1]!);
  return conts.map((c, i) => ({ hostIp, hostPort: hosts[i] ?? hosts[0] ?? 0, containerPort: c }));
}

export function findServices(home: string, extraComposeDirs: string[]): ServiceDef[] {
  const out: ServiceDef[] = [];
  for (const dir of [
    join(home, ".config/systemd/user"),
    "/etc/systemd/system",
    "/etc/systemd/user",
    "/lib/systemd/system",
  ]) {
    for (const f of safeReaddir(dir)) {
      if (!f.endsWith(".service") || !NAME_RE.test(f)) continue;
      const text = readSmall(join(dir, f));
      if (text) out.push(parseSystemdUnit(join(dir, f), text));
    }
  }
  for (const dir of [join(home, "Library/LaunchAgents"), "/Library/LaunchAgents", "/Library/LaunchDaemons"]) {
    for (const f of safeReaddir(dir)) {
      if (!f.endsWith(".plist") || !(NAME_RE.test(f) || f.startsWith("bot.molt"))) continue;
      const text = readSmall(join(dir, f));
      if (text) out.push(parseLaunchdPlist(join(dir, f), text));
    }
  }
  const composeNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];
  const dirs = new Set<string>(extraComposeDirs);
  dirs.add(home);
  for (const d of safeReaddir(home).slice(0, 300)) {
    if (NAME_RE.test(d) && !d.startsWith(".")) dirs.add(join(home, d));
  }
  for (const d of ["/opt/openclaw", "/srv/openclaw", "/opt/clawdbot", "/srv/clawdbot"]) dirs.add(d);
  for (const dir of dirs) {
    for (const name of composeNames) {
      const p = join(dir, name);
      const text = readSmall(p);
      if (text) out.push(...parseCompose(p, text));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------- processes

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

// ---------------------------------------------------------------------------- state dirs

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

/** Guess the version that runs a target (most reliable first). */
export function resolveVersion(
  t: AuditTarget,
  installs: Install[],
  meta: { lastTouchedVersion?: string | undefined },
  logPackageDir: string | null,
  assume?: { product: Product; version: string },
): { version: string | null; source: string; product: Product } {
  for (const p of t.processes) {
    if (p.packageDir) {
      const pkg = readPackage(p.packageDir);
      if (pkg?.version)
        return {
          version: pkg.version,
          source: `running gateway pid ${p.pid} (${p.packageDir})`,
          product: pkg.product,
        };
    }
  }
  for (const s of t.services) {
    if (s.packageDir) {
      const pkg = readPackage(s.packageDir);
      if (pkg?.version) return { version: pkg.version, source: `service ${s.path}`, product: pkg.product };
    }
  }
  if (logPackageDir) {
    const pkg = readPackage(logPackageDir);
    if (pkg?.version)
      return { version: pkg.version, source: `gateway log (${logPackageDir})`, product: pkg.product };
  }
  if (meta.lastTouchedVersion && isCalVer(meta.lastTouchedVersion)) {
    const product: Product = t.product;
    return { version: meta.lastTouchedVersion, source: "meta.lastTouchedVersion in the config", product };
  }
  if (assume) return { ...assume, source: "assumed (--assume-version)" };
  const same = installs.filter((i) => i.version && (i.product === t.product || t.product === "openclaw"));
  if (same.length === 1)
    return {
      version: same[0]!.version,
      source: `the only install (${same[0]!.packageDir})`,
      product: same[0]!.product,
    };
  return { version: null, source: "unknown", product: t.product };
}
