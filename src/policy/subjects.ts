// What a policy is checked against: every gateway, install and skill the given results saw,
// each in its latest state, with the findings still open on it and since when each has been
// open. Results from several runs (daily scans, audits from many hosts) merge here: a later
// run replaces an asset's facts, a finding it no longer shows is closed, and a finding still
// there keeps the time it was first seen (exposure service levels are measured from that).
import type { ResultsFile } from "../findings/baseline-sources.ts";
import type { Finding } from "../findings/model.ts";

export interface OpenFinding {
  finding: Finding;
  firstSeen: string;
  lastSeen: string;
}

export interface Subject {
  /** What clause results name: `host:port`, `hostname:/path/openclaw.json`, a skill folder. */
  asset: string;
  /** The machine: the scanned address, or the audited host's name. */
  host: string;
  kind: "gateway" | "install" | "host" | "skill";
  product: string | null;
  version: string | null;
  /** Skills only: where --installed found it, its verdict and its content hash. */
  source?: string | null;
  verdict?: string;
  sha256?: string;
  /** When the latest results about it were taken. */
  seenAt: string;
  /** Open findings by rule id (the latest finding of each rule; a rule can repeat, all are kept). */
  findings: OpenFinding[];
}

/** A run's observation of one subject, before merging. */
type Observation = Omit<Subject, "findings"> & { findings: Finding[] };

function observationsOf(r: ResultsFile): Observation[] {
  switch (r.kind) {
    case "scan":
      return r.records
        .filter((rec) => rec.reachable !== false)
        .map((rec) => ({
          asset: rec.host.includes(":") ? `[${rec.host}]:${rec.port}` : `${rec.host}:${rec.port}`,
          host: rec.host,
          kind: "gateway" as const,
          product: rec.product ?? null,
          version: rec.version ?? null,
          seenAt: rec.scannedAt,
          findings: rec.findings,
        }));
    case "audit": {
      const a = r.report;
      const host = a.host.hostname;
      const byState = new Map<string, Finding[]>();
      const hostWide: Finding[] = [];
      const stateDirs = new Set(a.targets.map((t) => t.stateDir));
      for (const f of a.findings) {
        const sd = (f as { stateDir?: string | null }).stateDir;
        if (sd && stateDirs.has(sd)) byState.set(sd, [...(byState.get(sd) ?? []), f]);
        else hostWide.push(f);
      }
      const list: Observation[] = a.targets.map((t) => ({
        asset: `${host}:${t.configPath}`,
        host,
        kind: "install" as const,
        product: t.product,
        version: t.version,
        seenAt: a.startedAt,
        findings: byState.get(t.stateDir) ?? [],
      }));
      for (const i of a.installs ?? [])
        if (!a.targets.some((t) => t.product === i.product && t.version === i.version))
          list.push({
            asset: `${host}:${i.packageDir}`,
            host,
            kind: "install",
            product: i.product,
            version: i.version,
            seenAt: a.startedAt,
            findings: [],
          });
      list.push({
        asset: host,
        host,
        kind: "host",
        product: null,
        version: null,
        seenAt: a.startedAt,
        findings: hostWide,
      });
      return list;
    }
    case "skills":
      return r.report.skills.map((s) => ({
        asset: s.path,
        host: "",
        kind: "skill" as const,
        product: null,
        version: null,
        source: s.source ?? null,
        verdict: s.verdict,
        sha256: s.sha256,
        seenAt: r.report.generatedAt,
        findings: s.findings.filter((f) => !f.suppressed),
      }));
    case "baseline":
      return [];
  }
}

const findingKey = (f: Finding) => `${f.ruleId}\u0000${f.asset}`;

/** Merge the observations of every results file into one latest state per asset. */
export function subjectsOf(files: readonly ResultsFile[]): Subject[] {
  const all = files.flatMap(observationsOf).sort((a, b) => a.seenAt.localeCompare(b.seenAt));
  const subjects = new Map<string, Subject>();
  for (const o of all) {
    const before = subjects.get(o.asset);
    const firstSeen = new Map(before?.findings.map((x) => [findingKey(x.finding), x.firstSeen]) ?? []);
    subjects.set(o.asset, {
      ...o,
      findings: o.findings.map((f) => ({
        finding: f,
        firstSeen: firstSeen.get(findingKey(f)) ?? o.seenAt,
        lastSeen: o.seenAt,
      })),
    });
  }
  return [...subjects.values()].sort((a, b) => a.asset.localeCompare(b.asset));
}
