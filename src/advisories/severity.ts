// CVSS vector -> base score -> qualitative rating. The arithmetic (v3.0, v3.1 and the v4.0
// macro-vector tables) comes from ae-cvss-calculator; this file only picks the class and
// maps the score with the FIRST rating scale shared by v3 and v4:
//   0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical.
import { createRequire } from "node:module";
import type { Severity } from "./schema.ts";

// The calculator is only needed to parse records (a cache miss, an import); loading it
// costs ~7 ms that a scan matching from the parsed cache does not need to pay.
type CvssModule = typeof import("ae-cvss-calculator");
const requireHere = createRequire(import.meta.url);
let calculator: CvssModule | null = null;
function cvssCalculator(): CvssModule {
  calculator ??= requireHere("ae-cvss-calculator") as CvssModule;
  return calculator;
}

export interface Scored {
  score: number;
  severity: Severity | null;
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export function ratingFromScore(score: number): Severity | null {
  if (!(score > 0)) return null;
  if (score < 4) return "low";
  if (score < 7) return "medium";
  if (score < 9) return "high";
  return "critical";
}

/** Score a CVSS v3.x or v4.0 vector string; null when it is not a valid vector. */
export function scoreCvss(vector: string): Scored | null {
  const v = vector.trim();
  try {
    const cvss = cvssCalculator();
    let scores: { base?: number; overall?: number } | undefined;
    if (v.startsWith("CVSS:4.0/")) scores = new cvss.Cvss4P0(v).calculateScores();
    else if (v.startsWith("CVSS:3.1/")) scores = new cvss.Cvss3P1(v).calculateScores();
    else if (v.startsWith("CVSS:3.0/")) scores = new cvss.Cvss3P0(v).calculateScores();
    else return null;
    const score = Number(scores?.base ?? scores?.overall);
    if (!Number.isFinite(score) || score < 0 || score > 10) return null;
    return { score, severity: ratingFromScore(score) };
  } catch {
    return null;
  }
}

/** GitHub's database_specific.severity labels (LOW / MODERATE / HIGH / CRITICAL). */
export function severityFromLabel(label: unknown): Severity | null {
  if (typeof label !== "string") return null;
  switch (label.trim().toUpperCase()) {
    case "LOW":
      return "low";
    case "MODERATE":
    case "MEDIUM":
      return "medium";
    case "HIGH":
      return "high";
    case "CRITICAL":
      return "critical";
    default:
      return null;
  }
}

/** Is a vector's attack vector network, and does it need no privileges? (for imported records) */
export function vectorLooksPreAuthNetwork(vector: string): boolean {
  return /\/AV:N(\/|$)/.test(vector) && /\/PR:N(\/|$)/.test(vector);
}

export function vectorNeedsUserInteraction(vector: string): boolean {
  return /\/UI:(R|P|A)(\/|$)/.test(vector);
}
