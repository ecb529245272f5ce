// Node command policy, as OpenClaw's audit judges it (collectNodeDangerousAllowCommandFindings
// and collectNodeDenyCommandPatternFindings, 2026.3.13 on). The lists live at
// gateway.nodes.allowCommands/denyCommands up to 2026.5.x and gateway.nodes.commands.allow/deny
// in 2026.9; deny entries match exact command names only, so a pattern or an unknown name there
// protects nothing.
import { atLeast } from "../bind.ts";
import { getArray } from "../config.ts";
import type { AuditCheck, AuditFinding, CheckContext } from "../types.ts";
import { keyEvidence, mk, remotelyExposed } from "./util.ts";

/** Commands that act on the device or read private data (2026.9.6 adds the later ones). */
const DANGEROUS = [
  "camera.snap",
  "camera.clip",
  "screen.record",
  "contacts.add",
  "calendar.add",
  "reminders.add",
  "sms.send",
  // 2026.9.6
  "camera.ptz.control",
  "sms.search",
  "health.summary",
];

/** Commands some platform allows by default (OpenClaw's PLATFORM_DEFAULTS, 2026.3.13). */
const KNOWN_DEFAULTS = [
  "canvas.present",
  "canvas.hide",
  "canvas.navigate",
  "canvas.eval",
  "canvas.snapshot",
  "canvas.a2ui.push",
  "canvas.a2ui.pushJSONL",
  "canvas.a2ui.reset",
  "camera.list",
  "location.get",
  "notifications.list",
  "notifications.actions",
  "device.info",
  "device.status",
  "device.permissions",
  "device.health",
  "contacts.search",
  "calendar.events",
  "reminders.list",
  "photos.latest",
  "motion.activity",
  "motion.pedometer",
  "system.run.prepare",
  "system.run",
  "system.which",
  "system.notify",
  "browser.proxy",
];

export function looksLikePattern(v: string): boolean {
  if (/[?*[\]{}(),|]/.test(v)) return true;
  if (v.startsWith("/") || v.endsWith("/") || v.startsWith("^") || v.endsWith("$")) return true;
  return /\s/.test(v) || v.includes("group:");
}

function lists(ctx: CheckContext): { allowKey: string; denyKey: string; allow: string[]; deny: string[] } {
  const c = ctx.config.effective;
  const newer = getArray(c, "gateway.nodes.commands.allow") || getArray(c, "gateway.nodes.commands.deny");
  const allowKey = newer ? "gateway.nodes.commands.allow" : "gateway.nodes.allowCommands";
  const denyKey = newer ? "gateway.nodes.commands.deny" : "gateway.nodes.denyCommands";
  const read = (k: string) =>
    (getArray(c, k) ?? []).map((x) => (typeof x === "string" ? x.trim() : "")).filter(Boolean);
  return { allowKey, denyKey, allow: read(allowKey), deny: read(denyKey) };
}

const nodes: AuditCheck = {
  id: "CP-AUDIT-150",
  openclawCheckId: "gateway.nodes.allow_commands_dangerous",
  title: "Node command policy",
  group: "config",
  run(ctx) {
    const out: AuditFinding[] = [];
    const { allowKey, denyKey, allow, deny } = lists(ctx);
    const dangerous = DANGEROUS.filter((d) => allow.includes(d) && !deny.includes(d));
    if (dangerous.length)
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-150",
          openclawCheckId: "gateway.nodes.allow_commands_dangerous",
          // OpenClaw: critical when the gateway binds beyond loopback or Tailscale exposes it
          severity: remotelyExposed(ctx) ? "high" : "medium",
          title: "Dangerous node commands are allowed",
          group: "config",
          evidence: [keyEvidence(ctx, allowKey, `allows ${dangerous.join(", ")}`)],
          remediation: `Remove ${dangerous.join(", ")} from ${allowKey}: with them, gateway auth is full control of the paired devices' cameras, messages and contacts.`,
        }),
      );
    // from 2026.5.27 the known names include the approved-on-pairing commands (the dangerous ones too)
    const v = ctx.target.version;
    const known = new Set([
      ...KNOWN_DEFAULTS,
      ...allow,
      ...(v !== null && atLeast(v, "2026.5.27") ? DANGEROUS : []),
    ]);
    const ineffective = deny.filter((d) => looksLikePattern(d) || !known.has(d));
    if (ineffective.length)
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-151",
          openclawCheckId: "gateway.nodes.deny_commands_ineffective",
          severity: "medium",
          title: "Node deny-list entries block nothing",
          group: "config",
          evidence: [
            keyEvidence(ctx, denyKey, `patterns or unknown command names: ${ineffective.join(", ")}`),
          ],
          remediation: `${denyKey} matches exact command names (for example system.run), not patterns or shell text: list exact names, and take risky commands out of the allow-list instead.`,
        }),
      );
    return out;
  },
};

export const NODE_CHECKS: AuditCheck[] = [nodes];
