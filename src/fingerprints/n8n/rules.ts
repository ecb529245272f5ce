// Stable rule ids for n8n found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { finding, type ServiceRule, type ServiceRules, serviceFindings } from "../service.ts";
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
  publicApi: {
    id: "CP-SCAN-172",
    title: "n8n public REST API reachable over the network (API keys reach workflows and credentials)",
    remediation:
      "When nothing uses the public API, filter /api/ at the reverse proxy and set N8N_PUBLIC_API_DISABLED=true (on 2.x that refuses every key but leaves the routes answering).",
    references: ["https://docs.n8n.io/hosting/securing/disable-public-api/"],
  },
} as const satisfies ServiceRules & Record<string, ServiceRule>;

export function n8nFindings(v: Verdict, where: FindingContext): Finding[] {
  const findings = serviceFindings(N8N_RULES, v, where);
  // The API asks for a key, but a key never expires by default and reaches everything: an
  // interface worth closing when it is unused, not an open door.
  if (where.exposure === "network" && v.facts?.publicApi === true)
    findings.push(
      finding(
        N8N_RULES.publicApi,
        "low",
        where,
        v.evidence.filter((e) => e.location?.includes("/api/v1/")),
      ),
    );
  return findings;
}
