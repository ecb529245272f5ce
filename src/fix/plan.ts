// Turns an audit of one gateway into a repair plan: config edits (made with the
// comment-keeping JSON5 editor), file-mode changes, and the reasons for each. Only keys
// the installed version accepts are written (its config schema is strict). Changes that
// could cut the owner off (a remote-only setup) are held back unless --allow-lockout.

import { lstatSync, readlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createTwoFilesPatch } from "diff";
import { locate } from "../audit/config.ts";
import type { AuditFinding, CheckContext } from "../audit/types.ts";
import { ORDERED_FIX_ACTIONS } from "./actions/index.ts";
import { applyEdits } from "./json5-edit.ts";
import type { ConfigEdit, FixPlan, PlanDraft, PlanOptions } from "./plan-types.ts";
import { resolveWriteTarget, TargetRefusal, unwritableReason } from "./target-file.ts";

const oct = (m: number) => m.toString(8).padStart(3, "0");

/** Why a config may not be edited (Nix mode, read-only, not writable); null when it may. */
export function immutableReason(ctx: CheckContext): string | null {
  const env = ctx.target.env;
  if (env.OPENCLAW_NIX_MODE === "1" || env.CLAWDBOT_NIX_MODE === "1") {
    return "OPENCLAW_NIX_MODE=1: this config is managed by Nix and immutable; change it in your Nix configuration instead.";
  }
  const p = ctx.config.path;
  try {
    if (lstatSync(p).isSymbolicLink() && resolve(dirname(p), readlinkSync(p)).startsWith("/nix/store/")) {
      return `${p} links into /nix/store (Nix-managed, read-only); change it in your Nix configuration instead.`;
    }
  } catch {
    // missing file: writing a new one is fine if the dir is writable
  }
  // the file that would be replaced: kind (FIFO, device, directory, dangling link), read-only, owner
  try {
    return unwritableReason(resolveWriteTarget(p));
  } catch (err) {
    if (err instanceof TargetRefusal) return err.message;
    throw err;
  }
}

/**
 * The repair plan for one gateway: each fix action (src/fix/actions/, in registry order) adds
 * its edits, mode changes, held-back steps and advice; the config edits are then grouped by the
 * file that defines each key and rendered with the comment-keeping editor.
 */
export function planFixes(ctx: CheckContext, findings: AuditFinding[], opts: PlanOptions = {}): FixPlan {
  const cfg = ctx.config;
  const named = new Set(findings.flatMap((f) => f.fixes ?? []));
  const draft: PlanDraft = {
    edits: [],
    modes: [],
    held: [],
    advice: [],
    newToken: null,
    newHooksToken: null,
    willBeLoopback: !ctx.gw.exposed,
  };
  for (const action of ORDERED_FIX_ACTIONS) {
    if (opts.only && !opts.only.includes(action.id)) continue;
    action.plan({ ctx, findings, opts, named: named.has(action.id) }, draft);
  }

  const plan: FixPlan = {
    stateDir: ctx.target.stateDir,
    configPath: cfg.path,
    files: [],
    modes: draft.modes,
    held: draft.held,
    advice: draft.advice,
    refused: null,
    newToken: draft.newToken,
    newHooksToken: draft.newHooksToken,
  };
  const byFile = new Map<string, ConfigEdit[]>();
  for (const e of draft.edits) {
    const loc = locate(cfg, e.path.join("."));
    const file = loc?.path ?? cfg.path;
    byFile.set(file, [...(byFile.get(file) ?? []), e]);
  }
  for (const [file, list] of byFile) {
    const src = cfg.files.find((f) => f.path === file);
    const text = src?.text ?? "{}\n";
    const mount = src?.mountedAt ?? [];
    const after = applyEdits(
      text,
      list.map((e) => ({ path: e.path.slice(mount.length), value: e.value })),
    );
    if (after !== text)
      plan.files.push({ path: file, before: text, after, mode: src?.mode ?? 0o600, edits: list });
  }
  // a file we rewrite gets the tightened mode directly
  for (const f of plan.files) {
    const m = plan.modes.find((x) => x.path === f.path);
    if (m) f.mode = m.to;
  }
  return plan;
}

/** Text preview: a unified diff per file (secrets redacted) and the mode changes. */
export function renderPlan(plan: FixPlan, redactSecrets = true): string {
  const out: string[] = [];
  const hide = (s: string) => {
    let t = s;
    if (redactSecrets && plan.newToken)
      t = t.replaceAll(
        plan.newToken.value,
        `<new ${plan.newToken.kind}: ${plan.newToken.value.length} random chars>`,
      );
    if (redactSecrets && plan.newHooksToken)
      t = t.replaceAll(plan.newHooksToken, `<new hooks token: ${plan.newHooksToken.length} random chars>`);
    return t;
  };
  if (plan.refused) return `Refused for ${plan.configPath}: ${plan.refused}\n`;
  for (const f of plan.files) {
    out.push(`# ${f.path}`);
    for (const e of f.edits)
      out.push(`#   ${e.value === undefined ? "remove" : "set"} ${e.path.join(".")}: ${e.why} [${e.action}]`);
    out.push(
      hide(
        createTwoFilesPatch(f.path, f.path, f.before, f.after, "before", "after", { context: 2 }),
      ).trimEnd(),
    );
    out.push("");
  }
  if (plan.modes.length) {
    out.push("# file modes");
    for (const m of plan.modes) out.push(`chmod ${oct(m.from)} → ${oct(m.to)}  ${m.path}  (${m.why})`);
    out.push("");
  }
  for (const h of plan.held) out.push(`held back [${h.action}] (needs ${h.flag}): ${h.why}`);
  for (const a of plan.advice) out.push(`by hand: ${a}`);
  if (out.length === 0) out.push("Nothing to change.");
  return `${out.join("\n")}\n`;
}
