// OCSF 1.x events for findings: Vulnerability Finding (class 2002) when the finding names
// advisories (CVE / GHSA ids), Detection Finding (class 2004) otherwise. Category 2 (Findings);
// type_uid = class_uid * 100 + activity_id.
import { advisoryIds, type ExportItem, splitAsset } from "./export-item.ts";
import type { Severity } from "./model.ts";

export const OCSF_VERSION = "1.3.0";

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<Severity, string> = {
  info: "Informational",
  low: "Low",
  medium: "Medium",
  high: "High",
  critical: "Critical",
};

export interface OcsfProduct {
  name: string;
  version: string;
}

export function toOcsf(item: ExportItem, product: OcsfProduct): Record<string, unknown> {
  const f = item.finding;
  const ids = advisoryIds(f);
  const vulnerable = ids.length > 0;
  const classUid = vulnerable ? 2002 : 2004;
  // Create when first seen in the run that saw it last, Update when it was seen before.
  const activityId = item.firstSeen === item.lastSeen ? 1 : 2;
  const where = splitAsset(f.asset);
  const event: Record<string, unknown> = {
    activity_id: activityId,
    activity_name: activityId === 1 ? "Create" : "Update",
    category_uid: 2,
    category_name: "Findings",
    class_uid: classUid,
    class_name: vulnerable ? "Vulnerability Finding" : "Detection Finding",
    type_uid: classUid * 100 + activityId,
    severity_id: SEVERITY_ID[f.severity],
    severity: SEVERITY_NAME[f.severity],
    status_id: 1,
    status: "New",
    time: Date.parse(item.lastSeen),
    start_time: Date.parse(item.firstSeen),
    end_time: Date.parse(item.lastSeen),
    message: f.title,
    metadata: {
      version: OCSF_VERSION,
      product: { name: product.name, vendor_name: product.name, version: product.version },
      uid: item.id,
    },
    finding_info: {
      uid: item.id,
      title: f.title,
      desc: f.evidence.map((e) => e.detail).join("; "),
      types: [f.ruleId],
      analytic: { uid: f.ruleId, name: f.ruleId, type_id: 1, type: "Rule" },
      first_seen_time: Date.parse(item.firstSeen),
      last_seen_time: Date.parse(item.lastSeen),
      src_url: f.references[0],
    },
    remediation: { desc: f.remediation, references: f.references },
    resources: [{ uid: f.asset, name: f.asset, type: "network endpoint" }],
    unmapped: { rule_id: f.ruleId, evidence: f.evidence },
  };
  if (where) event.device = { ip: where.host, type_id: 0, type: "Unknown" };
  if (vulnerable)
    event.vulnerabilities = ids.map((id) =>
      id.startsWith("CVE-")
        ? { title: f.title, severity: SEVERITY_NAME[f.severity], cve: { uid: id } }
        : { title: f.title, severity: SEVERITY_NAME[f.severity], advisory: { uid: id, title: f.title } },
    );
  return event;
}
