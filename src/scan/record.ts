// The record a scan produces for one endpoint: the plain typed data every later stage
// (advisories, findings, sinks, store) consumes. Its JSON form is schema `clawpatrol.scan/v1`
// (docs/scan-record.schema.json); fields are only ever added, never renamed. The scan layer
// owns it: a fingerprinter returns a Verdict (fingerprints/verdict.ts), the engine adds where
// and when, assessment adds advisories and findings.
import type { AdvisoryCounts } from "../advisories/counts.ts";
import type { Finding, Severity } from "../findings/model.ts";
import type { Verdict } from "../fingerprints/verdict.ts";
import type { TlsInfo } from "../net/connect.ts";

export {
  type AuthState,
  type Confidence,
  type Facts,
  NOT_A_GATEWAY,
  type Product,
  type Verdict,
  type VersionRangeOut,
} from "../fingerprints/verdict.ts";

export const SCAN_SCHEMA = "clawpatrol.scan/v1";

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

/** Where a record's endpoint came from when it was read from a scan export (scan --from, import). */
export interface RecordSource {
  /** The export's format (src/targets/exports/types.ts), e.g. masscan-json, shodan. */
  format: string;
  /** The file as it was named on the command line. */
  file: string;
  /** The line the endpoint is on (1-based). */
  line: number;
  /** true: probed by clawpatrol now (scan --from); false: stored from the file alone (import). */
  verified: boolean;
}

/** What the export claimed about the endpoint, beside what clawpatrol found. */
export interface RecordSourceClaim {
  product: string | null;
  version: string | null;
  service: string | null;
  seenAt: string | null;
  /** The source's own AS number, AS organisation and country, when it gives them (Shodan, Censys). */
  asn: number | null;
  org: string | null;
  country: string | null;
  /**
   * confirmed: still open and no contradiction of the claim; changed: open, but the product or
   * version is not what the source said; gone: no longer accepts a connection; unverified:
   * stored without contacting it.
   */
  outcome: "confirmed" | "changed" | "gone" | "unverified";
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
  /** Set when the endpoint was read from a scan export (scan --from, import). */
  source?: RecordSource;
  sourceClaim?: RecordSourceClaim;
  /**
   * Where the address is routed, from the offline database (src/enrich/): AS number, AS
   * organisation, ISO 3166-1 alpha-2 country; null where unknown (private, loopback, reserved
   * or unlisted addresses). Absent on records written without enrichment.
   */
  asn?: number | null;
  asOrg?: string | null;
  country?: string | null;
  /**
   * The IANA special-purpose range the address lies in ("private use (RFC 1918)", "loopback
   * (RFC 1122)", documentation, ...), null for a public address; set with asn/asOrg/country.
   */
  specialUse?: string | null;
}
