// OCSF events for findings, for the OCSF version below (validated in test/exports against JSON
// Schemas compiled from the OCSF schema by scripts/build-ocsf-schema.ts): Vulnerability Finding
// (class 2002) when the finding names advisories (CVE / GHSA ids), Detection Finding (class 2004)
// otherwise. Category 2 (Findings); type_uid = class_uid * 100 + activity_id. No profiles are
// applied. Enum siblings (severity, status, ...) carry the OCSF captions of their ids.
import { isIP } from "node:net";
import { advisoryGroups, advisoryIds, type ExportItem, splitAsset } from "./export-item.ts";
import type { Finding, Severity } from "./model.ts";

export const OCSF_VERSION = "1.8.0";

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<Severity, string> = {
  info: "Informational",
  low: "Low",
  medium: "Medium",
  high: "High",
  critical: "Critical",
};
/** Detection Finding confidence_id: 1 Low, 2 Medium, 3 High. */
const CONFIDENCE: Record<string, [number, string]> = {
  low: [1, "Low"],
  medium: [2, "Medium"],
  high: [3, "High"],
};

export interface OcsfProduct {
  name: string;
  version: string;
}

/** What the finding is about, as an OCSF resource type (from the rule family and the asset's shape). */
function resourceType(f: Finding): string {
  if (splitAsset(f.asset)) return "Network Endpoint";
  if (f.ruleId.startsWith("CP-SKILL-")) return "Agent Skill";
  if (f.ruleId.startsWith("CP-AUDIT-")) return "Host Configuration";
  return "Other";
}

/**
 * One OCSF vulnerability per advisory: a GHSA id with its CVE alias is one vulnerability (the
 * CVE as `cve`, the GHSA id in related_vulnerabilities), as OCSF allows exactly one of cve /
 * advisory / cwe per vulnerability.
 */
function vulnerabilities(f: Finding): Record<string, unknown>[] {
  const remediation = {
    desc: f.remediation,
    ...(f.references.length > 0 ? { references: f.references } : {}),
  };
  return advisoryGroups(f).map((ids) => {
    const primary = ids[0]!;
    const detail = f.evidence.find((e) => e.detail.toUpperCase().includes(primary.toUpperCase()))?.detail;
    return {
      ...(primary.startsWith("CVE-")
        ? { cve: { uid: primary } }
        : { advisory: { uid: primary, title: f.title } }),
      ...(ids.length > 1 ? { related_vulnerabilities: ids.slice(1) } : {}),
      title: f.title,
      desc: detail ?? f.title,
      severity: SEVERITY_NAME[f.severity],
      remediation,
      ...(f.references.length > 0 ? { references: f.references } : {}),
    };
  });
}

export function toOcsf(item: ExportItem, product: OcsfProduct): Record<string, unknown> {
  const f = item.finding;
  const ids = advisoryIds(f);
  const vulnerable = ids.length > 0;
  const classUid = vulnerable ? 2002 : 2004;
  const className = vulnerable ? "Vulnerability Finding" : "Detection Finding";
  // Create when first seen in the run that saw it last, Update when it was seen before.
  const activityId = item.firstSeen === item.lastSeen ? 1 : 2;
  const activityName = activityId === 1 ? "Create" : "Update";
  const first = Date.parse(item.firstSeen);
  const last = Date.parse(item.lastSeen);
  const where = splitAsset(f.asset);
  const ipAsset = where && isIP(where.host) !== 0 ? where.host : undefined;
  const event: Record<string, unknown> = {
    activity_id: activityId,
    activity_name: activityName,
    category_uid: 2,
    category_name: "Findings",
    class_uid: classUid,
    class_name: className,
    type_uid: classUid * 100 + activityId,
    type_name: `${className}: ${activityName}`,
    severity_id: SEVERITY_ID[f.severity],
    severity: SEVERITY_NAME[f.severity],
    status_id: 1,
    status: "New",
    time: last,
    start_time: first,
    end_time: last,
    message: f.title,
    metadata: {
      version: OCSF_VERSION,
      product: { name: product.name, vendor_name: product.name, version: product.version },
    },
    finding_info: {
      uid: item.id,
      title: f.title,
      desc: f.evidence.map((e) => e.detail).join("; ") || f.title,
      types: [f.ruleId],
      analytic: { uid: f.ruleId, name: f.title, type_id: 1, type: "Rule" },
      first_seen_time: first,
      last_seen_time: last,
      ...(f.references[0] ? { src_url: f.references[0] } : {}),
    },
    resources: [
      {
        uid: f.asset,
        name: f.asset,
        type: resourceType(f),
        ...(ipAsset ? { ip: ipAsset } : where ? { hostname: where.host } : {}),
      },
    ],
    unmapped: { rule_id: f.ruleId, evidence: f.evidence },
  };
  if (where)
    event.device = {
      ...(ipAsset ? { ip: ipAsset } : { hostname: where.host }),
      type_id: 0,
      type: "Unknown",
    };
  if (vulnerable) event.vulnerabilities = vulnerabilities(f);
  else {
    // Detection Finding carries the remediation itself (a Vulnerability Finding, per vulnerability).
    event.remediation = {
      desc: f.remediation,
      ...(f.references.length > 0 ? { references: f.references } : {}),
    };
    const confidence = CONFIDENCE[String((f as { confidence?: unknown }).confidence)];
    if (confidence) {
      event.confidence_id = confidence[0];
      event.confidence = confidence[1];
    }
  }
  return event;
}
