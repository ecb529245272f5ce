// The OpenClaw family's names, declared once: the three npm packages the gateway shipped as
// (Clawdbot, then Moltbot, then OpenClaw). Everything that says "openclaw | clawdbot |
// moltbot" (brands on the Control UI, package names in the release table, the advisory
// ecosystem's package names, audit's install kinds) is this type. No imports on purpose: the
// advisory and audit layers read it without pulling in the probe.
export const OPENCLAW_FAMILY = ["openclaw", "clawdbot", "moltbot"] as const;
export type FamilyProduct = (typeof OPENCLAW_FAMILY)[number];

export function isFamilyProduct(value: string): value is FamilyProduct {
  return (OPENCLAW_FAMILY as readonly string[]).includes(value);
}

// The record `product` ids this folder adds to the one product type (src/fingerprints/product-ids.ts).
declare module "../product-ids.ts" {
  interface ProductIds extends Record<(typeof OPENCLAW_FAMILY)[number], true> {}
}
