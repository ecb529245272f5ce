// rate-limit: limit guesses at the secret when the gateway stays reachable from elsewhere
// (the key exists from 2026.2.1 on).
import { atLeast } from "../../audit/bind.ts";
import { getPath } from "../../audit/config.ts";
import type { FixAction } from "../plan-types.ts";

export const rateLimit: FixAction<"rate-limit"> = {
  id: "rate-limit",
  plan({ ctx, named }, draft) {
    if (
      !named ||
      draft.willBeLoopback ||
      !atLeast(ctx.target.version, "2026.2.1") ||
      getPath(ctx.config.effective, ["gateway", "auth", "rateLimit"]) !== undefined
    )
      return;
    draft.edits.push({
      path: ["gateway", "auth", "rateLimit"],
      value: { maxAttempts: 10, windowMs: 60000, lockoutMs: 300000 },
      why: "unlimited guesses at the secret",
      action: "rate-limit",
    });
  },
};
