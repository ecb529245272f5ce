// ComfyUI, the node-graph image and video generation server (github.com/comfyanonymous/ComfyUI).
export const COMFYUI_PRODUCTS = ["comfyui"] as const;
