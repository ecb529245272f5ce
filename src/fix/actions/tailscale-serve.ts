// tailscale-serve: Funnel (public internet) becomes Serve (tailnet only); held back without
// --allow-lockout because it cuts off public clients.
import type { FixAction } from "../plan-types.ts";

export const tailscaleServe: FixAction<"tailscale-serve"> = {
  id: "tailscale-serve",
  plan({ ctx, opts, named }, draft) {
    if (!named || ctx.gw.tailscaleMode !== "funnel") return;
    if (!opts.allowLockout)
      draft.held.push({
        action: "tailscale-serve",
        why: "Switching Funnel to Serve stops public (non-tailnet) clients.",
        flag: "--allow-lockout",
      });
    else
      draft.edits.push({
        path: ["gateway", "tailscale", "mode"],
        value: "serve",
        why: "Funnel publishes the gateway on the internet",
        action: "tailscale-serve",
      });
  },
};
