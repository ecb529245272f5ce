// The LiteLLM proxy server, an OpenAI-compatible gateway in front of 100+ model providers
// (github.com/BerriAI/litellm).
export const LITELLM_PRODUCTS = ["litellm"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof LITELLM_PRODUCTS)[number], true> {}
}
