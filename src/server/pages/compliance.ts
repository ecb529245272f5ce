// Compliance: the policy `serve --policy FILE` was started with, judged against the store now,
// per clause and per asset (gateway, host install, skill) with the evidence that broke it; and
// over time, per clause, network and host, from the evaluations `policy check --from-store` kept.
import { html } from "hono/html";
import type { PolicyCheck } from "../../policy/evaluate.ts";
import type { ComplianceTrend, TrendStatus } from "../../policy/history.ts";
import { count, type Html, layout, type PageContext, shown } from "./layout.ts";

const LABEL = { pass: "kept", fail: "broken", manual: "manual", unchecked: "not checked" } as const;

const FILL = { pass: "#2e7d32", fail: "#c62828", none: "#c8c8c8" } as const;

/** One square per kept evaluation, oldest left: green kept, red broken, grey not judged (inline SVG, no script). */
function sparkline(statuses: TrendStatus[], checks: ComplianceTrend["checks"]): Html {
  const w = 9;
  return html`<svg class="spark" width="${Math.max(1, statuses.length * w)}" height="12" viewBox="0 0 ${Math.max(1, statuses.length * w)} 12" role="img" aria-label="${statuses.map((x) => x ?? "-").join(" ")}">${statuses.map(
    (x, i) =>
      html`<rect x="${i * w}" y="1" width="7" height="10" fill="${x === null ? FILL.none : FILL[x]}"><title>${checks[i]?.checkedAt ?? ""}: ${x === "pass" ? "kept" : x === "fail" ? "broken" : "not judged"}</title></rect>`,
  )}</svg>`;
}

const last = (xs: TrendStatus[]) => [...xs].reverse().find((x) => x !== null) ?? null;

/** Per clause, per network and per host, kept or broken at each `policy check --from-store`. */
function trendSection(t: ComplianceTrend): Html {
  if (t.checks.length === 0)
    return html`<h2>Over time</h2><p class="empty" id="trend-empty">No evaluations kept yet: each <code>clawpatrol policy check --policy FILE --from-store</code> (cron, CI) adds one.</p>`;
  const first = t.checks[0]!.checkedAt;
  const latest = t.checks[t.checks.length - 1]!.checkedAt;
  return html`<h2>Over time</h2>
<p class="sub">The last ${count(t.checks.length)} evaluation(s) kept by <code>policy check --from-store</code>, ${first} to ${latest}; one square each, oldest first: green kept, red broken, grey not judged.</p>
<table class="grid" id="trend-networks">
<thead><tr><th>Clause</th><th>Network</th><th>Now</th><th>Trend</th></tr></thead>
<tbody>${t.networks.map(
    (n) =>
      html`<tr data-clause="${n.clause}" data-network="${shown(n.network, 100)}" data-statuses="${n.statuses.map((x) => x ?? "-").join(",")}"><td class="nw">${n.clause}</td><td class="nw">${shown(n.network, 100)}</td><td>${LABEL_TREND[last(n.statuses) ?? "none"]}</td><td>${sparkline(n.statuses, t.checks)}</td></tr>`,
  )}</tbody></table>
<h3>Per host</h3>
<table class="grid" id="trend-hosts">
<thead><tr><th>Clause</th><th>Host</th><th>Network</th><th>Now</th><th>Trend</th></tr></thead>
<tbody>${t.hosts.map(
    (h) =>
      html`<tr data-clause="${h.clause}" data-host="${shown(h.host, 200)}" data-statuses="${h.statuses.map((x) => x ?? "-").join(",")}"><td class="nw">${h.clause}</td><td>${shown(h.host, 200)}</td><td class="nw">${shown(h.network, 100)}</td><td>${LABEL_TREND[last(h.statuses) ?? "none"]}</td><td>${sparkline(h.statuses, t.checks)}</td></tr>`,
  )}</tbody></table>`;
}

const LABEL_TREND = { pass: "kept", fail: "broken", none: "not judged" } as const;

export function compliancePage(ctx: PageContext, check: PolicyCheck | null, trend: ComplianceTrend): Html {
  if (check === null)
    return layout(
      ctx,
      "Compliance",
      "/compliance",
      html`<h1>Compliance</h1><p class="empty">No policy: start <code>clawpatrol serve --policy policy.yml</code> (write one with <code>clawpatrol policy init</code>).</p>${trendSection(trend)}`,
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
  }</tbody></table>
${trendSection(trend)}`;
  return layout(ctx, "Compliance", "/compliance", body);
}
