// Stable rule ids for llama.cpp servers found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const README = "https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md";

export const LLAMA_CPP_RULES = {
  exposed: {
    id: "CP-SCAN-150",
    title: "llama.cpp server reachable over the network",
    remediation:
      "Leave --host at its default 127.0.0.1, or firewall the port from everything but the hosts that need it.",
    references: [README],
  },
  noAuth: {
    id: "CP-SCAN-151",
    title: "llama.cpp server answers without an API key: anyone can run prompts and read its settings",
    remediation:
      "Start llama-server with --api-key (or --api-key-file), or put an authenticating proxy in front.",
    references: [README],
  },
} as const satisfies ServiceRules;

export function llamaCppFindings(v: Verdict, where: FindingContext): Finding[] {
  return serviceFindings(LLAMA_CPP_RULES, v, where);
}
