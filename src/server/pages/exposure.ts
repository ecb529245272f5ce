// The exposure picture on the overview: live vs claimed vs ever seen (endpoints and unique
// addresses), the fix-first list, the country table with its trend, and the breakdowns by auth,
// pre-auth advisory, release family and organisation. Everything is drawn here from the store's
// numbers as HTML tables: no map tiles, fonts or scripts from anywhere but this server.
import { html } from "hono/html";
import type { CountryTrend, Exposure, ExposureCount, WorstAsset } from "../exposure.ts";
import {
  address,
  assetHref,
  assetsHref,
  authBadge,
  count,
  type Html,
  severityBadge,
  shown,
  when,
} from "./layout.ts";

// Country names from the runtime's own ICU data (offline); a stored code that is not two
// letters (an imported record can carry anything) is shown as the text it is.
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

export function countryName(code: string): string {
  if (code === "") return "not placed (private, reserved or unlisted)";
  if (!/^[A-Z]{2}$/.test(code)) return shown(code, 40);
  try {
    const name = regionNames.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

function asName(key: string, name: string | null): string {
  if (key === "") return "AS not known";
  return shown(name ? `AS${key} ${name}` : `AS${key}`, 120);
}

/** A signed change: +3, −2 or 0; "n/a" without a day to compare with. */
function change(c: number | null): Html {
  if (c === null) return html`<span class="trend">n/a</span>`;
  if (c === 0) return html`<span class="trend trend-flat">0</span>`;
  return c > 0
    ? html`<span class="trend trend-up">+${count(c)}</span>`
    : html`<span class="trend trend-down">\u2212${count(-c)}</span>`;
}

function countTable(
  id: string,
  title: string,
  what: string,
  rows: ExposureCount[],
  label: (r: ExposureCount) => string | Html,
): Html {
  return html`<section><h2>${title}</h2>
<table class="grid" id="${id}">
<thead><tr><th>${what}</th><th class="n">Live</th><th class="n">Unauth</th><th class="n">Vulnerable</th><th class="n" title="open, known only from an imported export">Unverified</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="5" class="empty">none</td></tr>`
      : rows.map(
          (r) =>
            html`<tr data-key="${shown(r.key, 80)}"><td class="nw">${label(r)}</td><td class="n">${count(r.live)}</td><td class="n">${count(r.unauthenticated)}</td><td class="n">${count(r.vulnerable)}</td><td class="n">${count(r.unverified)}</td></tr>`,
        )
  }</tbody></table></section>`;
}

function fixFirstTable(rows: WorstAsset[]): Html {
  return html`<section><h2>Fix these first</h2>
<p class="sub">Live gateways that answer without auth <em>and</em> run a version with a pre-auth advisory, newest first; then the rest by severity.</p>
<table class="grid" id="fix-first">
<thead><tr><th>Gateway</th><th>Product</th><th>Version</th><th>Auth</th><th class="n">Pre-auth</th><th>Severity</th><th>Country</th><th>AS</th><th>First seen</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="9" class="empty">no live gateway</td></tr>`
      : rows.map(
          (w) =>
            html`<tr data-asset="${address(w.ip, w.port)}"${w.urgent ? html` class="urgent"` : ""}><td class="nw"><a href="${assetHref(w.ip, w.port)}">${address(w.ip, w.port)}</a></td><td>${shown(w.product, 40)}</td><td>${shown(w.version, 60)}</td><td>${authBadge(w.auth)}</td><td class="n">${count(w.preAuth)}</td><td>${severityBadge(w.severity)}</td><td>${w.country === null ? "-" : shown(w.country, 10)}</td><td class="nw">${w.asn === null ? "-" : asName(String(w.asn), w.asOrg)}</td><td>${when(w.firstSeen)}</td></tr>`,
        )
  }</tbody></table></section>`;
}

function countryTrendTable(c: Exposure["countries"]): Html {
  const since =
    c.day === null
      ? "No completed scan yet."
      : c.previousDay === null
        ? `As of ${c.day}; no day ${c.periodDays} or more days earlier to compare with yet.`
        : `As of ${c.day}, against ${c.previousDay} (at least ${c.periodDays} days before).`;
  return html`<section><h2>By country, with trend</h2>
<p class="sub">${since} Live gateways per country as of each day's last completed scan.</p>
<table class="grid" id="country-trend">
<thead><tr><th>Country</th><th class="n">Live</th><th class="n">Before</th><th class="n">Change</th><th class="n">Unauth</th><th class="n">Vulnerable</th></tr></thead>
<tbody>${
    c.rows.length === 0
      ? html`<tr><td colspan="6" class="empty">none</td></tr>`
      : c.rows.map(
          (r: CountryTrend) =>
            html`<tr data-country="${shown(r.country, 40)}"><td class="nw">${countryName(r.country)}</td><td class="n">${count(r.live)}</td><td class="n">${r.previous === null ? "n/a" : count(r.previous)}</td><td class="n">${change(r.change)}</td><td class="n">${count(r.unauthenticated)}</td><td class="n">${count(r.vulnerable)}</td></tr>`,
        )
  }</tbody></table></section>`;
}

function totalsTable(e: Exposure): Html {
  const t = e.totals;
  return html`<section><h2>Exposure</h2>
<table class="grid num" id="exposure-totals">
<thead><tr><th>Gateways</th><th class="n">Endpoints</th><th class="n">Unique IPs</th></tr></thead>
<tbody>
<tr data-row="live"><td>Live: open, seen by the latest verification that covered them</td><td class="n"><a href="${assetsHref({})}">${count(t.live.endpoints)}</a></td><td class="n">${count(t.live.ips)}</td></tr>
<tr data-row="unverified"><td>Claimed by an imported export, not verified by clawpatrol</td><td class="n">${count(t.unverified.endpoints)}</td><td class="n">${count(t.unverified.ips)}</td></tr>
<tr data-row="ever"><td>Ever seen (closed ones and claims included)</td><td class="n"><a href="${assetsHref({ state: "all" })}">${count(t.everSeen.endpoints)}</a></td><td class="n">${count(t.everSeen.ips)}</td></tr>
<tr data-row="closed"><td>Closed: gone at a later scan</td><td class="n"><a href="${assetsHref({ state: "closed" })}">${count(t.closed)}</a></td><td class="n"></td></tr>
</tbody></table>
<p class="sub" id="records">Records stored: ${count(e.records.verified)} probed by clawpatrol, ${count(e.records.unverified)} imported unverified.</p>
</section>`;
}

/** The exposure sections of the overview. */
export function exposureSections(e: Exposure): Html {
  return html`
<div class="columns">
${totalsTable(e)}
${countryTrendTable(e.countries)}
</div>
${fixFirstTable(e.fixFirst)}
<div class="columns">
${countTable("by-auth", "By auth state", "Auth", e.byAuth, (r) => authBadge(r.key))}
${countTable("by-vulnerable", "By pre-auth advisory", "Pre-auth vulnerable", e.byVulnerable, (r) => (r.key === "yes" ? "yes: a pre-auth advisory applies" : "no"))}
</div>
<div class="columns">
${countTable("by-era", "By release family", "Product and family", e.byEra, (r) => shown(r.key, 80))}
${countTable("top-organisations", "Organisations with the most exposed gateways", "AS", e.topOrganisations, (r) => asName(r.key, r.name))}
</div>`;
}
