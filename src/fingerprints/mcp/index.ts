// MCP servers over HTTP (Streamable HTTP and the legacy SSE transport) as a fingerprinter.
import type { Fingerprinter } from "../contract.ts";
import { fingerprintMcp } from "./fingerprint.ts";
import { MCP_PRODUCTS } from "./meta.ts";
import { mcpPlan } from "./probe.ts";
import { MCP_RULES, mcpFindings } from "./rules.ts";
import { jsonRpcMessages } from "./signals.ts";

export const mcp: Fingerprinter = {
  id: "mcp",
  meta: {
    products: MCP_PRODUCTS,
    displayName: "MCP server (Streamable HTTP, legacy SSE)",
    // No registered default: the SDK examples use 3000/3001, FastMCP 8000.
    defaultPorts: [3000, 3001, 8000],
    advisories: null,
    basis: "live",
  },
  // A URL target may name the MCP endpoint itself: its GET answers JSON-RPC (a session
  // error) or an event stream. Anything else HTTP may still have one at /mcp or /sse.
  triage(root) {
    if (!root?.response) return "no";
    return jsonRpcMessages(root.response).length > 0 ? "claim" : "maybe";
  },
  probe: mcpPlan,
  fingerprint: fingerprintMcp,
  findings: mcpFindings,
  rules: MCP_RULES,
};
