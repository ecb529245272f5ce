// `clawpatrol audit` (also what a bare `clawpatrol` runs): the host audit.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { renderJson, renderSarif, renderText } from "../audit/report.ts";
import { runAudit } from "../audit/run.ts";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { chooseFormat, formatOption, type OutputFormat } from "../core/output.ts";
import { isSeverity, reachesThreshold, type Severity } from "../findings/model.ts";

/** What `audit --format` offers (json is the clawpatrol.audit/1 report; ocsf and cef, the findings). */
export const AUDIT_FORMATS: readonly OutputFormat[] = ["text", "json", "sarif", "ocsf", "cef"];

export interface AuditCliOptions {
  stateDir?: string;
  config?: string;
  format?: OutputFormat;
  json?: boolean;
  sarif?: boolean;
  store?: boolean;
  output?: string;
  failOn?: string;
  probe?: boolean;
  verbose?: boolean;
  live?: boolean;
  home?: string;
  assumeVersion?: string;
}

export async function auditAction(opts: AuditCliOptions): Promise<number> {
  const format = chooseFormat(opts);
  let threshold: Severity | null = null;
  if (opts.failOn !== undefined) {
    const s = opts.failOn.toLowerCase();
    if (!isSeverity(s))
      throw new UsageError(
        `--fail-on must be one of info, low, medium, high, critical (got "${opts.failOn}")`,
      );
    threshold = s;
  }
  let assume: { product: "openclaw" | "clawdbot" | "moltbot"; version: string } | undefined;
  if (opts.assumeVersion !== undefined) {
    const m = /^(openclaw|clawdbot|moltbot)@(\d{4}\.\d{1,2}\.\d{1,3}(?:-[\w.]+)?)$/.exec(
      opts.assumeVersion.trim(),
    );
    if (!m)
      throw new UsageError(
        `--assume-version expects product@version, e.g. openclaw@2026.9.6 (got "${opts.assumeVersion}")`,
      );
    assume = { product: m[1] as "openclaw" | "clawdbot" | "moltbot", version: m[2]! };
  }
  const report = await runAudit({
    ...(assume ? { assume } : {}),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.config ? { configPath: opts.config } : {}),
    ...(opts.home ? { home: opts.home } : {}),
    probe: opts.probe ?? false,
    noLive: opts.live === false,
  });
  let text: string;
  if (format === "json") text = renderJson(report);
  else if (format === "sarif") text = renderSarif(report);
  else if (format === "ocsf" || format === "cef") {
    // One line per finding; the id is the store's stable identity, first = last seen = the audit's start.
    const { findingWriter, runItems } = await import("../findings/export.ts");
    const parts: string[] = [];
    const writer = findingWriter(format, (t) => parts.push(t), report.tool);
    writer.add(runItems(report.findings, report.startedAt));
    writer.finish();
    text = parts.join("");
  } else
    text = renderText(report, {
      color: !opts.output && process.stdout.isTTY === true && !process.env.NO_COLOR,
      verbose: opts.verbose ?? false,
    });
  if (opts.output) {
    try {
      writeFileSync(opts.output, text, { mode: 0o600 });
    } catch (err) {
      throw new RunError(`cannot write ${opts.output}: ${(err as Error).message}`);
    }
  } else process.stdout.write(text);
  // After the report is out, so a store that cannot be written still leaves the report.
  if (opts.store) {
    const { storeFindingsRun } = await import("./store-findings.ts");
    await storeFindingsRun(
      {
        kind: "audit",
        startedAt: report.startedAt,
        options: {
          probe: opts.probe ?? false,
          live: opts.live !== false,
          assumeVersion: opts.assumeVersion ?? null,
        },
        targets: report.targets.map((t) => t.configPath),
      },
      report.findings,
      report.startedAt,
    );
  }
  if (threshold && reachesThreshold(report.findings, threshold)) return EXIT.findings;
  return EXIT.ok;
}

export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description(
      "Audit this host's OpenClaw/Clawdbot/Moltbot installs: exposure, auth, secrets, signs of compromise",
    )
    .option("--state-dir <dir>", "audit only this state directory (must exist)")
    .option("--config <file>", "audit only this config file (must exist)")
    .option(
      "-f, --format <format>",
      `output: ${AUDIT_FORMATS.join(", ")} (json: the clawpatrol.audit/1 report; sarif, ocsf, cef: the findings)`,
      formatOption(AUDIT_FORMATS),
    )
    .option("--json", "print the report as JSON (schema clawpatrol.audit/1); same as --format json")
    .option("--sarif", "print findings as SARIF 2.1.0; same as --format sarif")
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option("--fail-on <severity>", "exit 1 when a finding is at or above this severity")
    .option("--probe", "also connect to this host's own addresses to confirm what listens beyond loopback")
    .option("--no-live", "do not read the listening sockets")
    .option(
      "--home <dir>",
      "the user's home directory to search for OpenClaw state dirs and services (default: yours); not clawpatrol's own data directory",
    )
    .option(
      "--assume-version <product@version>",
      "version to assume when none can be detected (e.g. openclaw@2026.9.6)",
    )
    .option("-v, --verbose", "show informational findings too")
    .option(
      "--store",
      "also keep the findings in the store as an audit run (PGlite under $CLAWPATROL_HOME or ~/.clawpatrol/db; DATABASE_URL for PostgreSQL)",
    )
    .action(async (opts: AuditCliOptions) => {
      process.exitCode = await auditAction(opts);
    });
}
