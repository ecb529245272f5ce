// The command-line front door: builds the commander program from one registry of
// commands, turns every parse error into a one-line usage error (exit 2) and every
// other failure into a short message (exit 3) without a stack trace.
import { Command, CommanderError } from "commander";
import { activeData, dataAgeWarning } from "../core/data-dir.ts";
import { EXIT, RunError, reportError, UsageError } from "../core/errors.ts";
import { abandonOpenOutputs } from "../core/output.ts";
import { VERSION } from "../core/version.ts";
import { COMMANDS } from "./commands.ts";

/**
 * Build the program. `load` names the commands whose modules are imported and registered in
 * full ("all" for every one, as tests do); the others appear by name and summary only, which
 * is all the top-level help and "unknown command" suggestions need.
 */
export async function buildProgram(load: string[] | "all" = "all"): Promise<Command> {
  const program = new Command("clawpatrol")
    .description("Find, fix and watch exposed agentic-AI gateways (OpenClaw, Moltbot, Clawdbot).")
    .version(versionText(), "-V, --version", "output the code version and the data version")
    // Program options only before the command: `inventory --version X` is inventory's filter.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      "\nWithout a command, clawpatrol runs `audit`: the audit of this host's OpenClaw, Clawdbot and\nMoltbot installs. `clawpatrol help COMMAND` or `clawpatrol COMMAND --help` for a command's options.",
    );
  for (const entry of COMMANDS) {
    if (load === "all" || load.includes(entry.name))
      (await entry.load())(program, { fullProgram: () => buildProgram("all") });
    else program.command(entry.name).description(entry.summary);
  }
  // Every command, at every depth, reports errors our way (one line, exit 2) instead of exiting.
  const quiet = (cmd: Command) => {
    // Stray words are a mistake, not something to ignore (`inventory -- extra`).
    cmd
      .exitOverride()
      .allowExcessArguments(false)
      .configureOutput({ writeErr: () => {} });
    for (const sub of cmd.commands) quiet(sub);
  };
  quiet(program);
  return program;
}

/** `--version`: the code version on the first line (scripts read that), then the data's. */
export function versionText(): string {
  try {
    const data = activeData();
    const where = data.origin === "shipped" ? "shipped with clawpatrol" : `updated, ${data.dir}`;
    return `${VERSION}\ndata ${data.version} of ${data.date} (${where})`;
  } catch {
    return `${VERSION}\ndata unreadable`;
  }
}

/** Commands that say nothing about stale data: they update it, or print a script or help. */
const NO_DATA_AGE_WARNING = new Set(["update", "completion", "help"]);

/** Say once, on stderr, that the data is old, unless this run only prints help or a version. */
function warnIfDataIsOld(args: string[]): void {
  const name = invokedCommand(args);
  if (name !== undefined && NO_DATA_AGE_WARNING.has(name)) return;
  if (args.some((a) => a === "-h" || a === "--help" || a === "-V" || a === "--version")) return;
  const warning = dataAgeWarning();
  if (warning) process.stderr.write(`${warning}\n`);
}

/** The command a command line invokes: the first word, or the one after `help`. */
export function invokedCommand(args: string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

export async function run(argv: string[]): Promise<void> {
  guardProcess();
  warnIfDataIsOld(normaliseArgv(argv).slice(2));
  const code = await runCli(argv);
  process.exitCode = code;
  const name = invokedCommand(normaliseArgv(argv).slice(2));
  if (COMMANDS.some((c) => c.name === name && c.exitsWhenDone)) {
    // Output already written may still sit in a pipe's queue: let it out first.
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    process.exit(code);
  }
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once("drain", resolve);
    stream.once("close", resolve);
    stream.once("error", resolve);
  });
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
  try {
    const args = normaliseArgv(withDefaultCommand(argv));
    const name = invokedCommand(args.slice(2));
    const program = await buildProgram(name ? [name] : []);
    await program.parseAsync(args);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    abandonOpenOutputs();
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
      if (err.code === "commander.help") return EXIT.ok;
      return reportError(new UsageError(err.message.replace(/^error:\s*/i, "")));
    }
    return reportError(err);
  }
}

/** Options of the program itself; anything else before a command belongs to the default one. */
const PROGRAM_OPTIONS = new Set(["-h", "--help", "-V", "--version"]);

/**
 * Bare `clawpatrol` runs the host audit, and so does `clawpatrol --json -o report.json`: a
 * command line that starts with an option the program itself does not take is audit's.
 */
export function withDefaultCommand(argv: string[]): string[] {
  const first = argv[2];
  if (first === undefined) return [...argv, "audit"];
  if (first.startsWith("-") && !PROGRAM_OPTIONS.has(first))
    return [...argv.slice(0, 2), "audit", ...argv.slice(2)];
  return argv;
}

/** nmap users type `-iL FILE`; commander only knows one-letter short flags, so translate it. */
export function normaliseArgv(argv: string[]): string[] {
  return argv.map((a) => (a === "-iL" ? "--input-list" : a));
}
