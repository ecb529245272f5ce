// `clawpatrol advisories list|show|check|import`: the advisory database on its own.
//   list            every advisory clawpatrol matches on (shipped + imported)
//   show <id>       one advisory by GHSA id or CVE alias, with where its fixed version came from
//   check <query>   what applies to a version, a range or a candidate set, and what to upgrade to
//   import <path>   add or replace records from OSV files (file, directory or zip)
// Text that came from advisory data is escaped before it reaches a terminal: imported records
// are untrusted input.
import type { Command } from "commander";
import { compareVersions, isCalVer } from "../advisories/calver.ts";
import { COUNT_LABELS, countAdvisories, describeCounts, usableHereByAuth } from "../advisories/counts.ts";
import { importAdvisories } from "../advisories/import.ts";
import {
  type AdvisoryMatch,
  createMatcher,
  type MatchQuery,
  type MatchResult,
  type Product,
  resetAdvisoryCache,
} from "../advisories/match.ts";
import { describeInterval } from "../advisories/ranges.ts";
import { SEVERITIES, type Severity } from "../advisories/schema.ts";
import { SEVERITY_RANK } from "../advisories/severity.ts";
import {
  type Advisory,
  type AdvisoryDb,
  defaultUserDir,
  findAdvisory,
  firstStableAtOrAfter,
  loadAdvisoryDb,
} from "../advisories/store.ts";
import { EXIT, UsageError } from "../core/errors.ts";
import { OPENCLAW_FAMILY } from "../fingerprints/openclaw/meta.ts";
import { capText, escapeForTerminal, escapeOneLine } from "../util/text.ts";
import {
  otherProductNames,
  parseProductCheck,
  productCheckAction,
  productListAction,
  productShowAction,
  productsWithAdvisories,
} from "./advisories-product.ts";
import {
  type CommandOutput,
  type OutputFlags,
  type OutputSpec,
  openCommandOutput,
} from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";

interface CommonOptions extends OutputFlags {
  dataDir?: string;
  clawpatrolHome?: string;
}

const PRODUCTS: readonly Product[] = OPENCLAW_FAMILY;

function userDirFor(opts: CommonOptions): string {
  return opts.clawpatrolHome ? defaultUserDir({ CLAWPATROL_HOME: opts.clawpatrolHome }) : defaultUserDir();
}

function openDb(opts: CommonOptions): AdvisoryDb {
  const db = loadAdvisoryDb({
    ...(opts.dataDir ? { shippedDir: opts.dataDir } : {}),
    userDir: userDirFor(opts),
  });
  for (const p of db.problems)
    process.stderr.write(
      `clawpatrol: warning: skipped ${escapeOneLine(p.file)}: ${escapeOneLine(p.errors.slice(0, 3).join("; "))}\n`,
    );
  return db;
}

function writeJson(sink: CommandOutput, value: unknown): void {
  sink.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** What every advisories subcommand prints; `check` also reports findings (--fail-on). */
const LISTING_OUTPUT: OutputSpec = { formats: ["text", "json"] };
const CHECK_OUTPUT: OutputSpec = { formats: ["text", "json"], findings: true };

/** Open the output first (a bad -o is exit 2 before any work), run, then finish the file. */
function withOutput(opts: OutputFlags, spec: OutputSpec, action: (sink: CommandOutput) => number): number {
  const sink = openCommandOutput(opts, spec);
  const code = action(sink);
  sink.close();
  return code;
}

function one(text: string, max = 200): string {
  return escapeOneLine(capText(text, max).text);
}

function severityWord(s: Severity): string {
  return s.toUpperCase().padEnd(8);
}

function parseSeverity(flag: string, value: string): Severity {
  const v = value.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  throw new UsageError(`${flag} must be one of ${SEVERITIES.join(", ")}; got "${value}"`);
}

function firstFixedRelease(db: AdvisoryDb, a: Advisory): string | null {
  const ends = a.intervals.map((iv) =>
    iv.fixed !== null
      ? { v: iv.fixed, incl: true }
      : iv.lastAffected !== null
        ? { v: iv.lastAffected, incl: false }
        : null,
  );
  if (ends.some((e) => e === null) || ends.length === 0) return null;
  const last = ends.reduce((x, y) => (compareVersions(x!.v, y!.v) >= 0 ? x : y))!;
  return firstStableAtOrAfter(db.releases, last.v, last.incl);
}

function listEntry(db: AdvisoryDb, a: Advisory) {
  return {
    id: a.id,
    aliases: a.aliases,
    summary: a.summary,
    severity: a.severity,
    cvss: a.cvss,
    preAuth: a.preAuth,
    userInteraction: a.userInteraction,
    exposure: a.exposure,
    knownExploited: a.knownExploited,
    ranges: a.intervals.map((iv) => ({
      package: iv.pkg,
      introduced: iv.introduced,
      fixed: iv.fixed,
      lastAffected: iv.lastAffected,
    })),
    firstFixedRelease: firstFixedRelease(db, a),
    origin: a.origin,
  };
}

// ---------------------------------------------------------------- list

interface ListOptions extends CommonOptions {
  preAuth?: boolean;
  minSeverity?: string;
  product?: string;
}

function listAction(opts: ListOptions, sink: CommandOutput): number {
  const min = opts.minSeverity ? parseSeverity("--min-severity", opts.minSeverity) : null;
  if (opts.product !== undefined && !(PRODUCTS as string[]).includes(opts.product.trim().toLowerCase())) {
    const code = productListAction(
      opts.product,
      {
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        preAuth: opts.preAuth ?? false,
        minRank: (s) => !min || SEVERITY_RANK[s] >= SEVERITY_RANK[min],
      },
      sink,
    );
    if (code === null)
      throw new UsageError(
        `--product must be one of ${[...PRODUCTS, ...otherProductNames()].join(", ")}; got "${escapeOneLine(opts.product)}"`,
      );
    return code;
  }
  const db = openDb(opts);
  const rows = db.advisories.filter(
    (a) => (!opts.preAuth || a.preAuth) && (!min || SEVERITY_RANK[a.severity] >= SEVERITY_RANK[min]),
  );
  if (sink.format === "json") {
    writeJson(sink, { count: rows.length, advisories: rows.map((a) => listEntry(db, a)) });
    return EXIT.ok;
  }
  const out: string[] = [
    `${rows.length} advisories${db.advisories.length !== rows.length ? ` (of ${db.advisories.length})` : ""}`,
  ];
  for (const a of rows) {
    const cve = a.aliases.find((x) => x.startsWith("CVE-")) ?? "";
    const ranges = a.intervals.map((iv) => describeInterval(iv)).join(", ");
    out.push(
      `${severityWord(a.severity)} ${one(a.id, 40).padEnd(20)} ${one(cve, 20).padEnd(15)} ${a.preAuth ? "pre-auth" : "        "}  ${one(ranges, 60).padEnd(28)} ${one(a.summary, 100)}`,
    );
  }
  sink.write(`${out.join("\n")}\n`);
  return EXIT.ok;
}

// ---------------------------------------------------------------- show

function showAction(id: string, opts: CommonOptions, sink: CommandOutput): number {
  const db = openDb(opts);
  const a = findAdvisory(db, id);
  if (!a) {
    const other = productShowAction(id, opts.dataDir ? { dataDir: opts.dataDir } : {}, sink);
    if (other !== null) return other;
  }
  if (!a)
    throw new UsageError(`no advisory ${escapeOneLine(id.slice(0, 80))} (try: clawpatrol advisories list)`);
  if (sink.format === "json") {
    writeJson(sink, {
      advisory: {
        ...listEntry(db, a),
        details: a.details,
        fixedSource: a.fixedSource,
        references: a.references,
        published: a.published,
        modified: a.modified,
        derived: a.derived,
      },
      record: a.record,
    });
    return EXIT.ok;
  }
  const fs = a.fixedSource;
  const lines = [
    `${one(a.id, 60)}${a.aliases.length ? `  (${a.aliases.map((x) => one(x, 40)).join(", ")})` : ""}`,
    one(a.summary, 300),
    "",
    `severity:        ${a.severity}${a.severityEstimated ? " (estimated)" : ""}${a.cvss ? `  ${one(a.cvss, 200)}${a.score !== null ? ` = ${a.score}` : ""}` : ""}`,
    `pre-auth (net):  ${a.preAuth ? "yes" : "no"}${a.derived ? " (derived from CVSS)" : ""}`,
    `user action:     ${a.userInteraction ? "needed" : "not needed"}`,
    `exposure:        ${a.exposure.join(", ")}`,
    `known exploited: ${a.knownExploited ? "yes" : "no"}`,
    `affected:        ${a.intervals.map((iv) => `${one(iv.pkg, 60)} ${describeInterval(iv)}`).join("; ")}`,
    `upgrade to:      ${firstFixedRelease(db, a) ?? "no published release fixes it"}`,
  ];
  if (fs) {
    lines.push(
      `fixed version:   from ${fs.method}${fs.upstream_fixed ? ` (advisory names ${one(fs.upstream_fixed, 40)})` : ""}`,
    );
    lines.push(`  evidence:      ${one(fs.evidence, 1000)}`);
    if (fs.note) lines.push(`  note:          ${one(fs.note, 1000)}`);
  }
  lines.push(`published:       ${a.published ?? "unknown"}   modified: ${a.modified}   source: ${a.origin}`);
  if (a.details) lines.push("", escapeForTerminal(capText(a.details, 4000).text));
  if (a.references.length) {
    lines.push("", "references:");
    for (const r of a.references.slice(0, 20)) lines.push(`  ${one(r.url, 300)}`);
  }
  sink.write(`${lines.join("\n")}\n`);
  return EXIT.ok;
}

// ---------------------------------------------------------------- check

export interface ParsedQuery {
  product: Product;
  query: MatchQuery;
  label: string;
}

/**
 * The form every OpenClaw, Clawdbot and Moltbot release on npm has (data/advisories/_releases.json):
 * YYYY.M.D with no leading zeros, then optionally a rebuild `-N` or a pre-release `-beta.N`.
 * D is a day in most releases but not all (2026.6.33 was published), so it is not checked as a
 * date. 1.2.3 or 2026.13.1 would match nothing and silently report "no advisories".
 */
const PUBLISHED_VERSION = /^20\d\d\.(?:[1-9]|1[0-2])\.[1-9]\d?(?:-[1-9]\d*|-beta\.[1-9]\d*)?$/;

export function isPublishedVersionForm(version: string): boolean {
  return PUBLISHED_VERSION.test(version) && isCalVer(version);
}

function requireVersion(text: string, what: string): string {
  const v = text.trim().replace(/^v/, "");
  if (!isPublishedVersionForm(v))
    throw new UsageError(
      `${what} "${escapeOneLine(text.slice(0, 60))}" is not an OpenClaw-family version: expected YYYY.M.D, optionally with -N or -beta.N (e.g. 2026.3.13, 2026.1.24-3, 2026.5.16-beta.2)`,
    );
  return v;
}

/**
 * Parse what `check` accepts:
 *   2026.3.13                 exact version (optionally openclaw@ / clawdbot@ / moltbot@)
 *   2026.3.1..2026.3.31       inclusive range; either end may be left out (2026.3.1.., ..2026.3.31)
 *   ">=2026.3.1 <=2026.3.31"  the same with comparison operators (inclusive only)
 *   2026.3.11,2026.3.12       candidate set: affected = all candidates, possibly = some
 */
export function parseCheckQuery(input: string, productFlag?: string): ParsedQuery {
  let text = input.trim();
  let product: Product = "openclaw";
  const at = /^(openclaw|clawdbot|moltbot)@/i.exec(text);
  if (at) {
    product = at[1]!.toLowerCase() as Product;
    text = text.slice(at[0].length);
  }
  if (productFlag !== undefined) {
    const p = productFlag.trim().toLowerCase();
    if (!(PRODUCTS as string[]).includes(p))
      throw new UsageError(
        `--product must be one of ${PRODUCTS.join(", ")}; got "${escapeOneLine(productFlag)}"`,
      );
    product = p as Product;
  }
  if (!text) throw new UsageError("give a version, a range (A..B) or a list (A,B)");
  if (text.includes(",")) {
    const candidates = text.split(",").map((c) => requireVersion(c, "candidate"));
    return { product, query: { product, candidates }, label: candidates.join(", ") };
  }
  if (text.includes("..")) {
    const [lo, hi, extra] = text.split("..");
    if (extra !== undefined) throw new UsageError(`a range is A..B; got "${escapeOneLine(input)}"`);
    const min = lo!.trim() ? requireVersion(lo!, "range start") : null;
    const max = hi!.trim() ? requireVersion(hi!, "range end") : null;
    if (min === null && max === null) throw new UsageError("a range needs at least one end");
    if (min && max && compareVersions(min, max) > 0)
      throw new UsageError(`range start ${min} is above its end ${max}`);
    return { product, query: { product, range: { min, max } }, label: `${min ?? "…"} .. ${max ?? "…"}` };
  }
  if (/^[<>]/.test(text)) {
    let min: string | null = null;
    let max: string | null = null;
    for (const part of text.split(/\s+/).filter(Boolean)) {
      const m = /^(>=|<=|>|<)(.+)$/.exec(part);
      if (!m) throw new UsageError(`cannot read "${escapeOneLine(part)}" (use >=A and <=B)`);
      if (m[1] === ">" || m[1] === "<")
        throw new UsageError(
          `use inclusive bounds (>= or <=) or A..B; "${escapeOneLine(part)}" is exclusive`,
        );
      if (m[1] === ">=") min = requireVersion(m[2]!, "range start");
      else max = requireVersion(m[2]!, "range end");
    }
    if (min && max && compareVersions(min, max) > 0)
      throw new UsageError(`range start ${min} is above its end ${max}`);
    return { product, query: { product, range: { min, max } }, label: `${min ?? "…"} .. ${max ?? "…"}` };
  }
  const version = requireVersion(text, "version");
  return { product, query: { product, version }, label: version };
}

function matchLine(m: AdvisoryMatch): string {
  const cve = m.aliases.find((x) => x.startsWith("CVE-")) ?? "";
  const flags = [m.preAuth ? "pre-auth" : "", m.knownExploited ? "exploited" : ""].filter(Boolean).join(",");
  return `  ${severityWord(m.severity)} ${one(m.id, 40).padEnd(20)} ${one(cve, 20).padEnd(15)} ${flags.padEnd(9)} fixed ${one(m.fixed ?? "none", 20).padEnd(11)} ${one(m.summary, 100)}`;
}

interface CheckOptions extends CommonOptions {
  product?: string;
  preAuth?: boolean;
}

function checkAction(input: string, opts: CheckOptions, sink: CommandOutput): number {
  const other = parseProductCheck(input, opts.product);
  if (other)
    return productCheckAction(
      other,
      { ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), preAuth: opts.preAuth ?? false },
      sink,
    );
  const parsed = parseCheckQuery(input, opts.product);
  const db = openDb(opts);
  const full: MatchResult = createMatcher(db)(parsed.query);
  // --pre-auth narrows what is shown; the upgrade target still clears everything listed.
  const result: MatchResult = opts.preAuth
    ? {
        ...full,
        affected: full.affected.filter((m) => m.preAuth),
        possiblyAffected: full.possiblyAffected.filter((m) => m.preAuth),
      }
    : full;
  // The numbers always describe the whole match; --pre-auth only narrows the listing.
  const everything = [...full.affected, ...full.possiblyAffected];
  const advisoryCounts = countAdvisories(everything, "unknown");
  const usableHere = usableHereByAuth(everything);
  if (sink.format === "json") {
    writeJson(sink, {
      product: parsed.product,
      query: parsed.query,
      advisoryCounts: {
        affecting: advisoryCounts.affecting,
        possiblyAffecting: advisoryCounts.possiblyAffecting,
        preAuth: advisoryCounts.preAuth,
      },
      usableHereByAuth: usableHere,
      affected: result.affected,
      possiblyAffected: result.possiblyAffected,
      upgradeTo: result.upgradeTo,
      unfixed: result.unfixed,
      notes: result.notes,
    });
  } else {
    const all = [...result.affected, ...result.possiblyAffected];
    const out: string[] = [
      `${parsed.product} ${parsed.label} advisories: ${describeCounts(advisoryCounts, { usableHere: false })}; ${COUNT_LABELS.usableHere}: ${usableHere.required} with auth enforced, ${usableHere.notRequired} without auth`,
    ];
    if (result.upgradeTo) out.push(`upgrade to: openclaw@${result.upgradeTo}`);
    else if (all.length > 0) out.push("upgrade to: no published release clears every listed advisory");
    if (result.unfixed.length) out.push(`no fix yet: ${result.unfixed.map((x) => one(x, 40)).join(", ")}`);
    for (const n of result.notes) out.push(`note: ${one(n, 300)}`);
    if (result.affected.length) out.push("", "AFFECTED", ...result.affected.map(matchLine));
    if (result.possiblyAffected.length)
      out.push(
        "",
        "POSSIBLY AFFECTED (depends on the exact version)",
        ...result.possiblyAffected.map(matchLine),
      );
    sink.write(`${out.join("\n")}\n`);
  }
  // Only advisories that certainly affect the version count against --fail-on.
  return sink.exitCode(result.affected);
}

// ---------------------------------------------------------------- import

interface ImportOptions extends CommonOptions {
  dryRun?: boolean;
}

function importAction(path: string, opts: ImportOptions, sink: CommandOutput): number {
  const userDir = userDirFor(opts);
  const shipped = loadAdvisoryDb({ ...(opts.dataDir ? { shippedDir: opts.dataDir } : {}), userDir: null });
  const report = importAdvisories(path, {
    userDir,
    shippedIds: new Set(shipped.advisories.map((a) => a.id)),
    dryRun: opts.dryRun ?? false,
  });
  resetAdvisoryCache();
  if (sink.format === "json") writeJson(sink, report);
  else {
    const out: string[] = [];
    for (const item of report.items) {
      const where = one(item.source, 200);
      if (item.status === "rejected")
        out.push(
          `rejected ${where}${item.id ? ` (${one(item.id, 60)})` : ""}: ${one(item.reasons.join("; "), 600)}`,
        );
      else if (item.status === "releases") out.push(`release list ${where}: stored`);
      else out.push(`${item.status} ${one(item.id ?? "", 60)} from ${where}`);
    }
    out.push(
      `${opts.dryRun ? "would import" : "imported"} ${report.added + report.replaced} (${report.added} new, ${report.replaced} replacing), rejected ${report.rejected}; records live in ${one(report.userDir, 300)}`,
    );
    sink.write(`${out.join("\n")}\n`);
  }
  if (report.items.length === 0) throw new UsageError(`no .json files found in ${escapeOneLine(path)}`);
  return report.rejected > 0 ? EXIT.usage : EXIT.ok;
}

// ---------------------------------------------------------------- registration

export function registerAdvisories(program: Command): void {
  const others = productsWithAdvisories().join(", ");
  const adv = program
    .command("advisories")
    .description(
      `List, show and match security advisories of OpenClaw/Clawdbot/Moltbot and the other products clawpatrol finds (${others}); import OSV updates`,
    );
  const common = (c: Command, spec: OutputSpec = LISTING_OUTPUT) =>
    addOutputOptions(c, spec)
      .option("--data-dir <dir>", "read shipped advisories from this directory instead of the bundled data")
      .option(
        "--clawpatrol-home <dir>",
        "clawpatrol's own home (imported advisories live in <dir>/advisories; default $CLAWPATROL_HOME or ~/.clawpatrol)",
      );

  common(adv.command("list").description("list every advisory clawpatrol matches on"))
    .option("--product <name>", `another product's advisories (${others})`)
    .option("--pre-auth", "only advisories reachable over the network without credentials")
    .option("--min-severity <severity>", "only advisories at or above this severity")
    .action((opts: ListOptions) => {
      process.exitCode = withOutput(opts, LISTING_OUTPUT, (sink) => listAction(opts, sink));
    });

  common(
    adv
      .command("show")
      .description("show one advisory by GHSA id or CVE")
      .argument("<id>", "GHSA id or CVE alias"),
  ).action((id: string, opts: CommonOptions) => {
    process.exitCode = withOutput(opts, LISTING_OUTPUT, (sink) => showAction(id, opts, sink));
  });

  common(
    adv
      .command("check")
      .description(
        "which advisories apply to a version, a range (A..B) or a candidate list (A,B), and what to upgrade to",
      )
      .argument(
        "<version-or-range>",
        "e.g. 2026.3.13, clawdbot@2026.1.24-3, 2026.3.1..2026.3.31, 2026.3.11,2026.3.12, <product>@<version>",
      ),
    CHECK_OUTPUT,
  )
    .option(
      "--product <name>",
      `openclaw, clawdbot, moltbot, or another product with advisory data (${others}); default: openclaw, or the name@ prefix`,
    )
    .option("--pre-auth", "only show advisories reachable over the network without credentials")
    .action((input: string, opts: CheckOptions) => {
      process.exitCode = withOutput(opts, CHECK_OUTPUT, (sink) => checkAction(input, opts, sink));
    });

  common(
    adv
      .command("import")
      .description("add or replace advisories from OSV JSON: a file, a directory tree or a .zip")
      .argument("<path>", "OSV .json file, directory or .zip"),
  )
    .option("--dry-run", "validate and report without writing anything")
    .action((path: string, opts: ImportOptions) => {
      process.exitCode = withOutput(opts, LISTING_OUTPUT, (sink) => importAction(path, opts, sink));
    });
}
