// mdns-off: stop advertising the gateway on the LAN. Also planned when no finding names it but
// mDNS is in "full" mode (every field broadcast); versions without the key get advice.
import { before } from "../../audit/bind.ts";
import { getString } from "../../audit/config.ts";
import type { FixAction } from "../plan-types.ts";

export const mdnsOff: FixAction<"mdns-off"> = {
  id: "mdns-off",
  plan({ ctx, named }, draft) {
    if (!named && getString(ctx.config.effective, "discovery.mdns.mode") !== "full") return;
    if (ctx.target.product === "clawdbot" || before(ctx.target.version, "2026.1.29"))
      draft.advice.push(
        "This version has no discovery.mdns.mode: set CLAWDBOT_DISABLE_BONJOUR=1 in the gateway's service environment.",
      );
    else
      draft.edits.push({
        path: ["discovery", "mdns", "mode"],
        value: "off",
        why: "mDNS advertises the host, install path and SSH port on the LAN",
        action: "mdns-off",
      });
  },
};
