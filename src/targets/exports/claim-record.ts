// Scan records for endpoints read from an export: what the source claimed kept beside what
// clawpatrol found (scan --from), or a record built from the claim alone, marked unverified
// (import). The comparison is deliberately plain: a port that no longer answers is gone; one
// whose product or version is not what the source said has changed; anything else is confirmed.
import { PRODUCTS, type Product } from "../../fingerprints/products.ts";
import {
  NOT_A_GATEWAY,
  type Observation,
  type RecordSource,
  type RecordSourceClaim,
  SCAN_SCHEMA,
} from "../../scan/record.ts";
import { isLoopback, parseIp } from "../ip.ts";
import type { ExportEntry } from "./types.ts";

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
const BY_NAME = new Map<string, Product>(PRODUCTS.map((p) => [squash(p), p]));

/** One of clawpatrol's product ids named by a source's product string ("OpenClaw" → openclaw), or null. */
export function productNamed(name: string | null): Product | null {
  return name === null ? null : (BY_NAME.get(squash(name)) ?? null);
}

export function sourceOf(e: ExportEntry, file: string, verified: boolean): RecordSource {
  return { format: e.claim.format, file, line: e.line, verified };
}

export function claimOf(e: ExportEntry, outcome: RecordSourceClaim["outcome"]): RecordSourceClaim {
  return {
    product: e.claim.product,
    version: e.claim.version,
    service: e.claim.service,
    seenAt: e.claim.seenAt,
    asn: e.place?.asn ?? null,
    org: e.place?.org ?? null,
    country: e.place?.country ?? null,
    outcome,
  };
}

/** How what a probe found now compares with what the source claimed. */
export function outcomeOf(e: ExportEntry, found: Observation): RecordSourceClaim["outcome"] {
  if (!found.reachable) return "gone";
  const claimed = e.claim.product;
  if (claimed === null) return "confirmed";
  const named = productNamed(claimed);
  // A source naming something else (nginx, a different product) than what answers now.
  if (named === null ? found.product !== null : named !== found.product) return "changed";
  if (e.claim.version !== null && found.version !== null && e.claim.version !== found.version)
    return "changed";
  return "confirmed";
}

/** A record found by probing an export's endpoint, with the source and its claim beside it. */
export function withSource(found: Observation, e: ExportEntry, file: string): Observation {
  return { ...found, source: sourceOf(e, file, true), sourceClaim: claimOf(e, outcomeOf(e, found)) };
}

/**
 * A record from the export alone, nothing contacted: reachable as the source saw it, product
 * and version only when the source names one of clawpatrol's products, no findings, every
 * confidence 0. `fallbackTime` (the file's modification time) stands in when the source gives
 * no time, so importing the same file twice makes the same records.
 */
export function unverifiedRecord(e: ExportEntry, file: string, fallbackTime: string): Observation {
  const p = parseIp(e.ip);
  const product = productNamed(e.claim.product);
  const hostPart = p?.family === 6 ? `[${e.ip}]` : e.ip;
  return {
    schema: SCAN_SCHEMA,
    host: e.hostname ?? e.ip,
    ip: e.ip,
    port: e.port,
    url: `http://${hostPart}:${e.port}/`,
    reachable: true,
    exposure: p && isLoopback(p.family, p.value) ? "loopback" : "network",
    tls: null,
    ...NOT_A_GATEWAY,
    product,
    version: product ? e.claim.version : null,
    confidence: { ...NOT_A_GATEWAY.confidence },
    conflicts: [],
    evidence: [
      {
        source: `${e.claim.format} export`,
        detail: `${file}:${e.line}: the source saw this port open${e.claim.product ? ` and named ${e.claim.product}${e.claim.version ? ` ${e.claim.version}` : ""}` : ""}; not verified by clawpatrol`,
      },
    ],
    advisories: [],
    upgradeTo: null,
    findings: [],
    severity: null,
    error: null,
    scannedAt: e.claim.seenAt ?? fallbackTime,
    ms: 0,
    source: sourceOf(e, file, false),
    sourceClaim: claimOf(e, "unverified"),
  };
}
