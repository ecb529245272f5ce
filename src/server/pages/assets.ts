// The searchable asset table. Its whole state is the URL query (the same parameters as
// /api/assets), so a filtered view can be shared as a link; the form is a plain GET form, and
// /static/app.js only submits it as you type.
import { html } from "hono/html";
import { type AdvisoryCounts, COUNT_LABELS } from "../../advisories/counts.ts";
import {
  type AssetPage,
  type AssetQuery,
  AUTH_STATES,
  PRODUCTS,
  SEVERITY_FILTERS,
  STATES,
} from "../queries.ts";
import {
  address,
  assetHref,
  assetsHref,
  authBadge,
  count,
  errorBox,
  type Html,
  layout,
  type PageContext,
  severityBadge,
  shown,
  when,
} from "./layout.ts";

/** An asset's advisory numbers, spelled as everywhere else (src/advisories/counts.ts). */
function advisoryCell(c: AdvisoryCounts): Html {
  return html`<span class="affecting" title="${COUNT_LABELS.affecting}">${count(c.affecting)} ${COUNT_LABELS.affecting}</span>${
    c.preAuth > 0
      ? html` <span class="preauth" title="exploitable over the network before authentication">${count(c.preAuth)} ${COUNT_LABELS.preAuth}</span>`
      : ""
  }${
    c.usableHere > 0
      ? html` <span class="preauth usable" title="usable on this port given its auth state">${count(c.usableHere)} ${COUNT_LABELS.usableHere}</span>`
      : ""
  }${c.possiblyAffecting > 0 ? html` <span class="possibly">${count(c.possiblyAffecting)} ${COUNT_LABELS.possiblyAffecting}</span>` : ""}`;
}

function select(name: string, value: string, options: readonly (readonly [string, string])[]): Html {
  return html`<select name="${name}" id="f-${name}">${options.map(
    ([v, label]) => html`<option value="${v}"${v === value ? html` selected` : ""}>${label}</option>`,
  )}</select>`;
}

const PRODUCT_LABELS: Record<(typeof PRODUCTS)[number], string> = {
  "": "any gateway",
  openclaw: "openclaw",
  clawdbot: "clawdbot",
  moltbot: "moltbot",
  none: "not a gateway",
  all: "every endpoint",
};

function filterForm(q: AssetQuery): Html {
  return html`<form class="filters" id="filters" method="get" action="/assets" role="search">
  <label class="grow">Search <input type="search" name="q" id="q" value="${q.q}" placeholder="address, host, product or version" maxlength="200" autocomplete="off"></label>
  <label>State ${select(
    "state",
    q.state,
    STATES.map((s) => [s, s === "open" ? "live (open)" : s] as const),
  )}</label>
  <label>Product ${select(
    "product",
    q.product,
    PRODUCTS.map((p) => [p, PRODUCT_LABELS[p]] as const),
  )}</label>
  <label>Auth ${select("auth", q.auth, [["", "any"], ...AUTH_STATES.map((a) => [a, a] as const)])}</label>
  <label>Severity ${select(
    "severity",
    q.severity,
    SEVERITY_FILTERS.map((s) => [s, s === "" ? "any" : s] as const),
  )}</label>
  <label>Acknowledged ${select("ack", q.ack, [
    ["", "any"],
    ["no", "not acknowledged"],
    ["yes", "acknowledged"],
  ])}</label>
  <label>Version <input name="version" value="${q.version}" size="12" maxlength="200"></label>
  <label>Advisory <input name="advisory" value="${q.advisory}" size="18" maxlength="200" placeholder="GHSA-… or CVE-…"></label>
  <label>Network <input name="network" value="${q.network}" size="16" maxlength="200" placeholder="10.0.0.0/24"></label>
  <label class="check"><input type="checkbox" name="vulnerable" value="1"${q.vulnerable ? html` checked` : ""}> pre-auth vulnerable only</label>
  <button type="submit">Filter</button>
  <a href="/assets">Reset</a>
</form>`;
}

export function assetsPage(
  ctx: PageContext,
  q: AssetQuery,
  page: AssetPage | null,
  error: string | null,
): Html {
  const rows = page?.rows ?? [];
  const body = html`
<h1>Assets</h1>
${filterForm(q)}
${error ? errorBox(error) : ""}
${
  page
    ? html`<p class="sub" id="result-count">${count(page.total)}${page.countCapped ? "+" : ""} matching asset${page.total === 1 ? "" : "s"}${q.after ? " (a later page)" : ""}</p>`
    : ""
}
<table class="grid" id="assets">
<thead><tr><th>Address</th><th>Host</th><th>Product</th><th>Version</th><th>Auth</th><th>Severity</th><th class="n" title="advisories ${COUNT_LABELS.affecting} this version; ${COUNT_LABELS.preAuth}; ${COUNT_LABELS.usableHere} (docs/advisories.md)">Advisories</th><th>State</th><th>First seen</th><th>Last seen</th><th>Ack</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="11" class="empty">no assets match</td></tr>`
      : rows.map(
          (r) => html`<tr data-asset="${address(r.ip, r.port)}">
<td class="nw"><a href="${assetHref(r.ip, r.port)}">${address(r.ip, r.port)}</a></td>
<td>${shown(r.host, 60)}</td>
<td class="nw">${shown(r.product, 20)}</td>
<td>${shown(r.version, 80)}</td>
<td>${authBadge(r.auth)}</td>
<td>${severityBadge(r.severity)}</td>
<td class="n">${advisoryCell(r.advisoryCounts)}</td>
<td class="nw">${r.state === "open" ? "live" : html`closed ${when(r.closedAt)}`}</td>
<td class="nw">${when(r.firstSeen)}</td>
<td class="nw">${when(r.lastSeen)}</td>
<td>${r.ackedAt ? html`<span class="ack" title="${when(r.ackedAt)}">✓</span>` : ""}</td>
</tr>`,
        )
  }</tbody>
</table>
<nav class="pager">${q.after ? html`<a href="${assetsHref({ ...q, after: "" })}">First page</a>` : ""}${
    page?.next ? html`<a id="next-page" href="${assetsHref({ ...q, after: page.next })}">Next page</a>` : ""
  }</nav>`;
  return layout(ctx, "Assets", "/assets", body);
}
