// The overview: today's numbers, kept apart (live is not ever-seen), the week's changes, the
// exposure picture (pages/exposure.ts: fix-first list, country trend, breakdowns), and the
// daily series as a chart (uPlot, drawn by /static/app.js from /api/series) with a table beside
// it for readers without JavaScript.
import { html } from "hono/html";
import type { Exposure } from "../exposure.ts";
import type { Overview, Series } from "../queries.ts";
import { exposureSections } from "./exposure.ts";
import { assetsHref, count, type Html, layout, type PageContext, percent, when } from "./layout.ts";

function tile(label: string, value: string, note: string, href: string | null, cls = ""): Html {
  const inner = html`<span class="label">${label}</span><span class="value">${value}</span><span class="note">${note}</span>`;
  return href
    ? html`<a class="tile ${cls}" href="${href}">${inner}</a>`
    : html`<div class="tile ${cls}">${inner}</div>`;
}

export function overviewPage(
  ctx: PageContext,
  o: Overview,
  s: Series,
  days: number,
  exposure: Exposure | null = null,
): Html {
  const recent = s.days.map((d, i) => ({
    day: d,
    live: s.live[i]!,
    unauthenticated: s.unauthenticated[i]!,
    vulnerable: s.vulnerable[i]!,
    everSeen: s.everSeen[i]!,
    new: s.new[i]!,
    closed: s.closed[i]!,
  }));
  const body = html`
<h1>Overview</h1>
<p class="sub">${
    o.day === null
      ? "No completed scan yet: run clawpatrol scan --store or clawpatrol import."
      : html`Counts as of the last scan on ${o.day}; last run finished ${when(o.runs.lastFinishedAt)}; ${count(o.runs.complete)} complete runs.`
  }</p>
<section class="tiles" id="tiles">
  ${tile("Live gateways", count(o.live), "seen by the latest scan that covered them", assetsHref({}), "t-live")}
  ${tile(
    "Unauthenticated",
    percent(o.shareUnauthenticated),
    `${count(o.unauthenticated)} of ${count(o.live)} live answer without auth`,
    assetsHref({ auth: "not-required" }),
    "t-unauth",
  )}
  ${tile(
    "Pre-auth vulnerable",
    percent(o.shareVulnerable),
    `${count(o.vulnerable)} of ${count(o.live)} live on a version with a pre-auth advisory`,
    assetsHref({ vulnerable: true }),
    "t-vuln",
  )}
  ${tile("New this week", count(o.week.new), `since ${when(o.week.since)}`, null, "t-new")}
  ${tile(
    "Closed this week",
    count(o.week.closed),
    `${count(o.week.reopened)} re-opened, ${count(o.week.changed)} changed`,
    null,
    "t-closed",
  )}
  ${tile(
    "Ever seen",
    count(o.everSeen),
    "every gateway ever seen, closed ones too: not what is exposed now",
    assetsHref({ state: "all" }),
    "t-ever",
  )}
</section>
${exposure ? exposureSections(exposure) : ""}
<section>
  <h2>Last ${days} days</h2>
  <div id="chart" class="chart" data-series="/api/series?days=${days}" aria-label="gateway counts per day"></div>
  <details${recent.length <= 14 ? html` open` : ""}>
    <summary>The same numbers as a table</summary>
    <table class="grid num" id="series-table">
      <thead><tr><th>Day</th><th>Live</th><th>Unauthenticated</th><th>Vulnerable</th><th>Ever seen</th><th>New</th><th>Closed</th></tr></thead>
      <tbody>${recent
        .slice(-30)
        .reverse()
        .map(
          (r) =>
            html`<tr><td class="day">${r.day}</td><td>${count(r.live)}</td><td>${count(r.unauthenticated)}</td><td>${count(r.vulnerable)}</td><td>${count(r.everSeen)}</td><td>${count(r.new)}</td><td>${count(r.closed)}</td></tr>`,
        )}</tbody>
    </table>
  </details>
</section>`;
  return layout(ctx, "Overview", "/", body);
}
