// The registry of commands: one line per command. Adding a command is one new file
// under src/cli/ plus one line here.
import type { Command } from "commander";
import { registerAdvisories } from "./advisories.ts";
import { registerAudit } from "./audit.ts";
import { registerFirewall } from "./firewall.ts";
import { registerFix } from "./fix.ts";
import { registerScan } from "./scan.ts";
import { registerSkills } from "./skills.ts";

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [
  registerAdvisories,
  registerAudit,
  registerFirewall,
  registerFix,
  registerScan,
  registerSkills,
];
