// Open WebUI as a fingerprinter: its app page claims the port; the public configuration
// follows (never a sign-up, a sign-in or a chat).
import type { Fingerprinter } from "../contract.ts";
import { askOnce } from "../service.ts";
import { fingerprintOpenWebUi, isOpenWebUiPage } from "./fingerprint.ts";
import { OPEN_WEBUI_PRODUCTS } from "./meta.ts";
import { OPEN_WEBUI_RULES, openWebUiFindings } from "./rules.ts";

export const openWebUi: Fingerprinter = {
  id: "open-webui",
  meta: {
    products: OPEN_WEBUI_PRODUCTS,
    displayName: "Open WebUI",
    defaultPorts: [8080, 3000],
    advisories: { ecosystem: "PyPI", packages: ["open-webui"] },
    basis: "published-source",
  },
  triage(root) {
    return isOpenWebUiPage(root) ? "claim" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/api/config"]);
    return true;
  },
  fingerprint: fingerprintOpenWebUi,
  findings: openWebUiFindings,
  rules: OPEN_WEBUI_RULES,
};
