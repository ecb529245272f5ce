// Service search: the gateway services defined in the places each service manager keeps them
// (systemd user and system units, launchd agents and daemons, compose files near the user).
import { join } from "node:path";
import type { ServiceDef } from "../types.ts";
import { parseCompose } from "./compose.ts";
import { NAME_RE } from "./installs.ts";
import { readSmall, safeReaddir } from "./read.ts";
import { parseLaunchdPlist, parseSystemdUnit } from "./service-files.ts";

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
