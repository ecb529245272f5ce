// What a fingerprinter concludes from one transcript: the product, its version (exact or the
// narrowest honest range), auth state, and the evidence for each. Every fingerprinter returns
// this shape; the scan layer (scan/record.ts) wraps it into the record it writes.
import type { Evidence } from "../findings/model.ts";
import type { Product } from "./product-ids.ts";

export type { Product } from "./product-ids.ts";
export type AuthState = "required" | "not-required" | "unknown";

export interface VersionRangeOut {
  /** Oldest version that fits, or null when unbounded. */
  min: string | null;
  /** Newest version that fits, or null when unbounded (a release newer than we know). */
  max: string | null;
  /** The explicit releases that fit, when they are few enough to list (else empty). */
  candidates: string[];
}

export interface Confidence {
  product: number;
  version: number;
  auth: number;
  remoteLooksLocal: number;
}

/**
 * Product-specific facts read before auth, named per product in docs/scan.md (an MCP
 * server's transport and how many tools it lists, ...). Values are capped strings, numbers
 * or booleans: target-controlled text never grows a record without bound.
 */
export type Facts = Record<string, string | number | boolean>;

/** What the fingerprint concluded from a transcript. */
export interface Verdict {
  product: Product | null;
  version: string | null;
  versionRange: VersionRangeOut | null;
  /** Wire-protocol version the gateway expects (2, 3, 4, ...). */
  protocol: number | null;
  auth: AuthState;
  remoteLooksLocal: boolean;
  confidence: Confidence;
  /** Signals that disagreed; each lowers confidence instead of producing a confident wrong answer. */
  conflicts: string[];
  evidence: Evidence[];
  /** Product-specific facts (absent on OpenClaw-family records and records written before it). */
  facts?: Facts;
}

/** The verdict for an endpoint that is no known product. */
export const NOT_A_GATEWAY: Readonly<Verdict> = Object.freeze({
  product: null,
  version: null,
  versionRange: null,
  protocol: null,
  auth: "unknown",
  remoteLooksLocal: false,
  confidence: { product: 0, version: 0, auth: 0, remoteLooksLocal: 0 },
  conflicts: [],
  evidence: [],
});
