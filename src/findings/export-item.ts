// What the SIEM reporters (OCSF, CEF, STIX) take: a finding with its stable identity and
// when it was first and last seen (from the store, or the scan time for a one-off scan).
import type { Finding } from "./model.ts";

export interface ExportItem {
  /** Stable identity: sha256 of rule id, asset and evidence hash (src/store/write.ts). */
  id: string;
  finding: Finding;
  firstSeen: string;
  lastSeen: string;
}

const ADVISORY_ID = /\b(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})\b/gi;

/** CVE and GHSA ids a finding names in its evidence or references, upper-cased (GHSA ids lower-cased after the prefix). */
export function advisoryIds(f: Finding): string[] {
  const text = [
    ...f.references,
    ...f.evidence.flatMap((e) => [e.detail, e.excerpt ?? "", e.location ?? ""]),
  ].join("\n");
  const ids = new Set<string>();
  for (const m of text.matchAll(ADVISORY_ID)) {
    const id = m[1]!;
    ids.add(id.toUpperCase().startsWith("GHSA") ? `GHSA${id.slice(4).toLowerCase()}` : id.toUpperCase());
  }
  return [...ids].sort();
}

/** Address and port of a `host:port` or `[v6]:port` asset, when it is one. */
export function splitAsset(asset: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(asset) ?? /^([^:]+):(\d{1,5})$/.exec(asset);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : null;
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/**
 * A finding's advisory ids grouped by advisory: an evidence line that names a GHSA id and its
 * CVE alias is one advisory. Each group lists its CVE first when it has one.
 */
export function advisoryGroups(f: Finding): string[][] {
  const all = advisoryIds(f);
  const used = new Set<string>();
  const groups: string[][] = [];
  const add = (ids: string[]) => {
    for (const id of ids) used.add(id);
    groups.push([...ids.filter((id) => CVE_ID.test(id)), ...ids.filter((id) => !CVE_ID.test(id))]);
  };
  for (const e of f.evidence) {
    const text = [e.detail, e.excerpt ?? "", e.location ?? ""].join("\n").toUpperCase();
    const ids = all.filter((id) => !used.has(id) && text.includes(id.toUpperCase()));
    if (ids.length > 0) add(ids);
  }
  for (const id of all) if (!used.has(id)) add([id]);
  return groups;
}
