// SARIF 2.1.0 output for any list of findings (scan, audit, skills). One run per call;
// rules are derived from the findings' rule ids so the file stands on its own.
import type { Finding, Severity } from "./model.ts";

export interface SarifTool {
  name: string;
  version: string;
  informationUri?: string;
}

const LEVEL: Record<Severity, "none" | "note" | "warning" | "error"> = {
  info: "note",
  low: "note",
  medium: "warning",
  high: "error",
  critical: "error",
};

// GitHub code scanning reads this property to rank results.
const SECURITY_SEVERITY: Record<Severity, string> = {
  info: "0.0",
  low: "3.0",
  medium: "5.0",
  high: "7.5",
  critical: "9.5",
};

function locationOf(f: Finding): Record<string, unknown>[] {
  const withPath = f.evidence.find((e) => e.path);
  if (withPath?.path) {
    const region: Record<string, number> = {};
    if (withPath.line) region.startLine = withPath.line;
    if (withPath.line && withPath.column) region.startColumn = withPath.column;
    return [
      {
        physicalLocation: {
          artifactLocation: { uri: withPath.path },
          ...(Object.keys(region).length > 0 ? { region } : {}),
        },
      },
    ];
  }
  // Network assets have no file: use a logical location naming the endpoint.
  return [{ logicalLocations: [{ fullyQualifiedName: f.asset, kind: "resource" }] }];
}

/** What a command adds to each result: its own properties (confidence, the OpenClaw check id) and fingerprints. */
export interface ResultExtras {
  properties?: Record<string, unknown>;
  partialFingerprints?: Record<string, string>;
}

/**
 * The one SARIF builder. Audit and skills pass `extras` to carry what only they know on each
 * result, instead of building or patching logs of their own.
 */
export function toSarif<F extends Finding>(
  findings: readonly F[],
  tool: SarifTool,
  extras?: (finding: F) => ResultExtras,
): Record<string, unknown> {
  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  for (const f of findings) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push({
      id: f.ruleId,
      shortDescription: { text: f.title },
      help: { text: f.remediation },
      ...(f.references[0] ? { helpUri: f.references[0] } : {}),
      properties: { "security-severity": SECURITY_SEVERITY[f.severity], tags: ["security"] },
    });
  }
  const results = findings.map((f) => {
    const extra = extras?.(f) ?? {};
    return {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: LEVEL[f.severity],
      message: {
        text: [f.title, ...f.evidence.map((e) => e.detail)].join(" — "),
      },
      locations: locationOf(f),
      properties: { severity: f.severity, asset: f.asset, ...extra.properties },
      ...(extra.partialFingerprints ? { partialFingerprints: extra.partialFingerprints } : {}),
    };
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
            rules,
          },
        },
        results,
      },
    ],
  };
}
