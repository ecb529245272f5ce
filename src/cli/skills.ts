// `clawpatrol skills scan [paths...]` and `clawpatrol skills rules`.
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { chooseFormat, formatOption, type OutputFormat } from "../core/output.ts";
import { isSeverity, reachesThreshold, type Severity } from "../findings/model.ts";
import { type IocEntry, parseIocFile } from "../skills/indicators.ts";
import { DEFAULT_LIMITS } from "../skills/loaders/archive.ts";
import { loadPath } from "../skills/loaders/inputs.ts";
import { discoverInstalled } from "../skills/loaders/installed.ts";
import { toJson, toSkillsSarif, toText } from "../skills/report.ts";
import { RULES } from "../skills/rules.ts";
import { defaultIocs, scanUnit } from "../skills/scan.ts";
import { loadSuppressions, SuppressionError, suggestSuppressions } from "../skills/suppressions.ts";
import type { SkillReport } from "../skills/types.ts";

/** What `skills scan --format` offers (json is the clawpatrol.skills.v1 report; sarif, ocsf, cef: the findings). */
export const SKILLS_FORMATS: readonly OutputFormat[] = ["text", "json", "sarif", "ocsf", "cef"];

const TOOL_VERSION = "0.1.0";

interface ScanFlags {
  installed?: boolean;
  stateDir?: string;
  config?: string;
  workspace?: string;
  openclawPackage?: string;
  format?: OutputFormat;
  json?: boolean;
  sarif?: boolean;
  store?: boolean;
  failOn: string;
  ignoreFile?: string;
  iocs?: string[];
  maxFileBytes?: string;
  includeNodeModules?: boolean;
  verbose?: boolean;
  showSuppressed?: boolean;
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
  const format = chooseFormat(flags);
  if (!isSeverity(flags.failOn))
    throw new UsageError(`--fail-on: expected info, low, medium, high or critical, got ${flags.failOn}`);
  if (paths.length === 0 && !flags.installed)
    throw new UsageError("skills scan: name at least one path, or use --installed");
  const cwd = process.cwd();
  let suppressions: ReturnType<typeof loadSuppressions>;
  try {
    suppressions = loadSuppressions(flags.ignoreFile, cwd);
  } catch (err) {
    if (err instanceof SuppressionError) throw new UsageError(err.message);
    throw err;
  }
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
  const expired = suppressions.filter(
    (s) => s.used === 0 && s.expires < new Date().toISOString().slice(0, 10),
  );
  for (const s of expired)
    io.err(`clawpatrol: suppression for ${s.rule} at ${s.path} expired on ${s.expires} (${s.file})\n`);
  const tool = { name: "clawpatrol", version: TOOL_VERSION };
  const active = reports.flatMap((r) => r.findings.filter((f) => !f.suppressed));
  if (flags.suggestIgnore) io.out(suggestSuppressions(reports.flatMap((r) => r.findings)));
  else if (format === "json")
    io.out(
      `${JSON.stringify(toJson(reports, tool, flags.installed ? { installed: { notes } } : {}), null, 2)}\n`,
    );
  else if (format === "sarif") io.out(`${JSON.stringify(toSkillsSarif(reports, tool), null, 2)}\n`);
  else if (format === "ocsf" || format === "cef") {
    // Unsuppressed findings, one line each; the id is the store's stable identity, first = last seen = the scan's start.
    const { findingWriter, runItems } = await import("../findings/export.ts");
    const writer = findingWriter(format, io.out, tool);
    writer.add(runItems(active, startedAt));
    writer.finish();
  } else {
    if (flags.installed) for (const n of notes) io.err(`clawpatrol: ${n}\n`);
    io.out(
      toText(reports, {
        minSeverity: flags.verbose ? "info" : "low",
        showSuppressed: !!flags.showSuppressed,
        color: flags.color !== false && process.stdout.isTTY === true && !process.env.NO_COLOR,
      }),
    );
  }
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
  return reachesThreshold(active, flags.failOn as Severity) ? EXIT.findings : EXIT.ok;
}

export function registerSkills(program: Command): void {
  const skills = program
    .command("skills")
    .description("Scan OpenClaw skills and plugins for malicious or risky content");
  skills
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
      "-f, --format <format>",
      `output: ${SKILLS_FORMATS.join(", ")} (json: the clawpatrol.skills.v1 report; sarif, ocsf, cef: the findings)`,
      formatOption(SKILLS_FORMATS),
    )
    .option("--json", "JSON output (schema clawpatrol.skills.v1); same as --format json")
    .option("--sarif", "SARIF 2.1.0 output; same as --format sarif")
    .option(
      "--store",
      "also keep the findings in the store as a skills run (PGlite under $CLAWPATROL_HOME or ~/.clawpatrol/db; DATABASE_URL for PostgreSQL)",
    )
    .option("--fail-on <severity>", "exit 1 when a finding reaches this severity", "high")
    .option("--ignore-file <file>", "suppressions file (default ./.clawpatrol-ignore.yml)")
    .option("--iocs <file...>", "extra IOC lists (JSON like data/skills/iocs.json, or type:value lines)")
    .option(
      "--max-file-bytes <size>",
      `largest file analysed (default ${DEFAULT_LIMITS.maxFileBytes >> 20}M)`,
    )
    .option("--include-node-modules", "also scan node_modules folders")
    .option("-v, --verbose", "also list info findings")
    .option("--show-suppressed", "list suppressed findings in text output")
    .option(
      "--suggest-ignore",
      "print .clawpatrol-ignore.yml entries for the current findings instead of a report",
    )
    .option("--no-color", "no ANSI colours")
    .action(async (paths: string[], flags: ScanFlags) => {
      process.exitCode = await runSkillsScan(paths, flags);
    });
  skills
    .command("rules")
    .description("List the skill scanner's rules")
    .option("--json", "JSON output")
    .action((flags: { json?: boolean }) => {
      const list = [...RULES.values()];
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else for (const r of list) process.stdout.write(`${r.id}  ${r.severity}/${r.confidence}  ${r.title}\n`);
    });
}
