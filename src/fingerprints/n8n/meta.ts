// n8n, the workflow automation platform (github.com/n8n-io/n8n).
export const N8N_PRODUCTS = ["n8n"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof N8N_PRODUCTS)[number], true> {}
}
