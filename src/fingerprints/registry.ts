// Every fingerprinter the scan engine runs, in the order their discovery probes are tried
// on a port nobody claims. Adding a product: its folder, and one line here.
import type { Fingerprinter } from "./contract.ts";
import { mcp } from "./mcp/index.ts";
import { openclaw } from "./openclaw/index.ts";
import type { Product } from "./products.ts";

export const FINGERPRINTERS: readonly Fingerprinter[] = [openclaw, mcp];

/** The fingerprinter that may report `product`. */
export function fingerprinterOf(product: Product): Fingerprinter {
  const f = FINGERPRINTERS.find((f) => f.meta.products.includes(product));
  if (!f) throw new Error(`no fingerprinter reports ${product}`);
  return f;
}
