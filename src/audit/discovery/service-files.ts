// Service-file parsers: systemd units, launchd plists and env files, read for the flags, the
// environment and the package a gateway service starts with.
import type { ServiceDef } from "../types.ts";
import { packageDirFromPath } from "./installs.ts";
import { readSmall } from "./read.ts";

export function parseEnvFile(text: string): Record<string, string> {
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

export function flagsFromArgs(args: string[]): ServiceDef["flags"] {
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

export function splitCommand(cmd: string): string[] {
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
