// Flowise, the low-code LLM app and agent builder (github.com/FlowiseAI/Flowise).
export const FLOWISE_PRODUCTS = ["flowise"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof FLOWISE_PRODUCTS)[number], true> {}
}
