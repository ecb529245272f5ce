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
