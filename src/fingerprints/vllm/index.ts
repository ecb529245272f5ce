// vLLM as a fingerprinter: a FastAPI 404 at the root makes it a candidate; the version
// document and the model listing decide (never a completion).
import type { Fingerprinter } from "../contract.ts";
import { askOnce, isFastApiNotFound } from "../service.ts";
import { fingerprintVllm } from "./fingerprint.ts";
import { VLLM_PRODUCTS } from "./meta.ts";
import { VLLM_RULES, vllmFindings } from "./rules.ts";

export const vllm: Fingerprinter = {
  id: "vllm",
  meta: {
    products: VLLM_PRODUCTS,
    displayName: "vLLM (OpenAI-compatible server)",
    defaultPorts: [8000],
    advisories: { ecosystem: "PyPI", packages: ["vllm"] },
    basis: "published-source",
  },
  triage(root) {
    return isFastApiNotFound(root) ? "maybe" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/version", "/v1/models"]);
    return fingerprintVllm(s.transcript()).product !== null;
  },
  fingerprint: fingerprintVllm,
  findings: vllmFindings,
  rules: VLLM_RULES,
};
