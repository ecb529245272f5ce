// One asset: what it is now, its acknowledgement, the advisories that apply, its history
// (asset events) and the evidence of its newest sighting (findings with their excerpts, TLS,
// version range, confidence). Everything in a stored record came from the target, including
// finding references in an imported file: links are made only from our own paths and from
// http(s) references, never from anything else.
import { html } from "hono/html";
import { COUNT_LABELS } from "../../advisories/counts.ts";
import type { Evidence, Finding } from "../../findings/model.ts";
import type { Observation } from "../../scan/record.ts";
import type { AssetAdvisory, AssetDetail, AssetEvent } from "../queries.ts";
import {
  address,
  assetHref,
  assetsHref,
  authBadge,
  count,
  type Html,
  layout,
  type PageContext,
  productFilter,
  severityBadge,
  shown,
  shownBlock,
  when,
} from "./layout.ts";

const MAX_LISTED = 100;

/** One advisory, once: its id, its aliases beside it (never a chip of their own). */
function advisoryChip(x: AssetAdvisory, cls: string): Html {
  const tip = [
    x.aliases.length > 0 ? `also ${x.aliases.join(", ")}` : "",
    x.usableHere ? COUNT_LABELS.usableHere : "",
    x.certainty === "possibly-affected" ? COUNT_LABELS.possiblyAffecting : "",
  ]
    .filter(Boolean)
    .join("; ");
  return html`<a class="${cls}${x.usableHere ? " usable" : ""}" href="${assetsHref({ advisory: x.id })}" title="${tip}">${shown(x.id, 60)}${
    x.aliases.length > 0 ? html` <span class="alias">${shown(x.aliases.join(", "), 80)}</span>` : ""
  }</a> `;
}

function changeText(field: string, value: unknown): string {
  if (Array.isArray(value) && value.length === 2)
    return `${field}: ${shown(value[0] as string | null, 60)} → ${shown(value[1] as string | null, 60)}`;
  if (value && typeof value === "object") {
    const v = value as { added?: unknown; removed?: unknown };
    const list = (x: unknown) => (Array.isArray(x) ? x.map((s) => shown(String(s), 40)) : []);
    const added = list(v.added);
    const removed = list(v.removed);
    const part = (sign: string, ids: string[]) =>
      ids.length === 0
        ? ""
        : ` ${sign}${ids.length} (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""})`;
    return `${field}:${part("+", added)}${part("−", removed)}`;
  }
  return `${field}: ${shown(JSON.stringify(value), 120)}`;
}

function eventRow(e: AssetEvent): Html {
  const changes = Object.entries(e.changes ?? {}).map(([k, v]) => changeText(k, v));
  return html`<tr class="ev-${e.kind}"><td>${when(e.at)}</td><td><span class="kind kind-${e.kind}">${e.kind}</span></td><td>${shown(e.product, 20)} ${shown(e.version, 40)}</td><td>${authBadge(e.auth)}</td><td>${changes.map((c) => html`<div>${c}</div>`)}</td><td class="mono small">${shown(e.runId, 60)}</td></tr>`;
}

/** A reference becomes a link only when it is an http(s) URL; anything else (javascript:, data:) is text. */
function reference(ref: unknown): Html {
  const text = String(ref);
  let ok = false;
  try {
    const u = new URL(text);
    ok = u.protocol === "https:" || u.protocol === "http:";
  } catch {
    ok = false;
  }
  return ok
    ? html`<li><a href="${text}" rel="noreferrer noopener" target="_blank">${shown(text, 200)}</a></li>`
    : html`<li>${shown(text, 200)}</li>`;
}

function evidenceItem(e: Evidence): Html {
  return html`<li class="evidence">
<div><span class="src">${shown(e.source, 40)}</span> ${shown(e.detail, 400)}${e.location ? html` <span class="loc">@ ${shown(e.location, 200)}</span>` : ""}</div>
${e.excerpt ? html`<pre class="excerpt">${shownBlock(e.excerpt, 4000)}${e.truncated ? html`<span class="trunc"> [truncated by the scanner]</span>` : ""}</pre>` : ""}
</li>`;
}

function findingBlock(f: Finding): Html {
  return html`<article class="finding">
<h4>${severityBadge(f.severity)} <span class="mono">${shown(f.ruleId, 40)}</span> ${shown(f.title, 300)}</h4>
<ul class="evidence-list">${(f.evidence ?? []).slice(0, 50).map(evidenceItem)}</ul>
${f.remediation ? html`<p class="remedy"><b>Fix:</b> ${shown(f.remediation, 1000)}</p>` : ""}
${(f.references ?? []).length > 0 ? html`<ul class="refs">${f.references.slice(0, 20).map(reference)}</ul>` : ""}
</article>`;
}

function tlsBlock(o: Observation): Html {
  const t = o.tls;
  if (!t) return html`<p>No TLS on this endpoint.</p>`;
  const sans = t.subjectAltNames ?? [];
  return html`<table class="kv" id="tls">
<tr><th>Protocol</th><td>${shown(t.protocol, 40)}</td></tr>
<tr><th>Subject</th><td>${shown(t.subject, 500)}</td></tr>
<tr><th>Issuer</th><td>${shown(t.issuer, 500)}</td></tr>
<tr><th>Alt names</th><td>${sans.slice(0, 20).map((s) => html`<span class="chip">${shown(s, 100)}</span> `)}${sans.length > 20 ? `… ${count(sans.length)} in all` : ""}</td></tr>
<tr><th>Valid</th><td>${shown(t.validFrom, 40)} – ${shown(t.validTo, 40)}</td></tr>
<tr><th>SHA-256</th><td class="mono">${shown(t.sha256, 100)}</td></tr>
</table>`;
}

function evidenceSection(o: (Observation & { runId: string }) | null): Html {
  if (!o) return html`<p>No stored sighting with a record.</p>`;
  const range = o.versionRange;
  const conf = o.confidence;
  return html`
<table class="kv" id="verdict">
<tr><th>Seen</th><td>${when(o.scannedAt)} by run <span class="mono">${shown(o.runId, 80)}</span></td></tr>
<tr><th>URL probed</th><td class="mono">${shown(o.url, 300)}</td></tr>
<tr><th>Exposure</th><td>${shown(o.exposure, 20)}${o.remoteLooksLocal ? html` · <b>treats remote clients as local</b>` : ""}</td></tr>
<tr><th>Version range</th><td>${
    range
      ? html`${shown(range.min ?? "(open)", 60)} … ${shown(range.max ?? "(open)", 60)}${
          (range.candidates ?? []).length > 0
            ? html` · candidates: ${range.candidates.slice(0, 20).map((c) => html`<span class="chip">${shown(c, 60)}</span> `)}`
            : ""
        }`
      : "-"
  }</td></tr>
<tr><th>Protocol</th><td>${o.protocol === null || o.protocol === undefined ? "-" : shown(String(o.protocol), 10)}</td></tr>
<tr><th>Confidence</th><td>${
    conf
      ? `product ${shown(String(conf.product), 8)} · version ${shown(String(conf.version), 8)} · auth ${shown(String(conf.auth), 8)} · remote-looks-local ${shown(String(conf.remoteLooksLocal), 8)}`
      : "-"
  }</td></tr>
<tr><th>Conflicts</th><td>${(o.conflicts ?? []).length === 0 ? "none" : html`<ul>${o.conflicts.slice(0, 20).map((c) => html`<li>${shown(c, 400)}</li>`)}</ul>`}</td></tr>
<tr><th>Upgrade to</th><td>${shown(o.upgradeTo, 60)}</td></tr>
${o.error ? html`<tr><th>Error</th><td>${shown(o.error, 400)}</td></tr>` : ""}
</table>
<h3>TLS</h3>
${tlsBlock(o)}
<h3>Fingerprint evidence</h3>
<ul class="evidence-list" id="verdict-evidence">${(o.evidence ?? []).slice(0, 50).map(evidenceItem)}</ul>
<h3>Findings (${count((o.findings ?? []).length)})</h3>
<div id="findings">${(o.findings ?? []).slice(0, 50).map(findingBlock)}</div>`;
}

function ackBlock(ctx: PageContext, d: AssetDetail): Html {
  const action = `${assetHref(d.asset.ip, d.asset.port)}/ack`;
  const csrf = ctx.csrf ? html`<input type="hidden" name="_csrf" value="${ctx.csrf}">` : "";
  if (d.ack) {
    const changedSince = d.events.some((e) => Date.parse(e.at) > Date.parse(d.ack!.ackedAt));
    return html`<section class="ackbox acked" id="ack">
<p>Acknowledged ${when(d.ack.ackedAt)}${d.ack.note ? html`: <q>${shown(d.ack.note, 500)}</q>` : ""}${changedSince ? html` · <b class="warn">changed since acknowledged</b>` : ""}</p>
<form method="post" action="${assetHref(d.asset.ip, d.asset.port)}/unack">${csrf}<button type="submit">Withdraw acknowledgement</button></form>
</section>`;
  }
  return html`<section class="ackbox" id="ack">
<form method="post" action="${action}">${csrf}
<label>Note <input name="note" maxlength="500" size="50" placeholder="e.g. owner told, ticket SEC-123"></label>
<button type="submit">Acknowledge</button>
</form></section>`;
}

export function assetPage(ctx: PageContext, d: AssetDetail): Html {
  const a = d.asset;
  const pre = a.advisories.filter((x) => x.preAuth);
  const others = a.advisories.filter((x) => !x.preAuth);
  const body = html`
<p class="crumbs"><a href="/assets">Assets</a> › ${address(a.ip, a.port)}</p>
<h1 id="asset-title">${address(a.ip, a.port)} ${severityBadge(a.severity)} ${authBadge(a.auth)} <span class="state state-${a.state === "open" ? "open" : "closed"}">${a.state === "open" ? "live" : "closed"}</span></h1>
<table class="kv" id="facts">
<tr><th>Host</th><td>${shown(a.host, 300)}</td></tr>
<tr><th>Product</th><td>${a.product ? html`<a href="${assetsHref({ product: productFilter(a.product) })}">${shown(a.product, 40)}</a>` : "not a gateway"}</td></tr>
<tr><th>Version</th><td>${a.version ? html`<a href="${assetsHref({ version: a.version })}">${shown(a.version, 100)}</a>` : "unknown"}</td></tr>
<tr><th>Remote looks local</th><td>${a.remoteLooksLocal ? "yes: the gateway treats remote clients as local" : "no"}</td></tr>
<tr><th>First seen</th><td>${when(a.firstSeen)}</td></tr>
<tr><th>Last seen</th><td>${when(a.lastSeen)}</td></tr>
${a.closedAt ? html`<tr><th>Closed</th><td>${when(a.closedAt)}</td></tr>` : ""}
<tr><th>Re-opened</th><td>${count(a.reopenCount)} times</td></tr>
</table>
${ackBlock(ctx, d)}
<section id="advisories"><h2>Advisories</h2>
<p id="advisory-counts">${count(a.advisoryCounts.affecting)} ${COUNT_LABELS.affecting}, ${count(a.advisoryCounts.preAuth)} ${COUNT_LABELS.preAuth}, ${count(a.advisoryCounts.usableHere)} ${COUNT_LABELS.usableHere}${
    a.advisoryCounts.possiblyAffecting > 0
      ? `, ${count(a.advisoryCounts.possiblyAffecting)} ${COUNT_LABELS.possiblyAffecting}`
      : ""
  }</p>
<p>${COUNT_LABELS.preAuth[0]!.toUpperCase()}${COUNT_LABELS.preAuth.slice(1)} (exploitable over the network before authentication): ${
    pre.length === 0 ? "none" : pre.slice(0, MAX_LISTED).map((x) => advisoryChip(x, "chip chip-bad"))
  }${pre.length > MAX_LISTED ? ` … and ${count(pre.length - MAX_LISTED)} more` : ""}</p>
${
  others.length > 0
    ? html`<details><summary>${count(others.length)} other advisories</summary><p>${others
        .slice(0, MAX_LISTED)
        .map((x) =>
          advisoryChip(x, "chip"),
        )}${others.length > MAX_LISTED ? ` … and ${count(others.length - MAX_LISTED)} more` : ""}</p></details>`
    : ""
}
</section>
<section><h2>History</h2>
<table class="grid" id="history">
<thead><tr><th>When</th><th>Event</th><th>Product / version</th><th>Auth</th><th>Changes</th><th>Run</th></tr></thead>
<tbody>${d.events.length === 0 ? html`<tr><td colspan="6" class="empty">no events</td></tr>` : d.events.map(eventRow)}</tbody>
</table></section>
<section><h2>Evidence of the newest sighting</h2>
${evidenceSection(d.latest)}
</section>
<section><h2>Sightings</h2>
<table class="grid" id="sightings">
<thead><tr><th>Scanned</th><th>Product</th><th>Version</th><th>Auth</th><th>Severity</th><th>Run</th></tr></thead>
<tbody>${d.sightings.map(
    (s) =>
      html`<tr><td>${when(s.scannedAt)}</td><td>${shown(s.product, 20)}</td><td>${shown(s.version, 40)}</td><td>${authBadge(s.auth)}</td><td>${severityBadge(s.severity)}</td><td class="mono small">${shown(s.runId, 60)}</td></tr>`,
  )}</tbody>
</table></section>`;
  return layout(ctx, address(a.ip, a.port), "/assets", body);
}
