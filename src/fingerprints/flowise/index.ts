// Flowise as a fingerprinter: its UI page claims the port; the version, the settings and the
// flow listing follow (never a prediction, an upsert or a login).
import type { Fingerprinter } from "../contract.ts";
import { askOnce } from "../service.ts";
import { fingerprintFlowise, isFlowisePage } from "./fingerprint.ts";
import { FLOWISE_PRODUCTS } from "./meta.ts";
import { FLOWISE_RULES, flowiseFindings } from "./rules.ts";

export const flowise: Fingerprinter = {
  id: "flowise",
  meta: {
    products: FLOWISE_PRODUCTS,
    displayName: "Flowise",
    defaultPorts: [3000],
    advisories: { ecosystem: "npm", packages: ["flowise"] },
    basis: "published-source",
  },
  triage(root) {
    return isFlowisePage(root) ? "claim" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/api/v1/version", "/api/v1/settings", "/api/v1/chatflows"]);
    return true;
  },
  fingerprint: fingerprintFlowise,
  findings: flowiseFindings,
  rules: FLOWISE_RULES,
};
