// The registry of host-audit checks. A new check is a new entry in one of these lists.
import type { AuditCheck } from "../types.ts";
import { EXPOSURE_CHECKS } from "./exposure.ts";
import { FILE_CHECKS } from "./files.ts";
import { GATEWAY_CHECKS } from "./gateway.ts";
import { MODEL_CHECKS } from "./models.ts";
import { NODE_CHECKS } from "./nodes.ts";
import { SETTINGS_CHECKS } from "./settings.ts";
import { TOOLS_EXEC_CHECKS } from "./tools-exec.ts";
import { TRUST_MODEL_CHECKS } from "./trust-model.ts";

export const CHECKS: AuditCheck[] = [
  ...GATEWAY_CHECKS,
  ...SETTINGS_CHECKS,
  ...FILE_CHECKS,
  ...EXPOSURE_CHECKS,
  ...MODEL_CHECKS,
  ...TOOLS_EXEC_CHECKS,
  ...NODE_CHECKS,
  ...TRUST_MODEL_CHECKS,
];
