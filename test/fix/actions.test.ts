// The fix-action registry: one action per fix id, each reachable through planFixes, and every
// action id the planner writes into a plan is a known fix id. The @ts-expect-error lines are the
// type-level test: tsc (npm run check covers test/) fails if a misspelt id ever compiles.
import { afterAll, describe, expect, it } from "vitest";
import { FIX_ACTIONS, ORDERED_FIX_ACTIONS } from "../../src/fix/actions/index.ts";
import { FIX_IDS, type FixId, isFixId } from "../../src/fix/fix-ids.ts";
import { planFixes } from "../../src/fix/plan.ts";
import type { FixPlan } from "../../src/fix/plan-types.ts";
import { cleanupScenarios, run } from "../audit/support/scenario.ts";

afterAll(() => cleanupScenarios());

// A gateway with something for every action to do: exposed without auth, weak hooks at /, wildcard
// origins and other break-glass flags, mDNS in full mode, Tailscale Funnel, a world-readable config.
const EVERYTHING = `{
  gateway: {
    port: 18789,
    bind: "lan",
    auth: { mode: "none" },
    controlUi: { allowedOrigins: ["*"], dangerouslyAllowHostHeaderOriginFallback: true },
    allowRealIpFallback: true,
    tailscale: { mode: "funnel" },
  },
  hooks: { enabled: true, token: "short", path: "/" },
  discovery: { mdns: { mode: "full" } },
  logging: { redactSensitive: "off" },
}`;

// The owner reaches it from another machine, so binding to loopback is held back and the gateway
// stays exposed: the case where rate-limit applies.
const REMOTE_OWNER = `{
  gateway: {
    port: 18789,
    bind: "lan",
    auth: { mode: "token", token: "${"k".repeat(40)}" },
    controlUi: { allowedOrigins: ["https://gateway.nonexistent.invalid"] },
  },
}`;

async function scenarioPlans(only?: FixId[]): Promise<FixPlan[]> {
  const plans: FixPlan[] = [];
  for (const config of [EVERYTHING, REMOTE_OWNER]) {
    const { ctx, findings } = await run({ config, modes: { "openclaw.json": 0o644 } });
    plans.push(planFixes(ctx, findings, only ? { only } : {}));
  }
  return plans;
}

/** Everything a plan attributes to an action: its edits and held-back steps. */
const emittedIds = (plan: FixPlan): string[] => [
  ...plan.files.flatMap((f) => f.edits.map((e) => e.action)),
  ...plan.held.map((h) => h.action),
];

const contributes = (plan: FixPlan) =>
  plan.files.length + plan.held.length + plan.advice.length + plan.modes.length > 0;

describe("fix-action registry", () => {
  it("registers one action per fix id, each under its own id, in FIX_IDS order", () => {
    expect(Object.keys(FIX_ACTIONS)).toEqual([...FIX_IDS]);
    for (const [id, action] of Object.entries(FIX_ACTIONS)) expect(action.id).toBe(id);
    const ids = ORDERED_FIX_ACTIONS.map((a) => a.id);
    expect(ids).toEqual([...FIX_IDS]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("every id the planner emits is a known fix id", async () => {
    const emitted = (await scenarioPlans()).flatMap(emittedIds);
    expect(emitted.length).toBeGreaterThan(0);
    for (const id of emitted) expect(isFixId(id), id).toBe(true);
  });

  it("every fix id the audit's findings name is a known fix id (findings carry them as strings)", async () => {
    const named: string[] = [];
    for (const config of [EVERYTHING, REMOTE_OWNER]) {
      const { findings } = await run({ config, modes: { "openclaw.json": 0o644 } });
      named.push(...findings.flatMap((f) => f.fixes ?? []));
    }
    expect(new Set(named).size).toBeGreaterThan(5);
    for (const id of named) expect(isFixId(id), id).toBe(true);
  });

  it("every registered action is reachable: alone (fix --only <id>) it contributes to a plan", async () => {
    const unreached: FixId[] = [];
    for (const id of FIX_IDS) {
      const plans = await scenarioPlans([id]);
      if (!plans.some(contributes)) unreached.push(id);
      // and nothing but that action is planned
      for (const p of plans) for (const e of emittedIds(p)) expect(e).toBe(id);
    }
    expect(unreached).toEqual([]);
  });

  it("a misspelt fix id does not compile", () => {
    // @ts-expect-error: "bind-loopbak" is not a FixId
    const misspelt: FixId = "bind-loopbak";
    // @ts-expect-error: --only takes fix ids, not arbitrary strings
    const opts: Parameters<typeof planFixes>[2] = { only: ["mdns-of"] };
    expect(isFixId(misspelt)).toBe(false);
    expect(opts?.only?.every(isFixId)).toBe(false);
  });
});
