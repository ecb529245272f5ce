// The fingerprinter contract: what one product folder (src/fingerprints/<product>/) gives
// the scan engine. Adding a product is one folder implementing this and one line in
// registry.ts (its meta.ts adds its ids to the Product type; products.ts reads the list from the registry).
//
// The engine asks the shared first exchange (`GET <base>/`, on the sweep's own connection)
// once, then shows it to every fingerprinter's `triage`. A fingerprinter whose cheap signals
// in that answer name its product "claims" the endpoint and only claimants send follow-ups.
// When nobody claims it, the fingerprinters that say "maybe" run their discovery probes in
// registry order until one recognises its product. `fingerprint` is a pure function of the
// transcript: recorded transcripts drive the unit tests, and every fingerprinter runs on
// every other product's transcripts without claiming them (test/fingerprints/cross-product).
import type { Finding } from "../findings/model.ts";
import type { HttpExchange } from "../net/http.ts";
import type { Product } from "./product-ids.ts";
import type { ProbeSession } from "./session.ts";
import type { Transcript } from "./transcript.ts";
import type { Verdict } from "./verdict.ts";

export type Triage = "claim" | "maybe" | "no";

/** Where an endpoint was reached, for findings that weigh exposure. */
export interface FindingContext {
  asset: string;
  exposure: "loopback" | "network";
}

export interface ProductMeta {
  /** Record `product` values this fingerprinter may return. */
  products: readonly Product[];
  /** For people: "MCP server (Streamable HTTP / SSE)". */
  displayName: string;
  /** Ports the product listens on by default (documentation and `-p` presets). */
  defaultPorts: readonly number[];
  /** The OSV ecosystem and package names advisories are matched in, when one covers it. */
  advisories: { ecosystem: string; packages: readonly string[] } | null;
  /**
   * "live": tested against the real product installed from its registry; "published-source":
   * built from the product's published source and documentation only (lower confidence).
   */
  basis: "live" | "published-source";
}

export interface Fingerprinter {
  /** The folder name. */
  id: string;
  meta: ProductMeta;
  /** Cheap look at the shared root answer (undefined: nothing HTTP answered there). */
  triage(root: HttpExchange | undefined): Triage;
  /**
   * Follow-up probes, benign and pre-auth only (read-only listings at most; never a tool
   * call, a prompt, a model pull or a workflow run). `claimed` says whether triage claimed the
   * endpoint. Returns true when the answers show this product (the engine then stops).
   */
  probe(session: ProbeSession, root: HttpExchange, claimed: boolean): Promise<boolean>;
  /** Pure: the verdict this transcript supports (NOT_A_GATEWAY when it is not this product). */
  fingerprint(t: Transcript): Verdict;
  /**
   * Findings for a verdict of this product beyond its advisories. The OpenClaw family's are
   * made by scan/assess.ts (they predate the contract), so it has none here.
   */
  findings?(verdict: Verdict, where: FindingContext): Finding[];
  /** The scan rules those findings use (ids must be unique across products; the registry test checks). */
  rules?: Readonly<Record<string, { id: string }>>;
}
