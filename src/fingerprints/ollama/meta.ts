// Ollama, the local model runner (github.com/ollama/ollama).
export const OLLAMA_PRODUCTS = ["ollama"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/products.ts).
declare module "../products.ts" {
  interface ProductIds extends Record<(typeof OLLAMA_PRODUCTS)[number], true> {}
}
