// Stable rule ids for n8n found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const HARDENING = "https://docs.n8n.io/hosting/securing/overview/";

export const N8N_RULES = {
  exposed: {
    id: "CP-SCAN-170",
    title: "n8n reachable over the network",
    remediation:
      "Publish n8n only behind a reverse proxy with TLS, or firewall port 5678 from untrusted hosts.",
    references: [HARDENING],
  },
  noAuth: {
    id: "CP-SCAN-171",
    title:
      "n8n without an owner account: the first visitor becomes owner (credentials, workflows, code execution)",
    remediation:
      "Open the editor yourself at once and set up the owner account, before the port is reachable by anyone else.",
    references: [HARDENING],
  },
} as const satisfies ServiceRules;

export function n8nFindings(v: Verdict, where: FindingContext): Finding[] {
  return serviceFindings(N8N_RULES, v, where);
}
