// Trust-model checks OpenClaw's audit added in 2026.9.6 (collectLikelyMultiUserSetupFindings):
// group rooms that share the agent's main session.
import { getString } from "../config.ts";
import type { AuditCheck } from "../types.ts";
import { keyEvidence, mk } from "./util.ts";

const groupScopeMain: AuditCheck = {
  id: "CP-AUDIT-160",
  openclawCheckId: "security.trust_model.group_scope_main",
  title: "Group rooms share the main session",
  group: "config",
  run(ctx) {
    // OpenClaw also reads per-binding session.groupScope overrides; the global setting is the
    // one a config sets for every room
    if (getString(ctx.config.effective, "session.groupScope") !== "main") return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "medium",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "session.groupScope",
            "every member of every group room shares the agent's main-session context (and what it remembers from DMs)",
          ),
        ],
        remediation:
          'Use session.groupScope "per-group", or keep "main" only for rooms whose members all trust each other.',
      }),
    ];
  },
};

export const TRUST_MODEL_CHECKS: AuditCheck[] = [groupScopeMain];
