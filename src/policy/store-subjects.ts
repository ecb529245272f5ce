import type { Finding } from "../findings/model.ts";
import type { StoreDb } from "../store/rows.ts";
import type { Subject } from "./subjects.ts";

const endpoint = (host: string, port: number) =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;

/**
 * The subjects of an open store (serve's compliance page uses its own handle). Findings the
 * store's suppressions hold back (added from the dashboard) do not count, as in the gates.
 */
export async function subjectsOfDb(db: StoreDb, now: Date = new Date()): Promise<Subject[]> {
  const { listAssets, listFindings } = await import("../store/query.ts");
  const { loadStoredSuppressions } = await import("../findings/stored-suppressions.ts");
  const { matchSuppression } = await import("../findings/suppress.ts");
  const assets = await listAssets(db, { state: "open" });
  const suppressions = await loadStoredSuppressions(db);
  const findings = (await listFindings(db)).filter(
    (f) => matchSuppression(f.finding as Finding, suppressions, now) === null,
  );
  const subjects = new Map<string, Subject>();
  for (const a of assets) {
    for (const key of new Set([endpoint(a.host, a.port), endpoint(a.ip, a.port)]))
      subjects.set(key, {
        asset: endpoint(a.host, a.port),
        host: a.host,
        kind: "gateway",
        product: a.product,
        version: a.version,
        seenAt: a.lastSeen,
        findings: [],
      });
  }
  // Audit and skills findings: one subject per asset, seen when its newest finding was.
  const other = new Map<string, { latest: string; list: typeof findings }>();
  for (const f of findings) {
    if (subjects.has(f.finding.asset)) continue;
    const g = other.get(f.finding.asset) ?? { latest: f.lastSeen, list: [] };
    if (f.lastSeen > g.latest) g.latest = f.lastSeen;
    g.list.push(f);
    other.set(f.finding.asset, g);
  }
  for (const f of findings) {
    const s = subjects.get(f.finding.asset);
    if (s && f.lastSeen >= s.seenAt)
      s.findings.push({ finding: f.finding, firstSeen: f.firstSeen, lastSeen: f.lastSeen });
  }
  const list = [...new Map([...subjects.values()].map((s) => [s.asset, s])).values()];
  for (const [asset, g] of other) {
    const open = g.list.filter((f) => f.lastSeen === g.latest);
    const kind = open.some((f) => f.finding.ruleId.startsWith("CP-SKILL-")) ? "skill" : "install";
    list.push({
      asset,
      // an audited install is `hostname:/path/to/openclaw.json`; a skill is only its folder
      host: kind === "install" && /^[^/:]+:\//.test(asset) ? asset.slice(0, asset.indexOf(":/")) : "",
      kind,
      product: null,
      version: null,
      seenAt: g.latest,
      findings: open.map((f) => ({
        finding: f.finding as Finding,
        firstSeen: f.firstSeen,
        lastSeen: f.lastSeen,
      })),
    });
  }
  return list.sort((a, b) => a.asset.localeCompare(b.asset));
}
