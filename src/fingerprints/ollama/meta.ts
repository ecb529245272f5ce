// Ollama, the local model runner (github.com/ollama/ollama).
export const OLLAMA_PRODUCTS = ["ollama"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof OLLAMA_PRODUCTS)[number], true> {}
}
