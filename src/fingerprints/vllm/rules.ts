// Stable rule ids for vLLM servers found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const SECURITY = "https://docs.vllm.ai/en/latest/usage/security.html";

export const VLLM_RULES = {
  exposed: {
    id: "CP-SCAN-140",
    title: "vLLM API server reachable over the network",
    remediation:
      "Bind vLLM with --host 127.0.0.1, or firewall its port from everything but the clients that need it.",
    references: [SECURITY],
  },
  noAuth: {
    id: "CP-SCAN-141",
    title: "vLLM API server answers without an API key: anyone can run prompts on its GPUs",
    remediation: "Start vLLM with --api-key (or VLLM_API_KEY), or put an authenticating proxy in front.",
    references: [SECURITY],
  },
} as const satisfies ServiceRules;

export function vllmFindings(v: Verdict, where: FindingContext): Finding[] {
  return serviceFindings(VLLM_RULES, v, where);
}
