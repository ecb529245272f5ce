// Assess: turn a fingerprint Verdict into findings and a severity. Advisory matching is
// passed in (a function), so this stage stays pure and testable.
import {
  countAdvisories,
  type DistinctAdvisory,
  distinctAdvisories,
  isUsableHere,
} from "../advisories/counts.ts";
import type { Evidence, Finding, Severity } from "../findings/model.ts";
import { maxSeverity } from "../findings/model.ts";
import type { Fingerprinter } from "../fingerprints/contract.ts";
import { isFamilyProduct, type Product } from "../fingerprints/products.ts";
import type { AdvisorySummary, Observation, Verdict } from "./record.ts";
import { SCAN_RULES, type ScanRule } from "./rules.ts";

export interface AdvisoryQuery {
  /** The OpenClaw family matches versions, ranges and candidates; other products an exact version. */
  product: Product;
  version?: string;
  range?: { min: string | null; max: string | null };
  candidates?: string[];
}

/** A matched advisory as the assess stage sees it: the record's summary plus its one-line title. */
export type MatchedAdvisory = AdvisorySummary & { summary: string };

export interface AdvisoryAnswer {
  advisories: MatchedAdvisory[];
  upgradeTo: string | null;
}

export type AdviseFn = (q: AdvisoryQuery) => AdvisoryAnswer;

export const NO_ADVISORIES: AdviseFn = () => ({ advisories: [], upgradeTo: null });

const SEVERITY_FROM_ADVISORY: Record<string, Severity> = {
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

/** The worst severity among merged advisories (an advisory's entries may rate it differently). */
function worstOf(list: readonly DistinctAdvisory<MatchedAdvisory>[]): Severity {
  return (
    maxSeverity(list.flatMap((a) => a.entries.map((e) => SEVERITY_FROM_ADVISORY[e.severity] ?? "medium"))) ??
    "medium"
  );
}

function finding(
  rule: ScanRule,
  severity: Severity,
  asset: string,
  evidence: Evidence[],
  remediation?: string,
): Finding {
  return {
    ruleId: rule.id,
    severity,
    title: rule.title,
    asset,
    evidence,
    remediation: remediation ?? rule.remediation,
    references: rule.references,
  };
}

// The advisor answers each distinct question once, so gateways of one version share one
// answer; they share its record form too (one array, not one copy per gateway: an old
// version has hundreds of advisories, and record-json.ts serialises a shared list once).
// Records are never mutated after they are made, so sharing is safe.
const recordForm = new WeakMap<MatchedAdvisory[], AdvisorySummary[]>();

function recordAdvisories(list: MatchedAdvisory[]): AdvisorySummary[] {
  let out = recordForm.get(list);
  if (!out) {
    out = list.map(({ summary: _summary, ...rest }) => rest);
    recordForm.set(list, out);
  }
  return out;
}

/** The GitHub advisory pages of matched advisories (a GHSA id or alias), at most ten. */
function advisoryPages(list: readonly MatchedAdvisory[]): string[] {
  const ids = list.flatMap((a) => [a.id, ...a.aliases].filter((x) => x.startsWith("GHSA-")).slice(0, 1));
  return [...new Set(ids)].slice(0, 10).map((id) => `https://github.com/advisories/${id}`);
}

/** The advisory findings of an endpoint: the ones usable on this port, then one line for the rest. */
function advisoryFindings(
  answer: AdvisoryAnswer,
  auth: Verdict["auth"],
  asset: string,
  network: boolean,
): Finding[] {
  const findings: Finding[] = [];
  const distinct = distinctAdvisories(answer.advisories);
  const usable = distinct.filter((a) => isUsableHere(a, auth));
  const other = distinct.filter((a) => !isUsableHere(a, auth));
  const upgrade = answer.upgradeTo ? `Upgrade to ${answer.upgradeTo} or later.` : undefined;
  if (usable.length > 0) {
    // A pre-auth hole matters most where an attacker can reach the port.
    const worst = worstOf(usable);
    const severity: Severity = network ? worst : worst === "critical" ? "high" : worst;
    findings.push(
      finding(
        SCAN_RULES.preAuthAdvisory,
        severity,
        asset,
        usable.map((a) => ({
          source: "advisories",
          detail: `${a.id}${a.aliases.length ? ` (${a.aliases.join(", ")})` : ""}: ${a.entries[0]!.summary}${a.certainty === "possibly-affected" ? " [possibly affected]" : ""}`,
        })),
        upgrade,
      ),
    );
  }
  if (other.length > 0) {
    // Not usable on this port: one summary line, the ids are in `advisories`.
    const worst = worstOf(other);
    const certain = other.filter((a) => a.certainty === "affected").length;
    findings.push(
      finding(
        SCAN_RULES.advisory,
        certain > 0 ? "medium" : "low",
        asset,
        [
          {
            source: "advisories",
            detail: `${other.length} advisories (${certain} certain, worst ${worst}) not usable on this port (they need credentials or another exposure: webhook, channel, browser relay, local); ids in the record's advisories`,
          },
        ],
        upgrade,
      ),
    );
  }
  return findings;
}

export function assess(
  verdict: Verdict,
  where: { asset: string; exposure: "loopback" | "network" },
  advise: AdviseFn,
  by: Fingerprinter | null = null,
): Pick<Observation, "advisories" | "advisoryCounts" | "upgradeTo" | "findings" | "severity"> {
  if (verdict.product === null) return { advisories: [], upgradeTo: null, findings: [], severity: null };
  const { asset, exposure } = where;
  const network = exposure === "network";
  const product = verdict.product;
  if (!isFamilyProduct(product)) {
    // Other products: their fingerprinter's findings, and the advisories of the exact
    // version, counted and reported as the OpenClaw family's are.
    // Counted only where advisory data covers the product and the version is known.
    const matched = verdict.version !== null && (by?.meta.advisories ?? null) !== null;
    const answer: AdvisoryAnswer = matched
      ? advise({ product, version: verdict.version! })
      : { advisories: [], upgradeTo: null };
    const findings = [
      ...(by?.findings?.(verdict, where) ?? []),
      // The same rules as a gateway's, worded for this product and pointing at its advisories.
      ...advisoryFindings(answer, verdict.auth, asset, network).map((f) => ({
        ...f,
        title: f.title.replace(/^Gateway/, by?.meta.displayName ?? product),
        references: advisoryPages(answer.advisories),
      })),
    ];
    return {
      advisories: recordAdvisories(answer.advisories),
      ...(matched ? { advisoryCounts: countAdvisories(answer.advisories, verdict.auth) } : {}),
      upgradeTo: answer.upgradeTo,
      findings,
      severity: maxSeverity(findings.map((f) => f.severity)),
    };
  }
  const findings: Finding[] = [];

  let answer: AdvisoryAnswer = { advisories: [], upgradeTo: null };
  if (verdict.version) answer = advise({ product, version: verdict.version });
  else if (verdict.versionRange)
    answer = advise({
      product,
      range: { min: verdict.versionRange.min, max: verdict.versionRange.max },
      ...(verdict.versionRange.candidates.length > 0 ? { candidates: verdict.versionRange.candidates } : {}),
    });

  if (network) {
    findings.push(
      finding(SCAN_RULES.exposed, verdict.auth === "required" ? "medium" : "high", asset, [
        { source: "scan", detail: `answered on ${asset} from a non-loopback vantage` },
      ]),
    );
  }
  if (verdict.auth === "not-required") {
    findings.push(
      finding(
        SCAN_RULES.noAuth,
        network ? "critical" : "high",
        asset,
        verdict.evidence.filter((e) => e.source.startsWith("POST /tools/invoke")),
      ),
    );
  }
  if (verdict.remoteLooksLocal) {
    findings.push(
      finding(
        SCAN_RULES.remoteLooksLocal,
        "high",
        asset,
        verdict.evidence.filter((e) => /treated as local|forwarder/.test(e.detail)),
      ),
    );
  }
  // What an attacker can use on the port we reached is the "usable here" number of
  // src/advisories/counts.ts; each advisory once, however many ids (GHSA, CVE) it has.
  const advisoryCounts = countAdvisories(answer.advisories, verdict.auth);
  findings.push(...advisoryFindings(answer, verdict.auth, asset, network));
  if (verdict.conflicts.length > 0) {
    findings.push(
      finding(
        SCAN_RULES.versionConflict,
        "low",
        asset,
        verdict.conflicts.map((c) => ({ source: "fingerprint", detail: c })),
      ),
    );
  }
  return {
    advisories: recordAdvisories(answer.advisories),
    advisoryCounts,
    upgradeTo: answer.upgradeTo,
    findings,
    severity: maxSeverity(findings.map((f) => f.severity)),
  };
}
