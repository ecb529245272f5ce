// `clawpatrol audit` (also what a bare `clawpatrol` runs): the host audit.
import type { Command } from "commander";
import { renderJson, renderSarif, renderText } from "../audit/report.ts";
import { runAudit, verdict } from "../audit/run.ts";
import { UsageError } from "../core/errors.ts";
import { suppressedLines } from "../findings/suppress-text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { type ReportFlags, reportTarget, sendReport } from "./fleet.ts";
import { addOutputOptions } from "./output-options.ts";

/** What `audit` prints; reports are 0600: they name where secrets are. */
export const AUDIT_OUTPUT: OutputSpec = {
  formats: ["text", "json", "sarif", "ocsf", "cef"],
  meaning: {
    json: "the clawpatrol.audit/1 report",
    sarif: "the findings",
    ocsf: "the findings",
    cef: "the findings",
  },
  findings: true,
  suppressible: true,
  fileMode: 0o600,
};

export interface AuditCliOptions extends OutputFlags, ReportFlags {
  stateDir?: string;
  config?: string;
  store?: boolean;
  probe?: boolean;
  verbose?: boolean;
  live?: boolean;
  home?: string;
  assumeVersion?: string;
  withOpenclaw?: string;
}

export async function auditAction(opts: AuditCliOptions): Promise<number> {
  const out = openCommandOutput(opts, AUDIT_OUTPUT);
  const reportTo = reportTarget(opts);
  const format = out.format;
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
  // read before the audit: a bad file is exit 2 at once
  const openclaw = opts.withOpenclaw
    ? {
        file: opts.withOpenclaw,
        findings: (await import("../audit/with-openclaw.ts")).readOpenClawAudit(opts.withOpenclaw),
      }
    : null;
  await out.gate.ready();
  const audited = await runAudit({
    ...(assume ? { assume } : {}),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.config ? { configPath: opts.config } : {}),
    ...(opts.home ? { home: opts.home } : {}),
    probe: opts.probe ?? false,
    noLive: opts.live === false,
  });
  if (openclaw) {
    const { mergeOpenClaw } = await import("../audit/with-openclaw.ts");
    audited.findings = mergeOpenClaw(audited.findings, openclaw.findings, openclaw.file);
    audited.notes.push(
      `merged ${openclaw.findings.length} findings of openclaw security audit from ${openclaw.file}`,
    );
  }
  // Suppressed findings leave the report, its exports and the gate; --show-suppressed lists them.
  const triage = out.gate.triage(audited.findings);
  const report =
    triage.suppressed.length === 0
      ? audited
      : {
          ...audited,
          findings: triage.shown,
          verdict: verdict(
            triage.shown,
            audited.targets.length,
            audited.targets.map((t) => t.gateway),
          ),
        };
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
      color: out.isTty && !process.env.NO_COLOR,
      verbose: opts.verbose ?? false,
    });
  out.write(text);
  if (out.gate.showSuppressed && format === "text" && triage.suppressed.length > 0)
    out.write(suppressedLines(triage.suppressed));
  out.close();
  for (const line of out.gate.finish()) process.stderr.write(`clawpatrol: ${line}\n`);
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
  // The fleet roll-up: this host's report (suppressions applied) to a running serve.
  if (reportTo) process.stderr.write(`clawpatrol: ${await sendReport(reportTo, "audit", report)}\n`);
  return out.exitCode(triage.gating);
}

export function registerAudit(program: Command): void {
  const audit = program
    .command("audit")
    .description(
      "Audit this host's OpenClaw/Clawdbot/Moltbot installs: exposure, auth, secrets, signs of compromise",
    )
    .option("--state-dir <dir>", "audit only this state directory (must exist)")
    .option("--config <file>", "audit only this config file (must exist)")
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
    .option(
      "--with-openclaw <file>",
      "merge the JSON of an `openclaw security audit --json` you ran: one finding per issue, both ids shown",
    )
    .option("-v, --verbose", "show informational findings too")
    .option(
      "--store",
      "also keep the findings in the store as an audit run (PGlite under $CLAWPATROL_HOME or ~/.clawpatrol/db; DATABASE_URL for PostgreSQL)",
    )
    .option("--report-to <url>", "also post the report to a running clawpatrol serve (the fleet roll-up)")
    .option(
      "--report-token-file <file>",
      "this host's token for --report-to (default $CLAWPATROL_FLEET_TOKEN)",
    )
    .option("--report-host <name>", "the host name the token was made for (default: this host's name)")
    .action(async (opts: AuditCliOptions) => {
      process.exitCode = await auditAction(opts);
    });
  addOutputOptions(audit, AUDIT_OUTPUT);
  const rules = audit
    .command("rules")
    .description(
      "List clawpatrol's audit rules: severity logic, the OpenClaw check ids each covers, the releases it applies to, its fix",
    )
    .action(async (opts: OutputFlags) => {
      process.exitCode = await auditRulesAction(opts);
    });
  addOutputOptions(rules, AUDIT_RULES_OUTPUT);
}

/** What `audit rules` prints. */
export const AUDIT_RULES_OUTPUT: OutputSpec = {
  formats: ["text", "json"],
  meaning: { json: "the clawpatrol.audit-rules/1 catalogue" },
};

export async function auditRulesAction(opts: OutputFlags): Promise<number> {
  const out = openCommandOutput(opts, AUDIT_RULES_OUTPUT);
  const { rulesDocument, renderRulesText } = await import("../audit/rules-report.ts");
  const doc = rulesDocument();
  out.write(out.format === "json" ? `${JSON.stringify(doc, null, 2)}\n` : renderRulesText(doc));
  out.close();
  return 0;
}
