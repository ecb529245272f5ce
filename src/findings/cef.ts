// ArcSight Common Event Format (CEF:0) lines for findings:
//   CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|key=value key=value ...
// Header fields escape `\` and `|`; extension values escape `\`, `=`, and line breaks (\n, \r).
import { advisoryIds, type ExportItem, splitAsset } from "./export-item.ts";
import type { Severity } from "./model.ts";

const SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

export function cefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, " ");
}

export function cefValue(value: string): string {
  return value
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r\n|\n/g, "\\n")
    .replace(/\r/g, "\\r");
}

export interface CefProduct {
  vendor: string;
  name: string;
  version: string;
}

export function toCef(item: ExportItem, product: CefProduct): string {
  const f = item.finding;
  const ext: [string, string][] = [];
  const where = splitAsset(f.asset);
  if (where) {
    ext.push([where.host.includes(":") ? "c6a1" : "dst", where.host]);
    if (where.host.includes(":")) ext.push(["c6a1Label", "Destination IPv6 Address"]);
    ext.push(["dpt", String(where.port)]);
  }
  ext.push(["rt", String(Date.parse(item.lastSeen))]);
  ext.push(["start", String(Date.parse(item.firstSeen))]);
  ext.push(["end", String(Date.parse(item.lastSeen))]);
  ext.push(["externalId", item.id]);
  ext.push(["cs1Label", "asset"], ["cs1", f.asset]);
  const ids = advisoryIds(f);
  if (ids.length > 0) ext.push(["cs2Label", "advisories"], ["cs2", ids.join(",")]);
  ext.push(["cs3Label", "remediation"], ["cs3", f.remediation]);
  ext.push([
    "msg",
    f.evidence
      .map((e) => e.detail)
      .join("; ")
      .slice(0, 1023),
  ]);
  if (f.references[0]) ext.push(["cs4Label", "reference"], ["cs4", f.references[0]]);
  const header = [
    "CEF:0",
    cefHeader(product.vendor),
    cefHeader(product.name),
    cefHeader(product.version),
    cefHeader(f.ruleId),
    cefHeader(f.title),
    String(SEVERITY[f.severity]),
  ].join("|");
  return `${header}|${ext.map(([k, v]) => `${k}=${cefValue(v)}`).join(" ")}`;
}
