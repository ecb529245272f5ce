// The llama.cpp HTTP server, llama-server (github.com/ggml-org/llama.cpp, tools/server).
export const LLAMA_CPP_PRODUCTS = ["llama-cpp"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof LLAMA_CPP_PRODUCTS)[number], true> {}
}
