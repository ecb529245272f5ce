// Open WebUI, the self-hosted chat front end for Ollama and OpenAI-compatible APIs
// (github.com/open-webui/open-webui).
export const OPEN_WEBUI_PRODUCTS = ["open-webui"] as const;
