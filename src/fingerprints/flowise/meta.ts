// Flowise, the low-code LLM app and agent builder (github.com/FlowiseAI/Flowise).
export const FLOWISE_PRODUCTS = ["flowise"] as const;
