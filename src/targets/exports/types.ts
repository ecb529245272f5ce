// What every scan-export reader yields: one host:port a third-party sweep (or an earlier
// clawpatrol scan) says it saw open, with what the source claimed about it, or a line that
// could not be used and why. Readers are streams: nothing here holds more than one entry.
import type { Observation } from "../../scan/record.ts";

export const EXPORT_FORMATS = [
  "masscan-json",
  "masscan-list",
  "masscan-xml",
  "masscan-grep",
  "zmap-csv",
  "zmap-json",
  "nmap-xml",
  "nmap-grep",
  "shodan",
  "censys",
  "clawpatrol",
] as const;

export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the source said about an endpoint, in its own words (never trusted, only compared). */
export interface SourceClaim {
  format: ExportFormat;
  /** The product the source named (Shodan's `product`, nmap's service product), or null. */
  product: string | null;
  version: string | null;
  /** The service name it gave ("http", "unknown"), or null. */
  service: string | null;
  /** When the source saw it (ISO 8601), or null when it does not say. */
  seenAt: string | null;
}

/** Where the source placed the address, when it says (Shodan, Censys): kept as the source's word. */
export interface SourcePlace {
  asn: number | null;
  org: string | null;
  country: string | null;
}

export interface ExportEntry {
  /** The line the entry starts on (1-based). */
  line: number;
  ip: string;
  port: number;
  hostname: string | null;
  claim: SourceClaim;
  place: SourcePlace | null;
  /** The whole record, when the file is clawpatrol's own NDJSON. */
  record: Observation | null;
}

/** An entry a reader recognised but that names no open TCP port (closed, filtered, UDP, a comment). */
export interface Skipped {
  line: number;
  reason: string;
}

/** A line (or value) that could not be read at all. */
export interface Malformed {
  line: number;
  reason: string;
}

export type ExportItem = { entry: ExportEntry } | { skipped: Skipped } | { malformed: Malformed };

/** One numbered line of an input file (1-based), without its line break. */
export interface NumberedLine {
  n: number;
  text: string;
}

export type ExportReader = (lines: AsyncIterable<NumberedLine>) => AsyncGenerator<ExportItem>;
