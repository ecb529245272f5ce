// Every product a scan record can name. The list is the registry's (src/fingerprints/registry.ts:
// one line per product folder), so adding a product is its folder and that line. The type is
// joined from each folder's meta.ts, which adds its ids to ProductIds in product-ids.ts
// (declaration merging, no imports there), so a record's `product`, the schema's enum and every
// `Product` in the code name exactly the registered products.
import type { Product } from "./product-ids.ts";
import { FINGERPRINTERS } from "./registry.ts";

export { type FamilyProduct, isFamilyProduct, OPENCLAW_FAMILY } from "./openclaw/meta.ts";
export type { Product, ProductIds } from "./product-ids.ts";

/** In registry order (the OpenClaw family first), each product once. */
export const PRODUCTS = FINGERPRINTERS.flatMap((f) => f.meta.products) as unknown as readonly [
  Product,
  ...Product[],
];
