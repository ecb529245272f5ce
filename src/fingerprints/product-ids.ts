// The one product type. Each product folder's meta.ts adds its ids to ProductIds by declaration
// merging, so this module imports nothing: the contract, the registry and every fingerprinter can
// name `Product` without depending on the registry that lists them (products.ts reads the list).

/** Filled by each product folder's meta.ts. */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging, one folder at a time
export interface ProductIds {}
export type Product = keyof ProductIds & string;
