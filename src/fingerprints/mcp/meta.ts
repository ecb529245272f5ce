// Model Context Protocol servers over HTTP (Streamable HTTP and the legacy SSE transport).
export const MCP_PRODUCTS = ["mcp"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof MCP_PRODUCTS)[number], true> {}
}
