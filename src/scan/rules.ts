// Stable rule ids for what a network scan can conclude. Ids are never reused.
import type { Severity } from "../findings/model.ts";

export interface ScanRule {
  id: string;
  title: string;
  remediation: string;
  references: string[];
}

const DOCS = "https://docs.openclaw.ai/gateway/security";

export const SCAN_RULES = {
  exposed: {
    id: "CP-SCAN-001",
    title: "OpenClaw-family gateway reachable over the network",
    remediation:
      'Bind the gateway to loopback (gateway.bind: "loopback") and reach it through an SSH tunnel, Tailscale Serve or an authenticating proxy; firewall TCP 18789 from everything but trusted hosts.',
    references: [DOCS],
  },
  noAuth: {
    id: "CP-SCAN-002",
    title: "Gateway accepts clients without credentials",
    remediation:
      'Set gateway.auth.mode to "token" with a long random gateway.auth.token (or a password), restart, and rotate every secret the gateway could reach: anyone who connected could run tools as the agent.',
    references: [DOCS],
  },
  remoteLooksLocal: {
    id: "CP-SCAN-003",
    title: "Gateway treats remote clients as local (proxy or forwarder on its host)",
    remediation:
      "Configure gateway.trustedProxies with the proxy's address so the gateway sees real client addresses, or remove the forwarder; local treatment skips checks meant for remote clients.",
    references: [DOCS],
  },
  preAuthAdvisory: {
    id: "CP-SCAN-004",
    title: "Gateway version has advisories exploitable without credentials",
    remediation: "Upgrade to the version given, and isolate the host until then.",
    references: ["https://github.com/openclaw/openclaw/security/advisories"],
  },
  advisory: {
    id: "CP-SCAN-005",
    title: "Gateway version has published security advisories",
    remediation: "Upgrade to the version given.",
    references: ["https://github.com/openclaw/openclaw/security/advisories"],
  },
  versionConflict: {
    id: "CP-SCAN-006",
    title: "Contradictory fingerprint signals (possible spoofing or a modified build)",
    remediation: "Check the host by hand: signals from this endpoint disagree about what it runs.",
    references: [],
  },
} satisfies Record<string, ScanRule>;

export type ScanRuleKey = keyof typeof SCAN_RULES;

export function ruleSeverityOrder(a: Severity, b: Severity): number {
  const order: Severity[] = ["info", "low", "medium", "high", "critical"];
  return order.indexOf(a) - order.indexOf(b);
}
