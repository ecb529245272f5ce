// Skill-level correlation (chains) and the verdict. The verdict is explainable by rule:
//   malicious  — at least one active finding that is critical with high confidence;
//   suspicious — otherwise, at least one active finding of high severity or more, or of medium
//                severity with at least medium confidence (a medium finding of low confidence is
//                reported for review but is not enough on its own: on real benign skills such
//                findings were vendor installers, service units and API keys, see docs/skills.md);
//   clean      — otherwise (only low/info findings, or none).
// Suppressed findings never count. The findings that decided it are listed.
import { severityRank } from "../findings/model.ts";
import type { SkillContext } from "./context.ts";
import type { SkillFinding, Verdict } from "./types.ts";

const CRED_RULES = new Set([
  "CP-SKILL-CRED-001",
  "CP-SKILL-CRED-002",
  "CP-SKILL-CRED-003",
  "CP-SKILL-CRED-004",
  "CP-SKILL-EXEC-006",
  "CP-SKILL-EXFIL-006",
]);
const EXFIL_STRONG = new Set([
  "CP-SKILL-EXFIL-002",
  "CP-SKILL-EXFIL-003",
  "CP-SKILL-EXFIL-004",
  "CP-SKILL-EXFIL-007",
  "CP-SKILL-CODE-004",
  "CP-SKILL-CODE-005",
  "CP-SKILL-IOC-001",
]);
const EXFIL_WEAK = new Set(["CP-SKILL-EXFIL-001", "CP-SKILL-EXFIL-005"]);
const HIDING = new Set([
  "CP-SKILL-UNI-001",
  "CP-SKILL-UNI-002",
  "CP-SKILL-UNI-004",
  "CP-SKILL-PAD-001",
  "CP-SKILL-OBF-002",
  "CP-SKILL-LURE-005",
  // Overriding the agent's instructions is deception of the same kind when an act follows it.
  "CP-SKILL-LURE-004",
]);
const HARMFUL_CATEGORIES = new Set([
  "exec",
  "exfil",
  "credential",
  "persistence",
  "lure",
  "evasion",
  "agent",
  "code",
]);

const atLeast = (f: SkillFinding, s: SkillFinding["severity"]) => severityRank(f.severity) >= severityRank(s);
const conf = (f: SkillFinding) => (f.confidence === "high" ? 2 : f.confidence === "medium" ? 1 : 0);

export function where(f: SkillFinding): string {
  const e = f.evidence[0];
  return e?.location ?? e?.path ?? f.asset;
}

const PROSE_PATH = /\.(?:md|markdown|mdx|txt|rst)$/i;

/**
 * Can a credential finding and a sending finding be one act? In code, anywhere in the skill (one
 * file may collect and another send). In prose, only close together in the same file: a write-up
 * that mentions ~/.ssh in one section and webhook.site in another describes, it does not instruct.
 */
function related(a: SkillFinding, b: SkillFinding): boolean {
  const ea = a.evidence[0];
  const eb = b.evidence[0];
  const prose = PROSE_PATH.test(ea?.path ?? "") || PROSE_PATH.test(eb?.path ?? "");
  if (!prose) return true;
  return !!ea?.path && ea.path === eb?.path && Math.abs((ea.line ?? 0) - (eb?.line ?? 0)) <= 15;
}

/** Add chain findings that only the combination of several findings justifies. */
export function addChains(ctx: SkillContext): void {
  const active = ctx.findings.filter((f) => !f.suppressed);
  const creds = active.filter((f) => CRED_RULES.has(f.ruleId) && atLeast(f, "low"));
  const credStrong = creds.filter((f) => atLeast(f, "medium") && conf(f) >= 1);
  // Tunnels (ngrok & co.) are mostly inbound webhook callbacks: not an exfil signal here.
  const isTunnel = (f: SkillFinding) => f.ruleId === "CP-SKILL-EXFIL-002" && !atLeast(f, "high");
  const exfilStrong = active.filter(
    (f) => EXFIL_STRONG.has(f.ruleId) && !isTunnel(f) && atLeast(f, "medium") && conf(f) >= 1,
  );
  const exfilWeak = active.filter((f) => EXFIL_WEAK.has(f.ruleId) && atLeast(f, "low"));
  let credHit: SkillFinding | undefined;
  let exfilHit: SkillFinding | undefined;
  const pair = (cs: SkillFinding[], es: SkillFinding[]) => {
    for (const c of cs) {
      const e = es.find((x) => related(c, x));
      if (e) return [c, e] as const;
    }
    return null;
  };
  const found =
    pair(credStrong, exfilStrong) ?? pair(credStrong, exfilWeak) ?? pair(creds, exfilStrong) ?? null;
  if (found) [credHit, exfilHit] = found;
  if (credHit && exfilHit && !active.some((f) => f.ruleId === "CP-SKILL-CHAIN-001")) {
    const e = credHit.evidence[0]!;
    ctx.add(
      "CP-SKILL-CHAIN-001",
      { display: e.path ?? credHit.asset, line: e.line, column: e.column },
      `${credHit.sha256}+${exfilHit.sha256}`,
      {
        detail: `${credHit.ruleId} (${where(credHit)}) + ${exfilHit.ruleId} (${where(exfilHit)})`,
        excerpt: `${e.excerpt ?? ""} … ${exfilHit.evidence[0]?.excerpt ?? ""}`,
      },
    );
  }
  const hiding = active.filter(
    (f) =>
      HIDING.has(f.ruleId) &&
      atLeast(f, "medium") &&
      ((f.ruleId !== "CP-SKILL-LURE-005" && f.ruleId !== "CP-SKILL-LURE-004") || conf(f) >= 1),
  );
  // Concealed execution is harmful at any medium grade: a vendor installer is not hidden with
  // zero-width characters.
  const harmful = active.filter(
    (f) =>
      HARMFUL_CATEGORIES.has(f.category) &&
      // An override is both: deceptive next to an act, and the act next to concealment.
      (!HIDING.has(f.ruleId) || f.ruleId === "CP-SKILL-LURE-004") &&
      ((atLeast(f, "high") && conf(f) >= 1) || (f.category === "exec" && atLeast(f, "medium"))),
  );
  // The concealment and the harmful act must be in the same file: padding before the act,
  // other tricks within a few lines of it.
  const near = (h: SkillFinding, x: SkillFinding) => {
    const a = h.evidence[0];
    const b = x.evidence[0];
    if (!a?.path || a.path !== b?.path) return false;
    const la = a.line ?? 0;
    const lb = b.line ?? 0;
    return h.ruleId === "CP-SKILL-PAD-001" ? lb >= la : Math.abs(la - lb) <= 12;
  };
  for (const h of hiding) {
    const act = harmful.find((x) => x.ruleId !== h.ruleId && near(h, x));
    if (!act || active.some((f) => f.ruleId === "CP-SKILL-CHAIN-003")) continue;
    const e = h.evidence[0]!;
    ctx.add(
      "CP-SKILL-CHAIN-003",
      { display: e.path ?? h.asset, line: e.line, column: e.column },
      `${h.sha256}+${act.sha256}`,
      {
        detail: `${h.ruleId} (${where(h)}) hides or conceals, and ${act.ruleId} (${where(act)}) acts`,
        excerpt: `${e.excerpt ?? ""} … ${act.evidence[0]?.excerpt ?? ""}`,
      },
    );
    break;
  }
}

export function decideVerdict(findings: readonly SkillFinding[]): { verdict: Verdict; decidedBy: string[] } {
  const active = findings.filter((f) => !f.suppressed);
  const malicious = active.filter((f) => f.severity === "critical" && f.confidence === "high");
  if (malicious.length > 0)
    return { verdict: "malicious", decidedBy: malicious.map((f) => `${f.ruleId} @ ${where(f)}`) };
  const suspicious = active.filter((f) => atLeast(f, "high") || (atLeast(f, "medium") && conf(f) >= 1));
  if (suspicious.length > 0)
    return { verdict: "suspicious", decidedBy: suspicious.map((f) => `${f.ruleId} @ ${where(f)}`) };
  return { verdict: "clean", decidedBy: [] };
}
