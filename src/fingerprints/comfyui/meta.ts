// ComfyUI, the node-graph image and video generation server (github.com/comfyanonymous/ComfyUI).
export const COMFYUI_PRODUCTS = ["comfyui"] as const;

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof COMFYUI_PRODUCTS)[number], true> {}
}
