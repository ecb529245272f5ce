// The OpenClaw family (OpenClaw, Moltbot, Clawdbot gateways) as a fingerprinter.
import type { Fingerprinter } from "../contract.ts";
import { fingerprintOpenClaw } from "./fingerprint.ts";
import { OPENCLAW_FAMILY } from "./meta.ts";
import { looksLikeFamily, openClawPlan } from "./probe.ts";

export const openclaw: Fingerprinter = {
  id: "openclaw",
  meta: {
    products: OPENCLAW_FAMILY,
    displayName: "OpenClaw-family gateway (OpenClaw, Moltbot, Clawdbot)",
    defaultPorts: [18789],
    advisories: { ecosystem: "npm", packages: OPENCLAW_FAMILY },
    basis: "live",
  },
  // The page names the family: claim. Anything else HTTP may still be a gateway whose page
  // says nothing (a proxy, an old build): its WebSocket decides.
  triage: (root) => (looksLikeFamily(root, undefined) ? "claim" : "maybe"),
  probe: openClawPlan,
  fingerprint: fingerprintOpenClaw,
};
