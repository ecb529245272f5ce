// Stable rule ids for ComfyUI found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const README = "https://github.com/comfyanonymous/ComfyUI#readme";

export const COMFYUI_RULES = {
  exposed: {
    id: "CP-SCAN-160",
    title: "ComfyUI reachable over the network",
    remediation:
      "Run ComfyUI without --listen (it binds 127.0.0.1 by default), or firewall its port from everything but trusted hosts.",
    references: [README],
  },
  noAuth: {
    id: "CP-SCAN-161",
    title: "ComfyUI open without credentials: anyone can queue workflows, run custom nodes and read outputs",
    remediation:
      "ComfyUI has no authentication of its own: put an authenticating reverse proxy in front of it.",
    references: [README],
  },
} as const satisfies ServiceRules;

export function comfyUiFindings(v: Verdict, where: FindingContext): Finding[] {
  return serviceFindings(COMFYUI_RULES, v, where);
}
