// Live gateways broken down by version, advisory and network; every row drills down into the
// asset table with that filter in the URL.
import { html } from "hono/html";
import { COUNT_LABELS } from "../../advisories/counts.ts";
import type { AdvisoryCount, Breakdowns, PlaceCount } from "../queries.ts";
import { assetsHref, count, type Html, layout, type PageContext, productFilter, shown } from "./layout.ts";

const cap = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

function advisoryTable(id: string, title: string, rows: AdvisoryCount[]): Html {
  return html`<section><h2>${title}</h2>
<table class="grid" id="${id}">
<thead><tr><th>Advisory</th><th class="n">Live</th><th class="n">Unauthenticated</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="3" class="empty">none</td></tr>`
      : rows.map(
          (r) =>
            html`<tr><td><a href="${assetsHref({ advisory: r.advisory })}">${shown(r.advisory, 80)}</a>${
              r.aliases.length > 0
                ? html` <span class="alias">${shown(r.aliases.join(", "), 120)}</span>`
                : ""
            }</td><td class="n">${count(r.live)}</td><td class="n">${count(r.unauthenticated)}</td></tr>`,
        )
  }</tbody></table></section>`;
}

function placeTable(id: string, title: string, what: string, rows: PlaceCount[]): Html {
  return html`<section><h2>${title}</h2>
<table class="grid" id="${id}">
<thead><tr><th>${what}</th><th class="n">Live</th><th class="n">Unauth</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="3" class="empty">none placed (records from scan --from and import carry a place)</td></tr>`
      : rows.map(
          (r) =>
            html`<tr><td class="nw">${shown(r.name ? `AS${r.key} ${r.name}` : r.key, 120)}</td><td class="n">${count(r.live)}</td><td class="n">${count(r.unauthenticated)}</td></tr>`,
        )
  }</tbody></table></section>`;
}

/** Drill-down to one version (a product the filter does not know is left out of the link). */
function versionHref(product: string, version: string | null): string {
  return assetsHref({ product: productFilter(product), version: version ?? "" });
}

export function breakdownsPage(ctx: PageContext, b: Breakdowns): Html {
  const body = html`
<h1>Breakdowns</h1>
<p class="sub">Live gateways only (state open). Follow a row to the assets it counts.</p>
<div class="columns">
<section><h2>By version</h2>
<table class="grid" id="by-version">
<thead><tr><th>Product</th><th>Version</th><th class="n">Live</th><th class="n">Unauth</th><th class="n">Vulnerable</th><th class="n" title="advisories ${COUNT_LABELS.affecting} this version">${cap(COUNT_LABELS.affecting)}</th><th class="n" title="of those, exploitable over the network before authentication">${cap(COUNT_LABELS.preAuth)}</th></tr></thead>
<tbody>${
    b.versions.length === 0
      ? html`<tr><td colspan="7" class="empty">none</td></tr>`
      : b.versions.map(
          (v) =>
            html`<tr><td class="nw">${shown(v.product, 40)}</td><td><a href="${versionHref(v.product, v.version)}">${shown(v.version ?? "unknown", 80)}</a></td><td class="n">${count(v.live)}</td><td class="n">${count(v.unauthenticated)}</td><td class="n">${count(v.vulnerable)}</td><td class="n">${count(v.affecting)}</td><td class="n">${count(v.preAuth)}</td></tr>`,
        )
  }</tbody></table></section>
<section><h2>By network</h2>
<table class="grid" id="by-network">
<thead><tr><th>Network</th><th class="n">Live</th><th class="n">Unauth</th><th class="n">Vulnerable</th></tr></thead>
<tbody>${
    b.networks.length === 0
      ? html`<tr><td colspan="4" class="empty">none</td></tr>`
      : b.networks.map(
          (n) =>
            html`<tr><td><a href="${assetsHref({ network: n.network })}">${n.network}</a></td><td class="n">${count(n.live)}</td><td class="n">${count(n.unauthenticated)}</td><td class="n">${count(n.vulnerable)}</td></tr>`,
        )
  }</tbody></table></section>
</div>
<div class="columns">
${advisoryTable("by-preauth", `By ${COUNT_LABELS.preAuth} advisory (what makes a gateway vulnerable)`, b.preauthAdvisories)}
${advisoryTable("by-advisory", `By advisory ${COUNT_LABELS.affecting} it`, b.advisories)}
</div>
<div class="columns">
${placeTable("by-country", "By country", "Country", b.countries)}
${placeTable("by-organisation", "By AS organisation", "AS", b.organisations)}
</div>`;
  return layout(ctx, "Breakdowns", "/breakdowns", body);
}
