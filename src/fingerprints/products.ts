// Every product a scan record can name, declared once. Each fingerprinter folder declares
// its own ids in its meta.ts (no imports there); this list joins them. A record's `product`,
// the schema's enum and the registry's coverage test all read it.
import { COMFYUI_PRODUCTS } from "./comfyui/meta.ts";
import { FLOWISE_PRODUCTS } from "./flowise/meta.ts";
import { LITELLM_PRODUCTS } from "./litellm/meta.ts";
import { LLAMA_CPP_PRODUCTS } from "./llama-cpp/meta.ts";
import { MCP_PRODUCTS } from "./mcp/meta.ts";
import { N8N_PRODUCTS } from "./n8n/meta.ts";
import { OLLAMA_PRODUCTS } from "./ollama/meta.ts";
import { OPEN_WEBUI_PRODUCTS } from "./open-webui/meta.ts";
import { OPENCLAW_FAMILY } from "./openclaw/meta.ts";
import { VLLM_PRODUCTS } from "./vllm/meta.ts";

export { type FamilyProduct, isFamilyProduct, OPENCLAW_FAMILY } from "./openclaw/meta.ts";

export const PRODUCTS = [
  ...OPENCLAW_FAMILY,
  ...MCP_PRODUCTS,
  ...OLLAMA_PRODUCTS,
  ...OPEN_WEBUI_PRODUCTS,
  ...LITELLM_PRODUCTS,
  ...VLLM_PRODUCTS,
  ...LLAMA_CPP_PRODUCTS,
  ...COMFYUI_PRODUCTS,
  ...N8N_PRODUCTS,
  ...FLOWISE_PRODUCTS,
] as const;
export type Product = (typeof PRODUCTS)[number];
