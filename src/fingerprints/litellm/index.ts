// The LiteLLM proxy as a fingerprinter: its Swagger page claims the port; a FastAPI 404 at
// the root (docs turned off) makes it a candidate. The readiness document and the model
// listing follow (never a completion, a key or a spend call).
import type { Fingerprinter } from "../contract.ts";
import { askOnce, isFastApiNotFound } from "../service.ts";
import { fingerprintLiteLlm, isLiteLlmDocs } from "./fingerprint.ts";
import { LITELLM_PRODUCTS } from "./meta.ts";
import { LITELLM_RULES, liteLlmFindings } from "./rules.ts";

export const litellm: Fingerprinter = {
  id: "litellm",
  meta: {
    products: LITELLM_PRODUCTS,
    displayName: "LiteLLM proxy",
    defaultPorts: [4000],
    advisories: { ecosystem: "PyPI", packages: ["litellm"] },
    basis: "published-source",
  },
  triage(root) {
    if (isLiteLlmDocs(root)) return "claim";
    return isFastApiNotFound(root) ? "maybe" : "no";
  },
  async probe(s, _root, claimed) {
    await askOnce(s, ["/health/readiness"]);
    const ready = s.http.find((x) => x.request.path === `${s.base}/health/readiness`);
    if (!claimed && ready?.response?.status !== 200) return false;
    await askOnce(s, ["/v1/models"]);
    return fingerprintLiteLlm(s.transcript()).product !== null || claimed;
  },
  fingerprint: fingerprintLiteLlm,
  findings: liteLlmFindings,
  rules: LITELLM_RULES,
};
