// Every product a scan record can name, declared once. Each fingerprinter folder declares
// its own ids in its meta.ts (no imports there); this list joins them. A record's `product`,
// the schema's enum and the registry's coverage test all read it.
import { MCP_PRODUCTS } from "./mcp/meta.ts";
import { OPENCLAW_FAMILY } from "./openclaw/meta.ts";

export { type FamilyProduct, isFamilyProduct, OPENCLAW_FAMILY } from "./openclaw/meta.ts";

export const PRODUCTS = [...OPENCLAW_FAMILY, ...MCP_PRODUCTS] as const;
export type Product = (typeof PRODUCTS)[number];
