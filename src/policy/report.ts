// `policy check` output: a readable summary (text), the check itself (JSON,
// clawpatrol.policy-check/1), and SARIF with one result per broken clause per subject.
import type { Finding, Severity } from "../findings/model.ts";
import { toSarif } from "../findings/sarif.ts";
import { escapeOneLine } from "../util/text.ts";
import { CLAUSES } from "./clauses.ts";
import type { PolicyCheck } from "./evaluate.ts";
import type { Policy } from "./schema.ts";

const MARK = { pass: "PASS", fail: "FAIL", manual: "MANUAL", unchecked: "NOT CHECKED" } as const;

/** The broken clauses as findings (rule id `CP-POLICY:<clause>`), for SARIF and --fail-on. */
export function policyFindings(check: PolicyCheck, p: Policy): Finding[] {
  const out: Finding[] = [];
  for (const c of check.clauses) {
    const clause = CLAUSES.find((x) => x.id === c.clause)!;
    for (const s of c.subjects)
      if (s.status === "fail")
        out.push({
          ruleId: `CP-POLICY:${c.clause}`,
          severity: check.severity as Severity,
          title: `Policy clause ${c.clause} is broken`,
          asset: s.asset,
          evidence: s.evidence.map((e) => ({ source: "policy", detail: e, location: check.policyFile })),
          remediation: clause.words(p),
          references: [],
        });
  }
  return out;
}

export function renderCheckText(check: PolicyCheck): string {
  const s = check.summary;
  const lines = [
    `${escapeOneLine(check.organisation)} policy (${escapeOneLine(check.policyFile)}): ${s.fail} broken, ${s.pass} kept, ${s.manual} manual, ${s.unchecked} not checked`,
    "",
  ];
  for (const c of check.clauses) {
    const failed = c.subjects.filter((x) => x.status === "fail");
    const rules = c.rules.length ? `  [${c.rules.join(", ")}]` : "";
    const count =
      c.status === "manual"
        ? "confirmed by people"
        : c.status === "unchecked"
          ? "nothing in the results speaks to it"
          : `${failed.length} of ${c.subjects.length} broken`;
    lines.push(`${MARK[c.status].padEnd(11)} ${c.clause}: ${count}${rules}`);
    for (const f of failed.slice(0, 50)) {
      lines.push(`    ${escapeOneLine(f.asset)}`);
      for (const e of f.evidence.slice(0, 5)) lines.push(`      ${escapeOneLine(e).slice(0, 300)}`);
    }
    if (failed.length > 50) lines.push(`    (${failed.length - 50} more; --json lists all)`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderCheckSarif(
  check: PolicyCheck,
  p: Policy,
  tool: { name: string; version: string },
): string {
  return `${JSON.stringify(toSarif(policyFindings(check, p), tool), null, 2)}\n`;
}
