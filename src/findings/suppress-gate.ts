// What stands between a command's findings and its gate and exports, the same for scan, audit
// and skills scan: suppressions (.clawpatrol-ignore.yml, src/findings/suppress.ts) take
// findings out of reports, exports and the --fail-on gate (--show-suppressed lists them);
// a baseline (--baseline FILE|RUN) keeps known findings in the reports but out of the gate;
// --write-baseline records this run's findings as the next baseline. Everything the flags
// name is read or checked when the command starts, before its work.
import { checkDestination } from "../core/destination.ts";
import { UsageError } from "../core/errors.ts";
import { openOutput } from "../core/output.ts";
import { VERSION } from "../core/version.ts";
import {
  type Baseline,
  baselineDocument,
  baselineIsRun,
  loadBaselineFile,
  loadBaselineRun,
} from "./baseline.ts";
import { findingId } from "./identity.ts";
import type { Finding } from "./model.ts";
import {
  loadSuppressions,
  matchSuppression,
  type Suppression,
  SuppressionError,
  suppressionWarnings,
} from "./suppress.ts";

/** The flags cli/output-options.ts declares for commands whose findings can be suppressed. */
export interface GateFlags {
  ignoreFile?: string;
  showSuppressed?: boolean;
  baseline?: string;
  writeBaseline?: string;
  /** Also the store's suppressions (added from the dashboard; stored-suppressions.ts). */
  storeSuppressions?: boolean;
}

/** Why a finding is left out: the suppression's own words. */
export interface SuppressedBy {
  reason: string;
  expires: string;
  owner: string | null;
  file: string;
}

export interface Triage<F extends Finding> {
  /** Not suppressed: what reports and exports carry. */
  shown: F[];
  /** Shown and not in the baseline: what --fail-on weighs. */
  gating: F[];
  /** Left out, with the entry that did it (listed only with --show-suppressed). */
  suppressed: { finding: F; by: SuppressedBy }[];
  /** How many shown findings the baseline already had. */
  baselined: number;
}

export class FindingGate {
  readonly showSuppressed: boolean;
  readonly suppressions: Suppression[];
  private baseline: Baseline | null = null;
  private pendingRun: string | null = null;
  private pendingStore = false;
  private readonly writeTo: string | undefined;
  /** This run's shown findings, for --write-baseline (each kept once, by identity). */
  private readonly seen = new Map<string, Finding>();
  private counts = { suppressed: 0, baselined: 0 };

  private constructor(flags: GateFlags, suppressions: Suppression[]) {
    this.showSuppressed = flags.showSuppressed === true;
    this.suppressions = suppressions;
    this.writeTo = flags.writeBaseline;
  }

  /** A gate that lets everything through: commands whose results cannot be suppressed. */
  static none(): FindingGate {
    return new FindingGate({}, []);
  }

  /** Read the ignore file and a baseline file, check --write-baseline; exit 2 on any problem. */
  static open(flags: GateFlags, cwd: string = process.cwd()): FindingGate {
    let suppressions: Suppression[];
    try {
      suppressions = loadSuppressions(flags.ignoreFile, cwd);
    } catch (err) {
      if (err instanceof SuppressionError) throw new UsageError(err.message);
      throw err;
    }
    const gate = new FindingGate(flags, suppressions);
    gate.pendingStore = flags.storeSuppressions === true;
    if (flags.baseline !== undefined) {
      if (flags.baseline.trim() === "") throw new UsageError("--baseline: give a file or a run id");
      if (baselineIsRun(flags.baseline)) gate.pendingRun = flags.baseline;
      else gate.baseline = loadBaselineFile(flags.baseline);
    }
    if (flags.writeBaseline !== undefined) {
      if (flags.writeBaseline === "-")
        throw new UsageError("--write-baseline: name a file (stdout has the results)");
      checkDestination(flags.writeBaseline, "--write-baseline");
    }
    return gate;
  }

  /**
   * Load what lives in the store: --store-suppressions (after the file's entries, so a finding
   * both hold is credited to the file) and a baseline that is a run (opened only for this).
   */
  async ready(): Promise<void> {
    if (this.pendingStore) {
      this.pendingStore = false;
      const { withStore } = await import("../store/db.ts");
      const { loadStoredSuppressions } = await import("./stored-suppressions.ts");
      this.suppressions.push(...(await withStore((store) => loadStoredSuppressions(store.db))));
    }
    if (this.pendingRun === null) return;
    const run = this.pendingRun;
    this.pendingRun = null;
    this.baseline = await loadBaselineRun(run);
  }

  /**
   * Sort findings into shown (reports, exports), gating (the --fail-on gate) and suppressed.
   * A skill finding the skill scanner already suppressed (before its verdict) stays suppressed.
   */
  triage<F extends Finding>(findings: readonly F[], today: Date = new Date()): Triage<F> {
    if (this.pendingRun !== null || this.pendingStore)
      throw new Error(
        "FindingGate.triage before ready(): the baseline run or store suppressions are not loaded",
      );
    const t: Triage<F> = { shown: [], gating: [], suppressed: [], baselined: 0 };
    for (const f of findings) {
      const already = (f as { suppressed?: SuppressedBy }).suppressed;
      const entry = already ? null : matchSuppression(f, this.suppressions, today);
      const by =
        already ??
        (entry && { reason: entry.reason, expires: entry.expires, owner: entry.owner, file: entry.file });
      if (by) {
        t.suppressed.push({ finding: f, by: { ...by, owner: by.owner ?? null } });
        continue;
      }
      t.shown.push(f);
      const id = this.baseline !== null || this.writeTo !== undefined ? findingId(f) : "";
      if (this.writeTo !== undefined && !this.seen.has(id)) this.seen.set(id, f);
      if (this.baseline?.ids.has(id)) t.baselined++;
      else t.gating.push(f);
    }
    this.counts.suppressed += t.suppressed.length;
    this.counts.baselined += t.baselined;
    return t;
  }

  /**
   * The run is over: write --write-baseline, and return the lines to say on stderr (expired
   * or changed suppressions, how many findings the suppressions and the baseline held back).
   */
  finish(today: Date = new Date()): string[] {
    if (this.writeTo !== undefined) {
      const sink = openOutput(this.writeTo, { flag: "--write-baseline" });
      sink.write(baselineDocument(this.seen.values(), { name: "clawpatrol", version: VERSION }));
      sink.close();
    }
    const lines = suppressionWarnings(this.suppressions, today);
    if (this.counts.suppressed > 0 && !this.showSuppressed)
      lines.push(`${this.counts.suppressed} suppressed finding(s) left out; --show-suppressed lists them`);
    if (this.baseline)
      lines.push(
        `baseline ${this.baseline.source}: ${this.counts.baselined} known finding(s) do not count against --fail-on`,
      );
    if (this.writeTo !== undefined)
      lines.push(`baseline of ${this.seen.size} finding(s) written to ${this.writeTo}`);
    return lines;
  }
}
