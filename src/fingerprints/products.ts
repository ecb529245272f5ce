// Every product a scan record can name. The list is the registry's (src/fingerprints/registry.ts:
// one line per product folder), so adding a product is its folder and that line. The type is
// joined from each folder's meta.ts, which adds its ids to ProductIds (declaration merging,
// no imports there), so a record's `product`, the schema's enum and every `Product` in the
// code name exactly the registered products.
import { FINGERPRINTERS } from "./registry.ts";

export { type FamilyProduct, isFamilyProduct, OPENCLAW_FAMILY } from "./openclaw/meta.ts";

/** Filled by each product folder's meta.ts. */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging, one folder at a time
export interface ProductIds {}
export type Product = keyof ProductIds & string;

/** In registry order (the OpenClaw family first), each product once. */
export const PRODUCTS = FINGERPRINTERS.flatMap((f) => f.meta.products) as unknown as readonly [
  Product,
  ...Product[],
];
