// The flags of `clawpatrol scan` and what it prints: shared by the command's declaration
// (scan.ts, loaded for --help) and the code that runs it (scan-run.ts, loaded only to scan).
import type { OutputFlags, OutputSpec } from "./command-output.ts";

export const SCAN_OUTPUT: OutputSpec = {
  formats: ["text", "json", "ndjson", "sarif", "ocsf", "cef", "stix"],
  meaning: {
    json: "one record per endpoint, schema clawpatrol.scan/v1",
    ndjson: "same as json",
    sarif: "the findings",
    ocsf: "the findings",
    cef: "the findings",
    stix: "the findings",
  },
  same: { ndjson: "json" },
  findings: true,
  suppressible: true,
};

export interface ScanFlags extends OutputFlags {
  ports: string;
  inputList?: string[];
  /** Scan exports whose host:port pairs are probed instead of targets (src/cli/scan-from.ts). */
  from?: string[];
  inputFormat?: string;
  exclude?: string[];
  excludeFile?: string[];
  blocklist?: string[];
  allowLarge?: boolean;
  /** A hard cap; absent means adaptive pacing (src/net/pacing.ts). */
  rate?: number;
  concurrency: number;
  probeConcurrency: number;
  perHost: number;
  timeout: number;
  all?: boolean;
  record?: string;
  seed?: number;
  contact?: string;
  progress: boolean;
  store?: boolean;
  /** Add the gateways heard over multicast DNS (src/cli/scan-mdns.ts). */
  mdns?: boolean;
  mdnsTimeout: number;
  interface?: string;
}
