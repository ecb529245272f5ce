// Child for the kill -9 trials: applies the plan for the given dir and rolls it back, over
// and over, until killed. The parent checks the config is always wholly old or new.
import { applyPlan, rollback } from "../../../src/fix/apply.ts";
import { planFixes } from "../../../src/fix/plan.ts";
import { buildContextFor } from "./ctx.ts";

const [stateDir, configPath] = process.argv.slice(2) as [string, string];
let first = true;
for (;;) {
  const { ctx, findings } = await buildContextFor(stateDir, configPath);
  const plan = planFixes(ctx, findings, { allowLockout: true });
  if (plan.files.length === 0) rollback(stateDir);
  else applyPlan(plan);
  if (first) process.stdout.write("ready\n");
  first = false;
}
