// Findings about gateways seen over mDNS. Stable rule ids, never reused. OpenClaw's own audit
// rates `discovery.mdns.mode = "full"` critical when the gateway is exposed and a warning
// otherwise (its `discovery.mdns_full_mode` check): full mode puts the CLI's install path and
// the SSH port into TXT records anyone on the link can read.
import type { Finding } from "../findings/model.ts";
import type { MdnsService } from "./mdns-services.ts";

const BONJOUR = "https://docs.openclaw.ai/gateway/bonjour";

export const MDNS_RULES = {
  advertised: {
    id: "CP-MDNS-001",
    title: "OpenClaw-family gateway advertises itself over mDNS",
    remediation:
      'Set discovery.mdns.mode to "off" (or OPENCLAW_DISABLE_BONJOUR=1) on servers; keep it "minimal" where LAN clients need the beacon.',
    references: [BONJOUR],
  },
  fullMode: {
    id: "CP-MDNS-002",
    title: "Gateway's mDNS beacon is in full mode: CLI path and SSH port published to the link",
    remediation: 'Set discovery.mdns.mode to "minimal" (or "off"); full mode publishes cliPath and sshPort.',
    references: [BONJOUR],
  },
} as const;

export function serviceAsset(s: MdnsService): string {
  return `${s.instance}.${s.type}`;
}

export function mdnsFindings(s: MdnsService): Finding[] {
  const asset = serviceAsset(s);
  const findings: Finding[] = [
    {
      ruleId: MDNS_RULES.advertised.id,
      severity: "low",
      title: MDNS_RULES.advertised.title,
      asset,
      evidence: [
        {
          source: "mdns",
          detail: `${s.type} instance "${s.instance}" on ${s.host ?? "?"}:${s.port ?? "?"}`,
          excerpt: Object.entries(s.txt)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")
            .slice(0, 300),
        },
      ],
      remediation: MDNS_RULES.advertised.remediation,
      references: [...MDNS_RULES.advertised.references],
    },
  ];
  const full = ["clipath", "sshport"].filter((k) => k in s.txt);
  if (full.length > 0)
    findings.push({
      ruleId: MDNS_RULES.fullMode.id,
      severity: "medium",
      title: MDNS_RULES.fullMode.title,
      asset,
      evidence: full.map((k) => ({
        source: "mdns TXT",
        detail: `${k} published`,
        excerpt: `${k}=${s.txt[k]}`,
      })),
      remediation: MDNS_RULES.fullMode.remediation,
      references: [...MDNS_RULES.fullMode.references],
    });
  return findings;
}
