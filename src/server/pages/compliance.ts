// Compliance: the policy `serve --policy FILE` was started with, judged against the store now,
// per clause and per asset (gateway, host install, skill) with the evidence that broke it.
import { html } from "hono/html";
import type { PolicyCheck } from "../../policy/evaluate.ts";
import { count, type Html, layout, type PageContext, shown } from "./layout.ts";

const LABEL = { pass: "kept", fail: "broken", manual: "manual", unchecked: "not checked" } as const;

export function compliancePage(ctx: PageContext, check: PolicyCheck | null): Html {
  if (check === null)
    return layout(
      ctx,
      "Compliance",
      "/compliance",
      html`<h1>Compliance</h1><p class="empty">No policy: start <code>clawpatrol serve --policy policy.yml</code> (write one with <code>clawpatrol policy init</code>).</p>`,
    );
  const s = check.summary;
  const body = html`
<h1>Compliance: ${shown(check.organisation, 200)}</h1>
<p class="sub">Policy ${shown(check.policyFile, 200)}, judged against the store at ${check.checkedAt}: ${count(s.fail)} broken, ${count(s.pass)} kept, ${count(s.manual)} manual, ${count(s.unchecked)} not checked.</p>
<table class="grid" id="clauses">
<thead><tr><th>Clause</th><th>Status</th><th class="n">Broken</th><th class="n">Judged</th><th>Rules</th></tr></thead>
<tbody>${check.clauses.map(
    (c) =>
      html`<tr data-clause="${c.clause}" data-status="${c.status}"><td class="nw">${c.clause}</td><td>${LABEL[c.status]}</td><td class="n">${count(c.subjects.filter((x) => x.status === "fail").length)}</td><td class="n">${count(c.subjects.length)}</td><td>${c.rules.join(", ")}</td></tr>`,
  )}</tbody></table>
<h2>Broken, per asset</h2>
<table class="grid" id="broken">
<thead><tr><th>Clause</th><th>Asset</th><th>Evidence</th></tr></thead>
<tbody>${
    s.fail === 0
      ? html`<tr><td colspan="3" class="empty">none</td></tr>`
      : check.clauses.flatMap((c) =>
          c.subjects
            .filter((x) => x.status === "fail")
            .slice(0, 200)
            .map(
              (x) =>
                html`<tr><td class="nw">${c.clause}</td><td>${shown(x.asset, 200)}</td><td>${x.evidence.slice(0, 5).map((e) => html`<div>${shown(e, 300)}</div>`)}</td></tr>`,
            ),
        )
  }</tbody></table>`;
  return layout(ctx, "Compliance", "/compliance", body);
}
