// Stable rule ids for Ollama found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const FAQ = "https://github.com/ollama/ollama/blob/main/docs/faq.md#how-do-i-configure-ollama-server";

export const OLLAMA_RULES = {
  exposed: {
    id: "CP-SCAN-110",
    title: "Ollama API reachable over the network",
    remediation:
      "Leave OLLAMA_HOST at its default 127.0.0.1:11434, or firewall port 11434 from everything but the hosts that need it.",
    references: [FAQ],
  },
  noAuth: {
    id: "CP-SCAN-111",
    title: "Ollama API open without credentials: anyone can pull, delete and create models and run prompts",
    remediation:
      "Ollama has no authentication of its own: put an authenticating reverse proxy in front of it, or bind it to loopback.",
    references: [FAQ],
  },
} as const satisfies ServiceRules;

export function ollamaFindings(v: Verdict, where: FindingContext): Finding[] {
  return serviceFindings(OLLAMA_RULES, v, where);
}
