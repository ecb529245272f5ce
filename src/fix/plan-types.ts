// The shapes of a repair plan and of the fix actions that build it. Kept apart from plan.ts
// so each action module can name them without importing the planner that loops over them.
import type { Json } from "../audit/config.ts";
import type { AuditFinding, CheckContext } from "../audit/types.ts";
import type { FixId } from "./fix-ids.ts";

export interface ConfigEdit {
  path: string[];
  /** undefined removes the key. */
  value: Json | undefined;
  why: string;
  action: FixId;
}

export interface ModeChange {
  path: string;
  from: number;
  to: number;
  why: string;
}

export interface FileChange {
  path: string;
  before: string;
  after: string;
  mode: number;
  edits: ConfigEdit[];
}

export interface HeldBack {
  action: FixId;
  why: string;
  flag: string;
}

export interface FixPlan {
  stateDir: string;
  configPath: string;
  files: FileChange[];
  modes: ModeChange[];
  held: HeldBack[];
  /** Problems that need the user (service files, env, versions without the key). */
  advice: string[];
  refused: string | null;
  /** A newly generated gateway token, if the plan sets one (shown once, redacted elsewhere). */
  newToken: { kind: "token" | "password"; value: string } | null;
  newHooksToken: string | null;
}

export interface PlanOptions {
  allowLockout?: boolean;
  /** Only these action ids (default: all). */
  only?: FixId[];
}

/** What every action reads: the audited gateway, its findings, the user's options. */
export interface ActionInput {
  ctx: CheckContext;
  findings: AuditFinding[];
  opts: PlanOptions;
  /** Some finding names this action among its `fixes`. */
  named: boolean;
}

/**
 * The plan as the actions build it, in registry order. `willBeLoopback` is what an earlier
 * action (bind-loopback) decided, which later ones (allowed origins, rate limit) depend on.
 */
export interface PlanDraft {
  edits: ConfigEdit[];
  modes: ModeChange[];
  held: HeldBack[];
  advice: string[];
  newToken: FixPlan["newToken"];
  newHooksToken: string | null;
  willBeLoopback: boolean;
}

/** One `clawpatrol fix` action: adds its edits, mode changes, held-back steps and advice. */
export interface FixAction<Id extends FixId = FixId> {
  id: Id;
  plan(input: ActionInput, draft: PlanDraft): void;
}
