// ComfyUI as a fingerprinter: its frontend page claims the port; the system statistics
// follow (never a prompt, a queue change or an upload).
import type { Fingerprinter } from "../contract.ts";
import { askOnce } from "../service.ts";
import { fingerprintComfyUi, isComfyUiPage } from "./fingerprint.ts";
import { COMFYUI_PRODUCTS } from "./meta.ts";
import { COMFYUI_RULES, comfyUiFindings } from "./rules.ts";

export const comfyui: Fingerprinter = {
  id: "comfyui",
  meta: {
    products: COMFYUI_PRODUCTS,
    displayName: "ComfyUI",
    defaultPorts: [8188],
    advisories: null,
    basis: "published-source",
  },
  triage(root) {
    return isComfyUiPage(root) ? "claim" : "no";
  },
  async probe(s) {
    await askOnce(s, ["/system_stats"]);
    return true;
  },
  fingerprint: fingerprintComfyUi,
  findings: comfyUiFindings,
  rules: COMFYUI_RULES,
};
