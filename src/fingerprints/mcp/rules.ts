// Stable rule ids for MCP servers found by a scan. Ids are never reused.
import type { Finding } from "../../findings/model.ts";
import type { FindingContext } from "../contract.ts";
import type { Verdict } from "../verdict.ts";

const SPEC = "https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization";
const SECURITY = "https://modelcontextprotocol.io/specification/2025-06-18/basic/security_best_practices";

export const MCP_RULES = {
  exposed: {
    id: "CP-SCAN-101",
    title: "MCP server reachable over the network",
    remediation:
      "Bind the MCP server to 127.0.0.1 (or a Unix socket / stdio) unless remote clients need it; firewall its port from everything but trusted hosts.",
    references: [SECURITY],
  },
  noAuth: {
    id: "CP-SCAN-102",
    title: "MCP server accepts clients without credentials",
    remediation:
      "Put the server behind the MCP authorization flow (OAuth 2.1 bearer tokens) or an authenticating proxy; anyone who can reach it can call its tools.",
    references: [SPEC, SECURITY],
  },
} as const;

export function mcpFindings(v: Verdict, where: FindingContext): Finding[] {
  const findings: Finding[] = [];
  const network = where.exposure === "network";
  const tools = typeof v.facts?.toolsListed === "number" ? v.facts.toolsListed : null;
  if (network) {
    findings.push({
      ruleId: MCP_RULES.exposed.id,
      severity: v.auth === "required" ? "medium" : "high",
      title: MCP_RULES.exposed.title,
      asset: where.asset,
      evidence: [{ source: "scan", detail: `answered on ${where.asset} from a non-loopback vantage` }],
      remediation: MCP_RULES.exposed.remediation,
      references: [...MCP_RULES.exposed.references],
    });
  }
  if (v.auth === "not-required") {
    // Reachable from the network with tools to call is the February pattern again; on
    // loopback it is how most local MCP servers run, worth knowing but not an alarm.
    findings.push({
      ruleId: MCP_RULES.noAuth.id,
      severity: network ? (tools === 0 ? "high" : "critical") : "low",
      title: MCP_RULES.noAuth.title,
      asset: where.asset,
      evidence: v.evidence,
      remediation: MCP_RULES.noAuth.remediation,
      references: [...MCP_RULES.noAuth.references],
    });
  }
  return findings;
}
