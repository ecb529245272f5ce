// `--installed`: every skill and plugin root an OpenClaw (or Clawdbot/Moltbot) install would
// load, found from its state dir and config the way OpenClaw resolves them (reference
// section 5.2): workspace skills, <workspace>/.agents/skills, ~/.agents/skills, managed
// skills in the state dir, bundled skills of the installed package, skills.load.extraDirs,
// and plugins under <state>/extensions, <workspace>/.openclaw/extensions and
// plugins.load.paths. Missing roots are listed, not errors.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import JSON5 from "json5";

export interface InstalledRoot {
  path: string;
  source: string;
  /** A plugin root is one unit; a skills root holds many skills. */
  kind: "skills" | "plugin";
}

export interface InstalledDiscovery {
  stateDir: string;
  configPath: string | null;
  roots: InstalledRoot[];
  notes: string[];
}

export interface InstalledOptions {
  stateDir?: string;
  config?: string;
  workspace?: string;
  openclawPackage?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

function expandHome(p: string, home: string): string {
  return p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Find the installed openclaw/clawdbot package root from PATH. */
function findPackageRoot(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    for (const bin of ["openclaw", "clawdbot", "moltbot"]) {
      const p = join(dir, bin);
      if (!existsSync(p)) continue;
      try {
        let d = dirname(realpathSync(p));
        for (let i = 0; i < 4; i++) {
          const pj = join(d, "package.json");
          if (existsSync(pj)) {
            const name = (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name;
            if (name === "openclaw" || name === "clawdbot" || name === "moltbot") return d;
          }
          d = dirname(d);
        }
      } catch {
        // unreadable: try the next candidate
      }
    }
  }
  return null;
}

export function discoverInstalled(opts: InstalledOptions = {}): InstalledDiscovery {
  const env = opts.env ?? process.env;
  const home = opts.home ?? env.OPENCLAW_HOME ?? homedir();
  const notes: string[] = [];
  const stateCandidates = [".openclaw", ".clawdbot", ".moltbot", ".moldbot"].map((d) => join(home, d));
  const stateDir = resolve(
    opts.stateDir ??
      env.OPENCLAW_STATE_DIR ??
      env.CLAWDBOT_STATE_DIR ??
      stateCandidates.find(isDir) ??
      stateCandidates[0]!,
  );
  const configCandidates = opts.config
    ? [resolve(opts.config)]
    : env.OPENCLAW_CONFIG_PATH
      ? [resolve(env.OPENCLAW_CONFIG_PATH)]
      : ["openclaw.json", "clawdbot.json", "moltbot.json"].map((f) => join(stateDir, f));
  const configPath = configCandidates.find((p) => existsSync(p)) ?? null;
  let cfg: unknown = {};
  if (configPath) {
    try {
      cfg = JSON5.parse(readFileSync(configPath, "utf8"));
    } catch (err) {
      notes.push(`config ${configPath} could not be parsed (${String(err).split("\n")[0]}); using defaults`);
    }
    if (/"\$include"|\$include\s*:/.test(readFileSync(configPath, "utf8")))
      notes.push("config uses $include; included files are not followed by the skill scanner");
  } else notes.push(`no config found (looked for ${configCandidates.join(", ")}); using defaults`);

  const workspaces = new Set<string>();
  const addWs = (w: unknown) => {
    if (typeof w === "string" && w) workspaces.add(resolve(expandHome(w, home)));
  };
  addWs(opts.workspace);
  addWs(env.OPENCLAW_WORKSPACE_DIR);
  addWs(get(cfg, ["agents", "defaults", "workspace"]));
  addWs(get(cfg, ["agent", "workspace"]));
  const agentList = get(cfg, ["agents", "list"]);
  if (Array.isArray(agentList)) for (const a of agentList) addWs(get(a, ["workspace"]));
  const agentEntries = get(cfg, ["agents", "entries"]);
  if (agentEntries && typeof agentEntries === "object")
    for (const a of Object.values(agentEntries)) addWs(get(a, ["workspace"]));
  if (workspaces.size === 0) {
    workspaces.add(join(stateDir, "workspace"));
    if (env.OPENCLAW_PROFILE) workspaces.add(join(stateDir, `workspace-${env.OPENCLAW_PROFILE}`));
    if (isDir(join(home, "clawd"))) workspaces.add(join(home, "clawd"));
  }

  const roots: InstalledRoot[] = [];
  const add = (path: string, source: string, kind: InstalledRoot["kind"] = "skills") => {
    if (roots.some((r) => r.path === path)) return;
    if (isDir(path)) roots.push({ path, source, kind });
    else notes.push(`${source}: ${path} (not present)`);
  };
  for (const ws of workspaces) {
    add(join(ws, "skills"), "openclaw-workspace");
    add(join(ws, ".agents", "skills"), "agents-skills-project");
  }
  add(join(home, ".agents", "skills"), "agents-skills-personal");
  add(join(stateDir, "skills"), "openclaw-managed");
  const pkg = opts.openclawPackage ? resolve(opts.openclawPackage) : findPackageRoot(env);
  if (pkg) {
    add(join(pkg, "skills"), "openclaw-bundled");
    add(join(pkg, "custodian-skills"), "openclaw-bundled");
    for (const extRoot of [join(pkg, "dist", "extensions"), join(pkg, "extensions")]) {
      if (!isDir(extRoot)) continue;
      for (const name of readdirSync(extRoot).sort()) {
        const skillsDir = join(extRoot, name, "skills");
        if (isDir(skillsDir)) add(skillsDir, "openclaw-bundled");
      }
    }
  } else notes.push("openclaw-bundled: installed package not found on PATH (use --openclaw-package)");
  for (const d of strings(get(cfg, ["skills", "load", "extraDirs"])))
    add(resolve(expandHome(d, home)), "extra");
  const pluginRoots = [
    join(stateDir, "extensions"),
    ...[...workspaces].map((w) => join(w, ".openclaw", "extensions")),
  ];
  for (const pr of pluginRoots) {
    if (!isDir(pr)) {
      notes.push(`plugins: ${pr} (not present)`);
      continue;
    }
    for (const name of readdirSync(pr).sort()) {
      const p = join(pr, name);
      if (isDir(p)) add(p, "plugin", "plugin");
    }
  }
  for (const p of strings(get(cfg, ["plugins", "load", "paths"]))) {
    const abs = resolve(expandHome(p, home));
    if (isDir(abs)) add(abs, "plugin", "plugin");
    else if (existsSync(abs)) roots.push({ path: abs, source: "plugin", kind: "plugin" });
    else notes.push(`plugin: ${abs} (not present)`);
  }
  return { stateDir, configPath, roots, notes };
}
