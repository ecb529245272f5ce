// Flowise as a fingerprinter: its UI page claims the port; the version, the settings and the
// flow listing follow, and on a refused listing the account check (never a prediction, an
// upsert, a sign-up or a login).
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
    basis: "live",
  },
  triage(root) {
    return isFlowisePage(root) ? "claim" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/api/v1/version", "/api/v1/settings", "/api/v1/chatflows"]);
    // A refused flow listing: 3.x's own pre-auth question, whether any account exists yet.
    const flows = s.http.find((x) => x.request.path === `${s.base}/api/v1/chatflows`);
    if (flows?.response?.status === 401)
      await s.get({
        method: "POST",
        path: `${s.base}/api/v1/auth/resolve`,
        headers: [
          ["Accept", "application/json"],
          ["Content-Length", "0"],
        ],
      });
    return true;
  },
  fingerprint: fingerprintFlowise,
  findings: flowiseFindings,
  rules: FLOWISE_RULES,
};
