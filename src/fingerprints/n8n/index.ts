// n8n as a fingerprinter: its editor page claims the port; the public settings follow (never
// a sign-in, an owner setup or a workflow run); a public API route shows whether that API is
// on (refused without a key).
import type { Fingerprinter } from "../contract.ts";
import { askOnce } from "../service.ts";
import { fingerprintN8n, isN8nPage, PUBLIC_API_PROBE } from "./fingerprint.ts";
import { N8N_PRODUCTS } from "./meta.ts";
import { N8N_RULES, n8nFindings } from "./rules.ts";

export const n8n: Fingerprinter = {
  id: "n8n",
  meta: {
    products: N8N_PRODUCTS,
    displayName: "n8n",
    defaultPorts: [5678],
    advisories: { ecosystem: "npm", packages: ["n8n"] },
    basis: "live",
  },
  triage(root) {
    return isN8nPage(root) ? "claim" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/rest/settings", PUBLIC_API_PROBE]);
    return true;
  },
  fingerprint: fingerprintN8n,
  findings: n8nFindings,
  rules: N8N_RULES,
};
