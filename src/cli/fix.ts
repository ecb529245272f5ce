// `clawpatrol fix`: preview (default) or --apply the repairs the audit found, with a
// backup and atomic writes; `--rollback` restores the last backup.
import type { Command } from "commander";
import { runAudit, runAuditDetailed } from "../audit/run.ts";
import type { AuditFinding } from "../audit/types.ts";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import type { Severity } from "../findings/model.ts";
import { applyPlan, rollback } from "../fix/apply.ts";
import { configRefusal } from "../fix/config-problems.ts";
import { FIX_IDS, type FixId, isFixId } from "../fix/fix-ids.ts";
import { EditError } from "../fix/json5-edit.ts";
import { immutableReason, planFixes, renderPlan } from "../fix/plan.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";

export interface FixCliOptions {
  stateDir?: string;
  config?: string;
  home?: string;
  apply?: boolean;
  rollback?: boolean;
  allowLockout?: boolean;
  only?: string;
  showToken?: boolean;
  json?: boolean;
}

function counts(findings: AuditFinding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

const fmt = (c: Record<Severity, number>) =>
  `${c.critical} critical, ${c.high} high, ${c.medium} medium, ${c.low} low`;

export async function fixAction(
  opts: FixCliOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  if (opts.apply && opts.rollback) throw new UsageError("--apply and --rollback cannot be combined");
  const only = opts.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((o): FixId => {
      if (!isFixId(o)) throw new UsageError(`unknown fix "${o}" (known: ${FIX_IDS.join(", ")})`);
      return o;
    });
  const target = {
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.config ? { configPath: opts.config } : {}),
    ...(opts.home ? { home: opts.home } : {}),
  };
  const { report, perTarget } = await runAuditDetailed(target);
  if (perTarget.length === 0) {
    out("No OpenClaw/Clawdbot/Moltbot config found; point at one with --state-dir or --config.\n");
    return EXIT.ok;
  }

  if (opts.rollback) {
    let any = false;
    for (const t of perTarget) {
      const r = rollback(t.ctx.target.stateDir);
      if (!r) continue;
      any = true;
      out(`Restored ${r.restored.length} file(s) and ${r.modes.length} mode(s) from ${r.dir}\n`);
      for (const p of r.restored) out(`  ${p}\n`);
      for (const p of r.problems) out(`  problem: ${p}\n`);
      if (r.problems.length) return EXIT.error;
    }
    if (!any) throw new RunError("no clawpatrol backup found to roll back to");
    out("Restart the gateway so it reads the restored config.\n");
    return EXIT.ok;
  }

  // a config that was not read whole is never edited, nor planned from
  for (const t of perTarget) {
    const refusal = configRefusal(t.ctx.config);
    if (refusal) throw refusal;
  }

  const jsonOut: unknown[] = [];
  let refusedAll = true;
  for (const t of perTarget) {
    let plan: ReturnType<typeof planFixes>;
    try {
      plan = planFixes(t.ctx, t.findings, {
        allowLockout: opts.allowLockout ?? false,
        ...(only ? { only } : {}),
      });
    } catch (err) {
      if (!(err instanceof EditError)) throw err;
      throw new RunError(`cannot edit ${t.ctx.config.path} in place (${err.message}); nothing was changed`);
    }
    const refusal = plan.files.length > 0 || plan.modes.length > 0 ? immutableReason(t.ctx) : null;
    if (refusal) plan.refused = refusal;
    else refusedAll = false;
    const before = counts(t.findings);
    if (!opts.json) {
      out(
        `== ${t.ctx.target.configPath} (${t.ctx.target.product} ${t.ctx.target.version ?? "version unknown"})\n`,
      );
      out(`   now: ${fmt(before)}\n`);
      out(renderPlan(plan));
    }
    const entry: Record<string, unknown> = {
      configPath: plan.configPath,
      stateDir: plan.stateDir,
      refused: plan.refused,
      files: plan.files.map((f) => ({
        path: f.path,
        edits: f.edits.map((e) => ({
          key: e.path.join("."),
          remove: e.value === undefined,
          action: e.action,
          why: e.why,
        })),
      })),
      modes: plan.modes,
      held: plan.held,
      advice: plan.advice,
      before,
    };
    if (plan.refused || !opts.apply || (plan.files.length === 0 && plan.modes.length === 0)) {
      jsonOut.push(entry);
      continue;
    }
    const res = applyPlan(plan);
    entry.backupDir = res.backupDir;
    const after = (
      await runAudit({
        stateDir: plan.stateDir,
        configPath: plan.configPath,
        ...(opts.home ? { home: opts.home } : {}),
      })
    ).findings;
    const gone = [...new Set(t.findings.map((f) => f.ruleId))].filter(
      (id) => !after.some((f) => f.ruleId === id),
    );
    entry.after = counts(after);
    entry.resolved = gone;
    if (plan.newToken && opts.showToken) entry.newToken = plan.newToken;
    jsonOut.push(entry);
    if (opts.json) continue;
    out(
      `   applied: ${res.written.length} file(s) rewritten, ${res.chmodded.length} mode(s) tightened; backup in ${res.backupDir}\n`,
    );
    out(`   after: ${fmt(counts(after))} (was ${fmt(before)})\n`);
    if (gone.length) out(`   resolved: ${gone.join(", ")}\n`);
    if (plan.newToken) {
      const shown = opts.showToken
        ? plan.newToken.value
        : "(not shown; --show-token prints it, or read it from the config)";
      out(`   New gateway ${plan.newToken.kind}: ${shown}\n`);
      out(
        "   Give it to clients: paste it in the Control UI (Settings → Gateway token), set gateway.remote.token (or OPENCLAW_GATEWAY_TOKEN) on remote CLIs, and update anything that calls the HTTP API. Existing sessions stop working until they use it.\n",
      );
    }
    if (plan.newHooksToken)
      out(
        "   New webhook token written to hooks.token: update every webhook sender's Authorization header.\n",
      );
    out(
      "   Restart the gateway to load the new config (it hot-reloads most keys, but bind and auth need a restart). `clawpatrol fix --rollback` undoes this.\n",
    );
  }
  if (opts.json)
    out(
      `${JSON.stringify({ schema: "clawpatrol.fix/1", apply: opts.apply ?? false, targets: jsonOut }, null, 2)}\n`,
    );
  else if (!opts.apply)
    out(
      "Preview only: nothing was changed. Run `clawpatrol fix --apply` to make these changes (a backup is kept).\n",
    );
  void report;
  void refusedAll;
  const refusals = jsonOut
    .map((e) => (e as { refused: string | null }).refused)
    .filter((r): r is string => Boolean(r));
  if (opts.apply && refusals.length > 0)
    throw new RunError(`refused to change ${refusals.length} config(s): ${refusals[0]}`);
  return EXIT.ok;
}

export function registerFix(program: Command): void {
  const command = program
    .command("fix")
    .description(
      "Preview (default) or apply safe repairs: loopback bind, strong token, dangerous flags off, mDNS off, file modes",
    )
    .option("--state-dir <dir>", "fix only this state directory (must exist)")
    .option("--config <file>", "fix only this config file (must exist; a symlink is followed)")
    .option(
      "--home <dir>",
      "the user's home directory to search for OpenClaw state dirs and services (default: yours); not clawpatrol's own data directory",
    )
    .option("--apply", "make the changes (backup, atomic write, then re-audit)")
    .option("--rollback", "restore the last backup clawpatrol made")
    .option(
      "--allow-lockout",
      "also apply changes that cut off remote clients (loopback bind on a remote setup, Funnel → Serve)",
    )
    .option("--only <actions>", `comma-separated subset of: ${FIX_IDS.join(", ")}`)
    .option("--show-token", "print a newly generated gateway token")
    .action(async (opts: FixCliOptions & OutputFlags) => {
      const out = openCommandOutput(opts, FIX_OUTPUT);
      process.exitCode = await fixAction({ ...opts, json: out.format === "json" }, (s) => out.write(s));
      out.close();
    });
  addOutputOptions(command, FIX_OUTPUT);
}

/** The plan or the result: a diff per file for people, or the clawpatrol.fix/1 document. */
const FIX_OUTPUT: OutputSpec = {
  formats: ["text", "json"],
  meaning: { json: "the clawpatrol.fix/1 plan or result" },
};
