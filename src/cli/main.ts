// The command-line front door: builds the commander program from one registry of
// commands, turns every parse error into a one-line usage error (exit 2) and every
// other failure into a short message (exit 3) without a stack trace.
import { Command, CommanderError } from "commander";
import { COMMANDS } from "./commands.ts";
import { EXIT, RunError, reportError, UsageError } from "./errors.ts";
import { VERSION } from "./version.ts";

export function buildProgram(): Command {
  const program = new Command("clawpatrol")
    .description("Find, fix and watch exposed agentic-AI gateways (OpenClaw, Moltbot, Clawdbot).")
    .version(VERSION, "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // commander prints its own error text; we print ours (one line) instead.
      writeErr: () => {},
    });
  for (const register of COMMANDS) register(program);
  // Every subcommand inherits the same error behaviour.
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeErr: () => {} });
  return program;
}

export async function run(argv: string[]): Promise<void> {
  guardProcess();
  process.exitCode = await runCli(argv);
}

/**
 * Last lines of defence for the real process (not for in-process runCli): a reader that
 * goes away (`clawpatrol scan ... | head`) ends the run quietly, and an error that escapes
 * every promise is reported the CLI way (one line, details in a file), never as a stack trace.
 */
function guardProcess(): void {
  const exitWith = (code: number) => {
    process.exitCode = code;
    process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") exitWith(typeof process.exitCode === "number" ? process.exitCode : EXIT.ok);
      else if (stream === process.stdout)
        exitWith(reportError(new RunError(`cannot write output: ${err.code ?? err.message}`)));
      else exitWith(EXIT.error);
    });
  }
  process.on("uncaughtException", (err) => exitWith(reportError(err)));
  process.on("unhandledRejection", (reason) => exitWith(reportError(reason)));
}

/** Run the CLI and return its exit code (the command may also set process.exitCode). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    // Bare `clawpatrol` (no arguments) runs the host audit.
    await program.parseAsync(normaliseArgv(argv.length <= 2 ? [...argv, "audit"] : argv));
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
      if (err.code === "commander.help") return EXIT.ok;
      return reportError(new UsageError(err.message.replace(/^error:\s*/i, "")));
    }
    return reportError(err);
  }
}

/** nmap users type `-iL FILE`; commander only knows one-letter short flags, so translate it. */
export function normaliseArgv(argv: string[]): string[] {
  return argv.map((a) => (a === "-iL" ? "--input-list" : a));
}
