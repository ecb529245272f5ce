// Reading the results clawpatrol wrote earlier, whatever command wrote them: scan records
// (NDJSON, clawpatrol.scan/v1), an audit report (clawpatrol.audit/1), a skills report
// (clawpatrol.skills.v1) or a baseline file (clawpatrol.baseline/1). Baselines and policy
// checks both start from these; the file says what it is, so no flag has to.
import { readTextFile, TextFileError } from "../core/text-file.ts";
import type { Finding } from "./model.ts";

/** The largest results file read (a scan of a big network writes hundreds of megabytes). */
export const MAX_RESULTS_BYTES = 256 * 1024 * 1024;

export const BASELINE_SCHEMA = "clawpatrol.baseline/1";

/** One finding a baseline accepts: its stable identity, and what it was for people reading the file. */
export interface BaselineEntry {
  id: string;
  ruleId: string;
  asset: string;
  severity: string;
  title: string;
  /** The evidence pin a suppression of this finding names (src/findings/suppress.ts). */
  sha256?: string;
}

/** A scan record, as far as the policy and the baseline read it. */
export interface ScanRecordInput {
  host: string;
  ip: string;
  port: number;
  reachable: boolean;
  exposure?: string;
  product: string | null;
  version: string | null;
  auth: string;
  remoteLooksLocal: boolean;
  findings: Finding[];
  scannedAt: string;
}

export interface AuditInput {
  host: { hostname: string };
  startedAt: string;
  targets: { stateDir: string; configPath: string; product: string; version: string | null }[];
  installs: { product: string; version: string | null; packageDir: string }[];
  findings: Finding[];
}

export interface SkillsInput {
  generatedAt: string;
  skills: {
    path: string;
    source?: string;
    name?: string;
    verdict: string;
    sha256: string;
    findings: (Finding & { suppressed?: unknown })[];
  }[];
}

export type ResultsFile =
  | { kind: "scan"; file: string; records: ScanRecordInput[] }
  | { kind: "audit"; file: string; report: AuditInput }
  | { kind: "skills"; file: string; report: SkillsInput }
  | { kind: "baseline"; file: string; entries: BaselineEntry[] };

/** A results file that cannot be read or is not one clawpatrol wrote: one line naming it. */
export class ResultsFileError extends Error {
  override name = "ResultsFileError";
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function checkFindings(list: unknown, where: string): Finding[] {
  if (!Array.isArray(list)) throw new ResultsFileError(`${where}: findings is not a list`);
  list.forEach((f, i) => {
    if (
      !isObject(f) ||
      typeof f.ruleId !== "string" ||
      typeof f.asset !== "string" ||
      typeof f.severity !== "string" ||
      !Array.isArray(f.evidence)
    )
      throw new ResultsFileError(
        `${where}: findings[${i}] is not a finding (ruleId, asset, severity, evidence)`,
      );
  });
  return list as Finding[];
}

/** Parse text clawpatrol wrote; `file` names it in errors. */
export function parseResults(text: string, file: string): ResultsFile {
  const trimmed = text.trimStart();
  if (trimmed === "") throw new ResultsFileError(`${file}: empty file`);
  // One JSON document (audit, skills, baseline), or one scan record per line.
  let doc: unknown;
  let whole = true;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    whole = false;
  }
  if (whole && isObject(doc) && doc.schema !== "clawpatrol.scan/v1") {
    if (doc.schema === "clawpatrol.audit/1") {
      const findings = checkFindings(doc.findings, file);
      if (!Array.isArray(doc.targets) || !isObject(doc.host))
        throw new ResultsFileError(`${file}: an audit report needs host and targets`);
      return { kind: "audit", file, report: { ...(doc as unknown as AuditInput), findings } };
    }
    if (doc.schema === "clawpatrol.skills.v1") {
      if (!Array.isArray(doc.skills)) throw new ResultsFileError(`${file}: a skills report needs skills`);
      doc.skills.forEach((s, i) => {
        if (!isObject(s) || typeof s.path !== "string")
          throw new ResultsFileError(`${file}: skills[${i}] has no path`);
        checkFindings(s.findings, `${file}: skills[${i}]`);
      });
      return { kind: "skills", file, report: doc as unknown as SkillsInput };
    }
    if (doc.schema === BASELINE_SCHEMA) {
      if (!Array.isArray(doc.findings)) throw new ResultsFileError(`${file}: a baseline needs findings`);
      doc.findings.forEach((e, i) => {
        if (!isObject(e) || typeof e.id !== "string" || !/^[0-9a-f]{64}$/.test(e.id))
          throw new ResultsFileError(`${file}: findings[${i}].id is not a finding id (64 hex characters)`);
      });
      return { kind: "baseline", file, entries: doc.findings as BaselineEntry[] };
    }
    throw new ResultsFileError(
      `${file}: not a clawpatrol results file (schema ${JSON.stringify(doc.schema ?? null).slice(0, 60)}; expected scan NDJSON, an audit, skills or baseline JSON)`,
    );
  }
  const records: ScanRecordInput[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new ResultsFileError(`${file}:${i + 1}: not JSON (expected one scan record per line)`);
    }
    if (!isObject(rec) || rec.schema !== "clawpatrol.scan/v1")
      throw new ResultsFileError(`${file}:${i + 1}: not a clawpatrol.scan/v1 record`);
    if (typeof rec.host !== "string" || typeof rec.port !== "number")
      throw new ResultsFileError(`${file}:${i + 1}: a scan record needs host and port`);
    checkFindings(rec.findings, `${file}:${i + 1}`);
    records.push(rec as unknown as ScanRecordInput);
  }
  return { kind: "scan", file, records };
}

export function readResultsFile(file: string): ResultsFile {
  let text: string;
  try {
    text = readTextFile(file, MAX_RESULTS_BYTES).text;
  } catch (err) {
    if (err instanceof TextFileError) throw new ResultsFileError(`${file}: ${err.message}`);
    throw err;
  }
  return parseResults(text, file);
}

/** Every finding a results file holds (a skills report's suppressed ones left out). */
export function resultsFindings(r: ResultsFile): Finding[] {
  switch (r.kind) {
    case "scan":
      return r.records.flatMap((rec) => rec.findings);
    case "audit":
      return r.report.findings;
    case "skills":
      return r.report.skills.flatMap((s) => s.findings.filter((f) => !f.suppressed));
    case "baseline":
      return [];
  }
}
