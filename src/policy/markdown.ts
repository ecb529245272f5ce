// The readable agentic-AI usage policy, generated from the policy file: one section per area,
// each rule in plain words, and under it which clawpatrol rules or facts check it. People read
// this; CI runs the YAML. Both come from the same file, so they cannot drift apart.
import { CLAUSES, type Clause, rulesInWords } from "./clauses.ts";
import type { Policy } from "./schema.ts";

/** Markdown-safe text from the policy file: no markup, no HTML, one line. */
function md(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/([\\`*_{}[\]()#+!|<>~])/g, "\\$1");
}

function checkedBy(c: Clause): string {
  if (c.manual) return `Confirmed by people; clawpatrol lists it as a manual check (clause \`${c.id}\`).`;
  const parts: string[] = [];
  if (c.rules.length > 0)
    parts.push(
      `the findings of rule${c.rules.length === 1 ? "" : "s"} ${rulesInWords(c).replace(/\*/g, "\\*")}`,
    );
  if (c.facts) parts.push(c.facts);
  return `Checked by clawpatrol (\`policy check\`, clause \`${c.id}\`) from ${parts.join(", and ")}.`;
}

export function usagePolicyMarkdown(p: Policy, policyFile: string): string {
  const out: string[] = [];
  out.push(`# Agentic-AI usage policy: ${md(p.organisation)}`, "");
  out.push(
    `This policy covers AI agent gateways (OpenClaw and its earlier names Clawdbot and Moltbot), the skills and plugins they load, and the hosts they run on.${p.owner ? ` It is owned by ${md(p.owner)}.` : ""} It is generated from \`${md(policyFile)}\`; change that file, not this page, and run \`clawpatrol policy init\` again.`,
    "",
  );
  let section = "";
  let n = 0;
  for (const c of CLAUSES) {
    if (!c.enabled(p)) continue;
    if (c.section !== section) {
      section = c.section;
      out.push(`## ${section}`, "");
    }
    n++;
    out.push(`${n}. ${c.words(p, md)}`, `   *${checkedBy(c)}*`, "");
  }
  if (n === 0) out.push("This policy has no clauses yet.", "");
  out.push(
    "## Breaking this policy",
    "",
    `A broken clause is a finding of severity ${p.severity}. \`clawpatrol policy check\` lists every broken clause with the gateway, install or skill and the evidence, and exits 1, so a CI job or a scheduled check fails until it is fixed or an exception is recorded (\`.clawpatrol-ignore.yml\`: rule, asset, reason, owner, expiry).`,
    "",
  );
  return out.join("\n");
}
