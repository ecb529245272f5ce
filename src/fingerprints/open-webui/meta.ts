// Open WebUI, the self-hosted chat front end for Ollama and OpenAI-compatible APIs
// (github.com/open-webui/open-webui).
export const OPEN_WEBUI_PRODUCTS = ["open-webui"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof OPEN_WEBUI_PRODUCTS)[number], true> {}
}
