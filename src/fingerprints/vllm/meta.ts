// vLLM's OpenAI-compatible API server (github.com/vllm-project/vllm).
export const VLLM_PRODUCTS = ["vllm"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof VLLM_PRODUCTS)[number], true> {}
}
