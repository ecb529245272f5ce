// `clawpatrol scan <targets...>`: discover and fingerprint OpenClaw-family gateways.
// This file only declares the command line; src/cli/scan-run.ts does the work.
import { type Command, Option } from "commander";
import { collect, durationOption, intOption } from "./options.ts";
import { addOutputOptions } from "./output-options.ts";
import { SCAN_OUTPUT, type ScanFlags } from "./scan-flags.ts";

export function registerScan(program: Command): void {
  const scan = program
    .command("scan")
    .description(
      "discover OpenClaw / Moltbot / Clawdbot gateways and fingerprint product, version and auth state",
    )
    .argument("[targets...]", "IPs, CIDRs, ranges (a-b), hostnames, http(s) URLs; - reads stdin")
    .option("-p, --ports <list>", "ports: 18789,80 or 18700-18799, or a preset: default, extended", "default")
    .option("--input-list <file>", "read targets from a file (also -iL FILE; - for stdin)", collect)
    .option(
      "--exclude <targets>",
      "addresses, CIDRs or ranges to skip (comma-separated, repeatable)",
      collect,
    )
    .option("--exclude-file <file>", "read excludes from a file", collect)
    .option(
      "--from <file>",
      "re-verify a scan export: probe exactly the host:port pairs it lists (masscan, ZMap, nmap, Shodan, Censys, clawpatrol NDJSON; repeatable)",
      collect,
    )
    .option("--input-format <format>", "the --from files' format instead of detecting it (e.g. masscan-json)")
    .option(
      "--blocklist <file>",
      "never scan the addresses or CIDRs listed in FILE (# comments); reserved ranges are skipped unless named",
      collect,
    )
    .option("--allow-large", "allow more than 65,536 addresses")
    .addOption(
      new Option(
        "--rate <n>",
        "hard cap of new connections per second (0 = unlimited); without it the rate adapts: it grows while connects are answered, halves on timeouts and resets, at most 1,000/s to one /24",
      )
        .argParser(intOption("--rate", 0, 1_000_000))
        .default(undefined, "adaptive"),
    )
    .option("--concurrency <n>", "endpoints swept at once", intOption("--concurrency", 1, 20_000), 512)
    .option(
      "--probe-concurrency <n>",
      "open endpoints probed at once",
      intOption("--probe-concurrency", 1, 2000),
      64,
    )
    .option("--per-host <n>", "endpoints of one host probed at once", intOption("--per-host", 1, 16), 2)
    .addOption(
      new Option("--timeout <duration>", "deadline per exchange (e.g. 5000ms, 5s)")
        .argParser(durationOption("--timeout", 100, 120_000))
        .default(5000, "5s"),
    )
    .option(
      "--mdns",
      "also scan the gateways that announce themselves over multicast DNS (as discover --mdns), within scope: the targets given, else the browsed interfaces' networks",
    )
    .addOption(
      new Option("--mdns-timeout <duration>", "how long --mdns listens before the scan starts")
        .argParser(durationOption("--mdns-timeout", 200, 600_000))
        .default(3000, "3s"),
    )
    .option("--interface <if>", "with --mdns: browse on this interface (name or IPv4 address)")
    .option("--all", "also report endpoints that did not answer")
    .option("--record <dir>", "save every probe transcript (raw bytes) as JSON in DIR")
    .option("--seed <n>", "seed of the target order permutation", intOption("--seed", 0, 2 ** 52))
    .option(
      "--contact <text>",
      "an email or URL put into the probes' User-Agent, so the operators you scan can reach you",
    )
    .option("--no-progress", "no progress line on stderr")
    .option(
      "--store",
      "also write the run into the store (PGlite under $CLAWPATROL_HOME or ~/.clawpatrol/db; DATABASE_URL for PostgreSQL)",
    )
    .action(async (targetArgs: string[], flags: ScanFlags) => {
      // Loaded on use, so other commands (and --help) do not pay for the scan engine.
      const { scanCommand } = await import("./scan-run.ts");
      process.exitCode = await scanCommand(targetArgs, flags);
    });
  addOutputOptions(scan, SCAN_OUTPUT);
}
