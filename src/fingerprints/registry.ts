// Every fingerprinter the scan engine runs, in the order their discovery probes are tried
// on a port nobody claims. Adding a product: its folder, and one line here.

import { comfyui } from "./comfyui/index.ts";
import type { Fingerprinter } from "./contract.ts";
import { flowise } from "./flowise/index.ts";
import { litellm } from "./litellm/index.ts";
import { llamaCpp } from "./llama-cpp/index.ts";
import { mcp } from "./mcp/index.ts";
import { n8n } from "./n8n/index.ts";
import { ollama } from "./ollama/index.ts";
import { openWebUi } from "./open-webui/index.ts";
import { openclaw } from "./openclaw/index.ts";
import type { Product } from "./product-ids.ts";
import { vllm } from "./vllm/index.ts";

export const FINGERPRINTERS: readonly Fingerprinter[] = [
  openclaw,
  mcp,
  ollama,
  openWebUi,
  litellm,
  vllm,
  llamaCpp,
  comfyui,
  n8n,
  flowise,
];

/** The fingerprinter that may report `product`. */
export function fingerprinterOf(product: Product): Fingerprinter {
  const f = FINGERPRINTERS.find((f) => f.meta.products.includes(product));
  if (!f) throw new Error(`no fingerprinter reports ${product}`);
  return f;
}
