// The record a scan produces for one endpoint: the plain typed data every later stage
// (advisories, findings, sinks, store) consumes. Its JSON form is schema `clawpatrol.scan/v1`
// (docs/scan-record.schema.json); fields are only ever added, never renamed.
import type { AdvisoryCounts } from "../advisories/counts.ts";
import type { Evidence, Finding, Severity } from "../findings/model.ts";
import type { TlsInfo } from "../net/connect.ts";

export const SCAN_SCHEMA = "clawpatrol.scan/v1";

export type Product = "openclaw" | "clawdbot" | "moltbot";
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
}

/** The verdict for an endpoint that is not (or not known to be) an OpenClaw-family gateway. */
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

export interface AdvisorySummary {
  id: string;
  aliases: string[];
  severity: string;
  preAuth: boolean;
  /** Where the flaw is reachable: gateway (the scanned port), webhook, channel, browser-relay, local. */
  exposure: string[];
  fixed: string | null;
  certainty: "affected" | "possibly-affected";
}

export interface Observation extends Verdict {
  schema: typeof SCAN_SCHEMA;
  host: string;
  ip: string;
  port: number;
  /** The base URL probed, e.g. http://127.0.0.1:18789/ */
  url: string;
  /** TCP connect succeeded. */
  reachable: boolean;
  /** loopback: reached over 127.0.0.0/8 or ::1; network: over any other address. */
  exposure: "loopback" | "network";
  tls: TlsInfo | null;
  advisories: AdvisorySummary[];
  /**
   * The advisory numbers of this endpoint (src/advisories/counts.ts): affecting, possibly
   * affecting, pre-auth, usable here. Present on every gateway record; absent on endpoints that
   * are no gateway and on records written before it was added.
   */
  advisoryCounts?: AdvisoryCounts;
  upgradeTo: string | null;
  findings: Finding[];
  /** The worst finding's severity, or null when there is none. */
  severity: Severity | null;
  error: string | null;
  scannedAt: string;
  ms: number;
}
