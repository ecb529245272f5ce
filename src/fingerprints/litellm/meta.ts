// The LiteLLM proxy server, an OpenAI-compatible gateway in front of 100+ model providers
// (github.com/BerriAI/litellm).
export const LITELLM_PRODUCTS = ["litellm"] as const;
