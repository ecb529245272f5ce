// Stable rule ids for Flowise found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const AUTH = "https://docs.flowiseai.com/configuration/authorization";

export const FLOWISE_RULES = {
  exposed: {
    id: "CP-SCAN-180",
    title: "Flowise reachable over the network",
    remediation:
      "Publish Flowise only behind a reverse proxy with TLS, or firewall port 3000 from untrusted hosts.",
    references: [AUTH],
  },
  noAuth: {
    id: "CP-SCAN-181",
    title: "Flowise without authentication: anyone can read and edit flows and the credentials they use",
    remediation:
      "Upgrade to a release with built-in accounts, or set FLOWISE_USERNAME and FLOWISE_PASSWORD on older ones.",
    references: [AUTH],
  },
} as const satisfies ServiceRules;

export function flowiseFindings(v: Verdict, where: FindingContext): Finding[] {
  return serviceFindings(FLOWISE_RULES, v, where);
}
