// bind-loopback: listen on loopback only, unless that would cut off the owner's remote clients.
import { isLoopbackAddress } from "../../audit/bind.ts";
import { getArray, getPath } from "../../audit/config.ts";
import type { AuditFinding, CheckContext } from "../../audit/types.ts";
import type { FixAction } from "../plan-types.ts";

/** Evidence that the owner reaches this gateway from elsewhere (binding to loopback would cut them off). */
export function remoteUseEvidence(ctx: CheckContext, findings: AuditFinding[]): string[] {
  const ev: string[] = [];
  for (const o of (getArray(ctx.config.effective, "gateway.controlUi.allowedOrigins") ?? []).map(String)) {
    try {
      const h = new URL(o).hostname.replace(/^\[|\]$/g, "");
      if (!isLoopbackAddress(h) && h !== "localhost") ev.push(`gateway.controlUi.allowedOrigins lists ${o}`);
    } catch {
      // "*" and other non-URLs
    }
  }
  for (const f of findings) {
    if (f.ruleId === "CP-AUDIT-300") ev.push(f.title);
  }
  if (ctx.gw.inContainer)
    ev.push("the gateway runs in a container, where clients connect through a published port");
  const svc = ctx.target.services.find((s) => s.flags.bind && s.flags.bind !== "loopback");
  if (svc) ev.push(`${svc.path} starts it with --bind ${svc.flags.bind}`);
  return ev;
}

export const bindLoopback: FixAction<"bind-loopback"> = {
  id: "bind-loopback",
  plan({ ctx, findings, opts, named }, draft) {
    if (!named || !ctx.gw.exposed) return;
    const remote = remoteUseEvidence(ctx, findings);
    if (remote.length > 0 && !opts.allowLockout) {
      draft.held.push({
        action: "bind-loopback",
        why: `Binding to loopback would cut off remote clients: ${remote.join("; ")}. Reach it through an SSH tunnel (ssh -L 18789:127.0.0.1:${ctx.gw.port} host) or Tailscale Serve instead.`,
        flag: "--allow-lockout",
      });
      return;
    }
    draft.edits.push({
      path: ["gateway", "bind"],
      value: "loopback",
      why: `the gateway ${ctx.gw.hosts.join(", ")}:${ctx.gw.port} is reachable from other machines`,
      action: "bind-loopback",
    });
    if (getPath(ctx.config.effective, ["gateway", "customBindHost"]) !== undefined)
      draft.edits.push({
        path: ["gateway", "customBindHost"],
        value: undefined,
        why: "not used with loopback",
        action: "bind-loopback",
      });
    draft.willBeLoopback = true;
    const svc = ctx.target.services.find((s) => s.flags.bind && s.flags.bind !== "loopback");
    if (svc)
      draft.advice.push(
        `${svc.path} passes --bind ${svc.flags.bind}, which overrides the config: remove it and reload the service.`,
      );
    if (ctx.gw.inContainer)
      draft.advice.push('In Docker, also publish the port on loopback only: "127.0.0.1:18789:18789".');
  },
};
