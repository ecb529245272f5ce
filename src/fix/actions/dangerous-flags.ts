// dangerous-flags: break-glass and debugging switches off, wildcard origins and control-plane
// tools on HTTP /tools/invoke removed. A non-loopback Control UI keeps working through explicit
// local origins once the Host-header fallback goes.
import { HTTP_DENY } from "../../audit/checks/gateway.ts";
import { dangerousFlags } from "../../audit/checks/settings.ts";
import { getArray, getBool, getString } from "../../audit/config.ts";
import type { FixAction } from "../plan-types.ts";

function localOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** Flags removed for a reason of their own; the rest are generic break-glass switches. */
const REASONS = new Map<string, string>([
  ["tools.exec.applyPatch.workspaceOnly", "patches may write outside the workspace"],
  ["plugins.entries.acpx.config.permissionMode", "approve-all lets the plugin act without asking"],
]);

export const dangerousFlagsOff: FixAction<"dangerous-flags"> = {
  id: "dangerous-flags",
  plan({ ctx, named }, draft) {
    if (!named) return;
    const c = ctx.config.effective;
    const edits = draft.edits;
    for (const f of dangerousFlags(c)) {
      if (
        f.key === "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback" &&
        !draft.willBeLoopback &&
        (getArray(c, "gateway.controlUi.allowedOrigins") ?? []).length === 0
      ) {
        edits.push({
          path: ["gateway", "controlUi", "allowedOrigins"],
          value: localOrigins(ctx.gw.port),
          why: "a non-loopback Control UI needs explicit origins once the Host fallback is gone",
          action: "dangerous-flags",
        });
      }
      edits.push({
        path: f.key.split("."),
        value: undefined,
        why: REASONS.get(f.key) ?? `${f.key} is a debugging/break-glass switch`,
        action: "dangerous-flags",
      });
    }
    if (getBool(c, "gateway.allowRealIpFallback") === true)
      edits.push({
        path: ["gateway", "allowRealIpFallback"],
        value: undefined,
        why: "X-Real-IP can be spoofed",
        action: "dangerous-flags",
      });
    if (getString(c, "logging.redactSensitive") === "off")
      edits.push({
        path: ["logging", "redactSensitive"],
        value: "tools",
        why: "logs would keep secrets",
        action: "dangerous-flags",
      });
    if (getBool(c, "browser.extensionRelay.allowLegacyAuth") === true)
      edits.push({
        path: ["browser", "extensionRelay", "allowLegacyAuth"],
        value: false,
        why: "legacy relay auth is weak",
        action: "dangerous-flags",
      });
    const origins = getArray(c, "gateway.controlUi.allowedOrigins");
    if (origins?.some((o) => o === "*")) {
      const kept = origins.filter((o) => o !== "*");
      edits.push({
        path: ["gateway", "controlUi", "allowedOrigins"],
        value: kept.length ? kept : localOrigins(ctx.gw.port),
        why: '"*" lets any web page drive the Control UI',
        action: "dangerous-flags",
      });
    }
    const allow = getArray(c, "gateway.tools.allow");
    if (allow?.some((t) => HTTP_DENY.includes(String(t).toLowerCase()))) {
      edits.push({
        path: ["gateway", "tools", "allow"],
        value: allow.filter((t) => !HTTP_DENY.includes(String(t).toLowerCase())),
        why: "HTTP /tools/invoke must not reach control-plane tools",
        action: "dangerous-flags",
      });
    }
  },
};
