// The registry of host-audit checks. A new check is a new entry in one of these lists.
import type { AuditCheck } from "../types.ts";
import { EXPOSURE_CHECKS } from "./exposure.ts";
import { FILE_CHECKS } from "./files.ts";
import { GATEWAY_CHECKS } from "./gateway.ts";
import { SETTINGS_CHECKS } from "./settings.ts";

export const CHECKS: AuditCheck[] = [
  ...GATEWAY_CHECKS,
  ...SETTINGS_CHECKS,
  ...FILE_CHECKS,
  ...EXPOSURE_CHECKS,
];
