// `clawpatrol skills scan [paths...]` and `clawpatrol skills rules`.
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { RunError, UsageError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { type IocEntry, parseIocFile } from "../skills/indicators.ts";
import { DEFAULT_LIMITS } from "../skills/loaders/archive.ts";
import { loadPath } from "../skills/loaders/inputs.ts";
import { discoverInstalled } from "../skills/loaders/installed.ts";
import { toJson, toSkillsSarif, toText } from "../skills/report.ts";
import { RULES } from "../skills/rules.ts";
import { defaultIocs, scanUnit } from "../skills/scan.ts";
import { suggestSuppressions } from "../skills/suppressions.ts";
import type { SkillReport } from "../skills/types.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { type ReportFlags, reportTarget, sendReport } from "./fleet.ts";
import { addOutputOptions } from "./output-options.ts";

/** What `skills scan` prints. */
export const SKILLS_OUTPUT: OutputSpec = {
  formats: ["text", "json", "sarif", "ocsf", "cef"],
  meaning: {
    json: "the clawpatrol.skills.v1 report",
    sarif: "the findings",
    ocsf: "the findings",
    cef: "the findings",
  },
  findings: true,
  suppressible: true,
};

const RULES_OUTPUT: OutputSpec = { formats: ["text", "json"] };

interface ScanFlags extends OutputFlags, ReportFlags {
  installed?: boolean;
  stateDir?: string;
  config?: string;
  workspace?: string;
  openclawPackage?: string;
  store?: boolean;
  iocs?: string[];
  maxFileBytes?: string;
  includeNodeModules?: boolean;
  verbose?: boolean;
  suggestIgnore?: boolean;
  color?: boolean;
}

function parseBytes(v: string): number {
  const m = /^(\d+)\s*([kmg]i?b?)?$/i.exec(v.trim());
  if (!m) throw new UsageError(`--max-file-bytes: expected a size such as 32M, got ${v}`);
  const unit = (m[2] ?? "").toLowerCase()[0];
  const mult = unit === "k" ? 1024 : unit === "m" ? 1 << 20 : unit === "g" ? 1 << 30 : 1;
  return Number(m[1]) * mult;
}

export interface ScanIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const STDIO: ScanIo = {
  out: (s) => {
    process.stdout.write(s);
  },
  err: (s) => {
    process.stderr.write(s);
  },
};

export async function runSkillsScan(paths: string[], flags: ScanFlags, io: ScanIo = STDIO): Promise<number> {
  if (paths.length === 0 && !flags.installed)
    throw new UsageError("skills scan: name at least one path, or use --installed");
  const output = openCommandOutput(flags, SKILLS_OUTPUT);
  const reportTo = reportTarget(flags);
  const format = output.format;
  // Tests pass their own io; a real run writes results through the command output (-o).
  const out = io === STDIO ? (s: string) => output.write(s) : io.out;
  const cwd = process.cwd();
  // The one suppression model (src/findings/suppress.ts), read when the output was opened; the
  // scanner applies it before each verdict, so a suppressed finding never makes a skill suspicious.
  const suppressions = output.gate.suppressions;
  await output.gate.ready();
  const extra: IocEntry[] = [];
  for (const f of flags.iocs ?? []) {
    if (!existsSync(f)) throw new UsageError(`--iocs: ${f}: no such file`);
    try {
      extra.push(...parseIocFile(readFileSync(f, "utf8"), f));
    } catch (err) {
      throw new UsageError(`--iocs: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const limits = {
    ...DEFAULT_LIMITS,
    ...(flags.maxFileBytes ? { maxFileBytes: parseBytes(flags.maxFileBytes) } : {}),
  };
  const iocs = defaultIocs(extra);
  const opts = {
    iocs,
    limits,
    suppressions,
    ...(flags.includeNodeModules ? { includeNodeModules: true } : {}),
  };
  const startedAt = new Date().toISOString();
  const reports: SkillReport[] = [];
  const notes: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or directory`);
    let units: ReturnType<typeof loadPath>;
    try {
      units = loadPath(p, { cwd, limits, ...(flags.includeNodeModules ? { includeNodeModules: true } : {}) });
    } catch (err) {
      throw new RunError(`${p}: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const u of units) reports.push(scanUnit(u, opts));
  }
  if (flags.installed) {
    const found = discoverInstalled({
      ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
      ...(flags.config ? { config: flags.config } : {}),
      ...(flags.workspace ? { workspace: flags.workspace } : {}),
      ...(flags.openclawPackage ? { openclawPackage: flags.openclawPackage } : {}),
    });
    notes.push(`state dir ${found.stateDir}; config ${found.configPath ?? "(none)"}`, ...found.notes);
    for (const root of found.roots) {
      for (const u of loadPath(root.path, {
        cwd,
        limits,
        source: root.source,
        ...(flags.includeNodeModules ? { includeNodeModules: true } : {}),
      }))
        reports.push(scanUnit(u, opts));
    }
  }
  const tool = { name: "clawpatrol", version: VERSION };
  const triage = output.gate.triage(reports.flatMap((r) => r.findings));
  const active = triage.shown;
  if (flags.suggestIgnore) out(suggestSuppressions(reports.flatMap((r) => r.findings)));
  else if (format === "json")
    out(
      `${JSON.stringify(toJson(reports, tool, flags.installed ? { installed: { notes } } : {}), null, 2)}\n`,
    );
  else if (format === "sarif") out(`${JSON.stringify(toSkillsSarif(reports, tool), null, 2)}\n`);
  else if (format === "ocsf" || format === "cef") {
    // Unsuppressed findings, one line each; the id is the store's stable identity, first = last seen = the scan's start.
    const { findingWriter, runItems } = await import("../findings/export.ts");
    const writer = findingWriter(format, out, tool);
    writer.add(runItems(active, startedAt));
    writer.finish();
  } else {
    if (flags.installed) for (const n of notes) io.err(`clawpatrol: ${n}\n`);
    out(
      toText(reports, {
        minSeverity: flags.verbose ? "info" : "low",
        showSuppressed: output.gate.showSuppressed,
        color: flags.color !== false && output.isTty && !process.env.NO_COLOR,
      }),
    );
  }
  output.close();
  for (const line of output.gate.finish()) io.err(`clawpatrol: ${line}\n`);
  if (flags.store) {
    const { storeFindingsRun } = await import("./store-findings.ts");
    await storeFindingsRun(
      {
        kind: "skills",
        startedAt,
        options: { installed: flags.installed === true },
        targets: [...paths, ...(flags.installed ? ["--installed"] : [])],
      },
      active,
      startedAt,
    );
  }
  if (reportTo) {
    const doc = toJson(reports, tool, flags.installed ? { installed: { notes } } : {});
    io.err(`clawpatrol: ${await sendReport(reportTo, "skills", doc)}\n`);
  }
  return output.exitCode(triage.gating);
}

export function registerSkills(program: Command): void {
  const skills = program
    .command("skills")
    .description("Scan OpenClaw skills and plugins for malicious or risky content");
  const scan = skills
    .command("scan")
    .description("Scan skill folders, SKILL.md files, .zip/.tar.gz/.tgz archives and npm plugin tarballs")
    .argument("[paths...]", "skill folders, SKILL.md files or archives")
    .option("--installed", "scan every skill and plugin an OpenClaw install would load")
    .option("--state-dir <dir>", "OpenClaw state dir (default $OPENCLAW_STATE_DIR or ~/.openclaw)")
    .option("--config <file>", "OpenClaw config file (default <state-dir>/openclaw.json)")
    .option("--workspace <dir>", "agent workspace (default from the config)")
    .option(
      "--openclaw-package <dir>",
      "installed openclaw package, for bundled skills (default: found on PATH)",
    )
    .option(
      "--store",
      "also keep the findings in the store as a skills run (PGlite under $CLAWPATROL_HOME or ~/.clawpatrol/db; DATABASE_URL for PostgreSQL)",
    )
    .option("--iocs <file...>", "extra IOC lists (JSON like data/skills/iocs.json, or type:value lines)")
    .option(
      "--max-file-bytes <size>",
      `largest file analysed (default ${DEFAULT_LIMITS.maxFileBytes >> 20}M)`,
    )
    .option("--include-node-modules", "also scan node_modules folders")
    .option("-v, --verbose", "also list info findings")
    .option(
      "--suggest-ignore",
      "print .clawpatrol-ignore.yml entries for the current findings instead of a report",
    )
    .option("--no-color", "no ANSI colours")
    .option("--report-to <url>", "also post the report to a running clawpatrol serve (the fleet roll-up)")
    .option(
      "--report-token-file <file>",
      "this host's token for --report-to (default $CLAWPATROL_FLEET_TOKEN)",
    )
    .option("--report-host <name>", "the host name the token was made for (default: this host's name)")
    .action(async (paths: string[], flags: ScanFlags) => {
      process.exitCode = await runSkillsScan(paths, flags);
    });
  addOutputOptions(scan, SKILLS_OUTPUT);
  const rules = skills
    .command("rules")
    .description("List the skill scanner's rules")
    .action((flags: OutputFlags) => {
      const out = openCommandOutput(flags, RULES_OUTPUT);
      const list = [...RULES.values()];
      if (out.format === "json") out.write(`${JSON.stringify(list, null, 2)}\n`);
      else for (const r of list) out.write(`${r.id}  ${r.severity}/${r.confidence}  ${r.title}\n`);
      out.close();
    });
  addOutputOptions(rules, RULES_OUTPUT);
}
