// Ollama, the local model runner (github.com/ollama/ollama).
export const OLLAMA_PRODUCTS = ["ollama"] as const;
