// vLLM's OpenAI-compatible API server (github.com/vllm-project/vllm).
export const VLLM_PRODUCTS = ["vllm"] as const;
