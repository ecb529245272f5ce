// hooks-path: hooks mounted at / move to /hooks.
import { getString } from "../../audit/config.ts";
import type { FixAction } from "../plan-types.ts";

export const hooksPath: FixAction<"hooks-path"> = {
  id: "hooks-path",
  plan({ ctx, named }, draft) {
    if (!named || getString(ctx.config.effective, "hooks.path")?.trim().replace(/\/+$/, "") !== "") return;
    draft.edits.push({
      path: ["hooks", "path"],
      value: "/hooks",
      why: "hooks at / shadow every other route",
      action: "hooks-path",
    });
  },
};
