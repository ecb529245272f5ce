// Stable rule ids for LiteLLM proxies found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const KEYS = "https://docs.litellm.ai/docs/proxy/virtual_keys";

export const LITELLM_RULES = {
  exposed: {
    id: "CP-SCAN-130",
    title: "LiteLLM proxy reachable over the network",
    remediation:
      "Firewall the proxy's port (4000 by default) from everything but the applications that use it.",
    references: [KEYS],
  },
  noAuth: {
    id: "CP-SCAN-131",
    title: "LiteLLM proxy without a master key: anyone can spend its upstream provider keys",
    remediation: "Set general_settings.master_key (LITELLM_MASTER_KEY) and hand clients virtual keys.",
    references: [KEYS],
  },
} as const satisfies ServiceRules;

export function liteLlmFindings(v: Verdict, where: FindingContext): Finding[] {
  return serviceFindings(LITELLM_RULES, v, where);
}
