// `policy check`: every enabled clause judged against every subject it applies to, with the
// evidence that decided it. A clause that nothing in the results speaks to says so
// (`not checked`), so a pass is never claimed from missing data.

import { CLAUSES, type Clause, type ClauseStatus } from "./clauses.ts";
import type { Policy } from "./schema.ts";
import type { Subject } from "./subjects.ts";

export interface ClauseOutcome {
  clause: string;
  section: string;
  /** pass: judged and kept; fail: broken on some subject; manual: people confirm it; unchecked: no results to judge. */
  status: ClauseStatus | "unchecked";
  rules: string[];
  /** Per subject, the ones judged. */
  subjects: {
    asset: string;
    host: string;
    kind: Subject["kind"];
    status: "pass" | "fail";
    evidence: string[];
  }[];
}

export interface PolicyCheck {
  schema: "clawpatrol.policy-check/1";
  organisation: string;
  policyFile: string;
  checkedAt: string;
  inputs: string[];
  severity: Policy["severity"];
  summary: { pass: number; fail: number; manual: number; unchecked: number };
  clauses: ClauseOutcome[];
}

function judge(c: Clause, s: Subject, p: Policy) {
  if (c.judge) return c.judge(s, p);
  const hits = s.findings.filter((o) => c.rules.includes(o.finding.ruleId));
  return {
    status: hits.length > 0 ? ("fail" as const) : ("pass" as const),
    evidence: hits.map(
      (o) =>
        `${o.finding.ruleId} ${o.finding.title}${o.finding.evidence[0] ? `: ${o.finding.evidence[0].detail}` : ""}`,
    ),
  };
}

/** Which subjects can speak to a rule-based clause: the kinds whose results carry those rules. */
function kindsFor(c: Clause): readonly Subject["kind"][] {
  if (c.subjects) return c.subjects;
  const kinds = new Set<Subject["kind"]>();
  for (const r of c.rules) {
    if (r.startsWith("CP-SCAN-")) kinds.add("gateway");
    if (r.startsWith("CP-AUDIT-")) {
      kinds.add("install");
      kinds.add("host");
    }
    if (r.startsWith("CP-SKILL-")) kinds.add("skill");
  }
  return [...kinds];
}

export function evaluatePolicy(
  p: Policy,
  subjects: readonly Subject[],
  meta: { policyFile: string; inputs: string[]; now?: Date },
): PolicyCheck {
  const clauses: ClauseOutcome[] = [];
  for (const c of CLAUSES) {
    if (!c.enabled(p)) continue;
    const base = { clause: c.id, section: c.section, rules: [...c.rules] };
    if (c.manual) {
      clauses.push({ ...base, status: "manual", subjects: [] });
      continue;
    }
    const kinds = kindsFor(c);
    const judged: ClauseOutcome["subjects"] = [];
    for (const s of subjects) {
      if (!kinds.includes(s.kind)) continue;
      const j = judge(c, s, p);
      if (j) judged.push({ asset: s.asset, host: s.host, kind: s.kind, ...j });
    }
    const status =
      judged.length === 0 ? "unchecked" : judged.some((j) => j.status === "fail") ? "fail" : "pass";
    clauses.push({ ...base, status, subjects: judged });
  }
  const summary = { pass: 0, fail: 0, manual: 0, unchecked: 0 };
  for (const c of clauses) summary[c.status]++;
  return {
    schema: "clawpatrol.policy-check/1",
    organisation: p.organisation,
    policyFile: meta.policyFile,
    checkedAt: (meta.now ?? new Date()).toISOString(),
    inputs: meta.inputs,
    severity: p.severity,
    summary,
    clauses,
  };
}
