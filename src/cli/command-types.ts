// The shape every command module registers itself with: kept apart from the registry
// (commands.ts) so that a command needing the context does not import the list that loads it.
import type { Command } from "commander";

/** What the front door hands each command beside the program (only `completion` needs it). */
export interface CommandContext {
  /** The program with every command registered in full. */
  fullProgram(): Promise<Command>;
}

export type RegisterCommand = (program: Command, context: CommandContext) => void;
