// Stable rule ids for Open WebUI found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import { finding, type ServiceRules, serviceFindings } from "../service.ts";
import type { Verdict } from "../verdict.ts";

const ENV = "https://docs.openwebui.com/getting-started/env-configuration";

export const OPEN_WEBUI_RULES = {
  exposed: {
    id: "CP-SCAN-120",
    title: "Open WebUI reachable over the network",
    remediation:
      "Publish Open WebUI only behind a reverse proxy with TLS, or firewall its port from untrusted hosts.",
    references: [ENV],
  },
  noAuth: {
    id: "CP-SCAN-121",
    title: "Open WebUI lets strangers in as admin (login disabled, or no admin account created yet)",
    remediation:
      "Create the admin account at once (the first sign-up becomes admin), and never run WEBUI_AUTH=False on a reachable port.",
    references: [ENV],
  },
  signup: {
    id: "CP-SCAN-122",
    title: "Open WebUI lets anyone create an account",
    remediation:
      "Set ENABLE_SIGNUP=False (or default new users to 'pending') unless strangers should get accounts.",
    references: [ENV],
  },
} as const satisfies ServiceRules & Record<string, unknown>;

export function openWebUiFindings(v: Verdict, where: FindingContext): Finding[] {
  const findings = serviceFindings(OPEN_WEBUI_RULES, v, where);
  if (v.auth === "required" && v.facts?.signupOpen === true)
    findings.push(
      finding(OPEN_WEBUI_RULES.signup, where.exposure === "network" ? "medium" : "low", where, v.evidence),
    );
  return findings;
}
