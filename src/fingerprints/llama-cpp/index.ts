// llama-server as a fingerprinter: its `Server: llama.cpp` header claims the port; the health,
// properties and model listing follow (never a completion).
import type { Fingerprinter } from "../contract.ts";
import { askOnce } from "../service.ts";
import { fingerprintLlamaCpp, isLlamaCppServer } from "./fingerprint.ts";
import { LLAMA_CPP_PRODUCTS } from "./meta.ts";
import { LLAMA_CPP_RULES, llamaCppFindings } from "./rules.ts";

export const llamaCpp: Fingerprinter = {
  id: "llama-cpp",
  meta: {
    products: LLAMA_CPP_PRODUCTS,
    displayName: "llama.cpp server",
    defaultPorts: [8080],
    advisories: null,
    basis: "published-source",
  },
  triage(root) {
    return isLlamaCppServer(root) ? "claim" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/health", "/props", "/v1/models"]);
    return true;
  },
  fingerprint: fingerprintLlamaCpp,
  findings: llamaCppFindings,
  rules: LLAMA_CPP_RULES,
};
