// `clawpatrol monitor`: run saved scan profiles on their cron schedules, diff each run against
// the store's previous picture (new / closed / re-opened / changed gateways) and send
// deduplicated alerts to webhooks, syslog (CEF), NDJSON files or a command.
//   --once       run every profile (or --profile NAME) once now and exit (for system cron, tests)
//   --dry-run    check the config and print what would run and when
//   (neither)    stay running; one line per run on stderr; SIGINT/SIGTERM stop cleanly
// Exit codes: 0 ok, 2 bad config or flags, 3 a run or an alert delivery failed (retried next run).
import type { Command } from "commander";
import { EXIT, UsageError } from "../core/errors.ts";
import { escapeOneLine } from "../util/text.ts";
import {
  type CommandOutput,
  type OutputFlags,
  type OutputSpec,
  openCommandOutput,
} from "./command-output.ts";
import { collect } from "./options.ts";
import { addOutputOptions } from "./output-options.ts";

interface MonitorFlags extends OutputFlags {
  config?: string;
  once?: boolean;
  dryRun?: boolean;
  profile?: string[];
  policy?: string;
}

/** Run reports (or, with --dry-run, the plan): text, or JSON (one report per line). */
const MONITOR_OUTPUT: OutputSpec = {
  formats: ["text", "json"],
  meaning: { json: "one JSON report per run (NDJSON), or the plan with --dry-run" },
};

export function registerMonitor(program: Command): void {
  const command = program
    .command("monitor")
    .description(
      "run saved scan profiles on a schedule; alert on new, closed, re-opened and changed gateways (webhook, syslog CEF, NDJSON, command)",
    )
    .option(
      "--config <file>",
      "the monitor config (YAML or JSON; default $CLAWPATROL_HOME/monitor.yml or ~/.clawpatrol/monitor.yml)",
    )
    .option("--once", "run the profiles once now and exit")
    .option("--profile <name>", "only this profile (repeatable)", collect)
    .option("--dry-run", "check the config; print the profiles and their next run times")
    .option(
      "--policy <file>",
      "alert when this policy's exposure service levels are breached (instead of the config's policy:)",
    )
    .action(async (flags: MonitorFlags) => {
      if (flags.once && flags.dryRun) throw new UsageError("choose one of --once and --dry-run");
      const out = openCommandOutput(flags, MONITOR_OUTPUT);
      process.exitCode = await monitorCommand(flags, out);
      out.close();
    });
  addOutputOptions(command, MONITOR_OUTPUT);
}

async function monitorCommand(flags: MonitorFlags, out: CommandOutput): Promise<number> {
  const json = out.format === "json";
  const { loadMonitorConfig } = await import("../monitor/config.ts");
  const config = loadMonitorConfig(flags.config);
  if (flags.policy !== undefined) {
    const { policyFor } = await import("../monitor/config.ts");
    config.policy = policyFor(flags.policy, "--policy");
  }
  let profiles = config.profiles;
  if (flags.profile && flags.profile.length > 0) {
    for (const n of flags.profile)
      if (!profiles.some((p) => p.name === n))
        throw new UsageError(
          `--profile: no profile "${n}" in ${config.file} (profiles: ${profiles.map((p) => p.name).join(", ")})`,
        );
    profiles = profiles.filter((p) => flags.profile!.includes(p.name));
  }
  if (flags.dryRun) {
    const { checkSinkDestinations } = await import("../monitor/config.ts");
    checkSinkDestinations(config);
    const { dryRun } = await import("../monitor/plan.ts");
    out.write(dryRun(config, profiles, json));
    return EXIT.ok;
  }
  const { runLine, runProfile } = await import("../monitor/runner.ts");
  const { reportText } = await import("../monitor/plan.ts");

  if (flags.once) {
    const abort = new AbortController();
    const onSignal = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort();
      process.stderr.write("clawpatrol: interrupted; finishing endpoints in flight (again to quit now)\n");
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    let code: number = EXIT.ok;
    try {
      for (const p of profiles) {
        if (abort.signal.aborted) break;
        const r = await runProfile(config, p, { signal: abort.signal });
        if (json) out.write(`${JSON.stringify(r)}\n`);
        else out.write(reportText(r));
        if (r.status === "failed" || r.deliveries.failed > 0) {
          code = EXIT.error;
          if (json) process.stderr.write(`clawpatrol: ${escapeOneLine(runLine(r))}\n`);
        }
      }
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    return abort.signal.aborted ? 130 : code;
  }

  const { MonitorScheduler } = await import("../monitor/scheduler.ts");
  const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const log = (line: string) => process.stderr.write(`${stamp()} ${escapeOneLine(line)}\n`);
  const scheduler = new MonitorScheduler({
    config,
    profiles,
    log,
    serial: !process.env.DATABASE_URL,
    ...(json ? { onReport: (r) => out.write(`${JSON.stringify(r)}\n`) } : {}),
  });
  scheduler.start();
  log(
    `monitor: ${profiles.length} profile(s) from ${config.file}; next: ${profiles
      .map((p) => `${p.name} ${scheduler.nextRun(p)?.toISOString() ?? "never"}`)
      .join(", ")}`,
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`monitor: ${signal} again: quitting now`);
        process.exit(130);
      }
      stopping = true;
      log(
        `monitor: ${signal}: stopping${scheduler.busy ? " (in-flight runs stop taking endpoints, are kept incomplete and alerted by the next run)" : ""}`,
      );
      scheduler.stop().then(() => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        log("monitor: stopped");
        resolve();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  return EXIT.ok;
}
