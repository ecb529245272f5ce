// hooks-token: a new, long webhook token distinct from the gateway secret (one from ${ENV} is left alone).
import { getString } from "../../audit/config.ts";
import type { FixAction } from "../plan-types.ts";
import { generateSecret } from "../secret.ts";

export const hooksToken: FixAction<"hooks-token"> = {
  id: "hooks-token",
  plan({ ctx, named }, draft) {
    if (!named) return;
    const ht = getString(ctx.config.effective, "hooks.token");
    if (ht === undefined || ht.includes("$" + "{")) return;
    draft.newHooksToken = generateSecret();
    draft.edits.push({
      path: ["hooks", "token"],
      value: draft.newHooksToken,
      why: "the webhook token is short or equals the gateway secret",
      action: "hooks-token",
    });
  },
};
