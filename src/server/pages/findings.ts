// Audit and skills findings the store keeps (from `audit --store`, `skills scan --store` and
// fleet reports): rule, severity, asset, where, the first piece of evidence, first and last seen.
import { html } from "hono/html";
import type { StoredFindingView } from "../fleet-queries.ts";
import { count, type Html, layout, type PageContext, severityBadge, shown } from "./layout.ts";

/** The add form of /suppressions, prefilled with this finding's rule, asset and pin. */
function suppressHref(f: StoredFindingView): string {
  return `/suppressions?${new URLSearchParams({ rule: f.ruleId, path: f.asset, sha256: f.pin })}#add-suppression`;
}

export function findingsPage(
  ctx: PageContext,
  kind: "audit" | "skills" | "",
  rows: StoredFindingView[],
): Html {
  const tab = (k: typeof kind, label: string) =>
    html`<a href="/findings${k ? `?kind=${k}` : ""}"${k === kind ? html` class="active"` : ""}>${label}</a>`;
  const body = html`
<h1>Findings</h1>
<p class="sub">Host audits and skill scans kept in the store, newest first (at most 500). ${tab("", "All")} · ${tab("audit", "Audit")} · ${tab("skills", "Skills")}</p>
<table class="grid" id="findings">
<thead><tr><th>Severity</th><th>Rule</th><th>Title</th><th>Asset</th><th>Where</th><th>Evidence</th><th>First seen</th><th>Last seen</th><th>Suppression</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="9" class="empty">none</td></tr>`
      : rows.map(
          (f) =>
            html`<tr data-rule="${f.ruleId}"${f.suppressedBy ? html` class="suppressed" data-suppressed="1"` : ""}><td>${severityBadge(f.severity)}</td><td class="nw">${shown(f.ruleId, 40)}</td><td>${shown(f.title, 160)}</td><td>${shown(f.asset, 200)}</td><td>${shown(f.where, 200)}</td><td>${shown(f.detail, 300)}</td><td class="nw">${f.firstSeen}</td><td class="nw">${f.lastSeen}</td><td>${
              f.suppressedBy
                ? html`suppressed: ${shown(f.suppressedBy.reason, 200)} (until ${f.suppressedBy.expires})`
                : html`<a class="suppress" href="${suppressHref(f)}">suppress…</a>`
            }</td></tr>`,
        )
  }</tbody></table>
<p class="sub">${count(rows.length)} shown, ${count(rows.filter((f) => f.suppressedBy).length)} of them suppressed (<a href="/suppressions">suppressions</a>).</p>`;
  return layout(ctx, "Findings", "/findings", body);
}
