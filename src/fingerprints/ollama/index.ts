// Ollama as a fingerprinter: its root banner claims the port; the version and the model
// listing (never a pull, a prompt or a delete) follow.
import type { Fingerprinter } from "../contract.ts";
import { askOnce, bodyHead } from "../service.ts";
import { fingerprintOllama, isOllamaBanner } from "./fingerprint.ts";
import { OLLAMA_PRODUCTS } from "./meta.ts";
import { OLLAMA_RULES, ollamaFindings } from "./rules.ts";

export const ollama: Fingerprinter = {
  id: "ollama",
  meta: {
    products: OLLAMA_PRODUCTS,
    displayName: "Ollama",
    defaultPorts: [11434],
    // The module was github.com/jmorganca/ollama before it moved; advisories name both.
    advisories: { ecosystem: "Go", packages: ["github.com/ollama/ollama", "github.com/jmorganca/ollama"] },
    basis: "published-source",
  },
  triage(root) {
    return root?.response?.status === 200 && isOllamaBanner(bodyHead(root)) ? "claim" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/api/version", "/api/tags"]);
    return true;
  },
  fingerprint: fingerprintOllama,
  findings: ollamaFindings,
  rules: OLLAMA_RULES,
};
