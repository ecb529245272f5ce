// Model Context Protocol servers over HTTP (Streamable HTTP and the legacy SSE transport).
export const MCP_PRODUCTS = ["mcp"] as const;
