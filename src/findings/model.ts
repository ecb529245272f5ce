// The one Finding model every job (scan, audit, skills) produces and every sink consumes.

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(list: Iterable<Severity>): Severity | null {
  let best: Severity | null = null;
  for (const s of list) if (best === null || severityRank(s) > severityRank(best)) best = s;
  return best;
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** One piece of proof: what was seen, where, and (bounded) the bytes themselves. */
export interface Evidence {
  /** Where the proof came from: an HTTP exchange, a WebSocket frame, a TLS handshake, a file, a config key... */
  source: string;
  /** Human-readable statement of what this evidence shows. */
  detail: string;
  /** The exact bytes or text seen (already capped in size; `truncated` says when it was cut). */
  excerpt?: string;
  truncated?: boolean;
  /** Location as text: URL path, file path, or config key. */
  location?: string;
  /** For evidence inside a file: the path and (1-based) position. Reporters such as SARIF use these. */
  path?: string;
  line?: number;
  column?: number;
}

export interface Finding {
  /** Stable identifier, e.g. `CP-SCAN-001`. Never reused for another meaning. */
  ruleId: string;
  severity: Severity;
  title: string;
  /** What the finding is about: `host:port`, a file path, a skill directory. */
  asset: string;
  evidence: Evidence[];
  remediation: string;
  references: string[];
}

/** True when any finding is at or above the threshold (the `--fail-on` rule). */
export function reachesThreshold(findings: Iterable<{ severity: Severity }>, threshold: Severity): boolean {
  const limit = severityRank(threshold);
  for (const f of findings) if (severityRank(f.severity) >= limit) return true;
  return false;
}
