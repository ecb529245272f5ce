// Suppressions kept in the store: the active ones (each with a form to withdraw it, with why),
// a form to add one (prefilled from a finding's "suppress" link on /findings), the append-only
// trail of who added or removed what, when and why, and the export in the ignore-file format.
import { html } from "hono/html";
import type {
  StoredSuppression,
  SuppressionAuditEntry,
  SuppressionInput,
} from "../../findings/stored-suppressions.ts";
import { SUPPRESSION_LIMITS } from "../../findings/stored-suppressions.ts";
import { count, errorBox, type Html, layout, type PageContext, shown } from "./layout.ts";

export interface SuppressionsView {
  active: StoredSuppression[];
  audit: SuppressionAuditEntry[];
  /** What the add form shows (a finding's values, or what was sent when it was refused). */
  draft: Partial<Record<keyof SuppressionInput | "by", string>>;
  error: string | null;
}

export function suppressionsPage(ctx: PageContext, v: SuppressionsView): Html {
  const csrf = ctx.csrf ? html`<input type="hidden" name="_csrf" value="${ctx.csrf}">` : "";
  const d = (k: keyof SuppressionsView["draft"]) => shown(v.draft[k] ?? "", 1000);
  const body = html`
<h1>Suppressions</h1>
<p class="sub">Findings accepted from the dashboard, honoured like <code>.clawpatrol-ignore.yml</code> entries: by this dashboard, <code>policy check --from-store</code>, and scan, audit and skills scan with <code>--store-suppressions</code>. <a href="/api/suppressions/export" id="export">Export as .clawpatrol-ignore.yml</a></p>
${v.error ? errorBox(v.error) : ""}
<h2>Active (${count(v.active.length)})</h2>
<table class="grid" id="suppressions">
<thead><tr><th>Rule</th><th>Asset or path</th><th>Reason</th><th>Owner</th><th>Expires</th><th>Added</th><th></th></tr></thead>
<tbody>${
    v.active.length === 0
      ? html`<tr><td colspan="7" class="empty">none</td></tr>`
      : v.active.map(
          (s) =>
            html`<tr data-id="${s.id}" data-rule="${shown(s.rule, 90)}"><td class="nw">${shown(s.rule, 90)}</td><td>${shown(s.path, SUPPRESSION_LIMITS.path)}</td><td>${shown(s.reason, SUPPRESSION_LIMITS.reason)}</td><td>${shown(s.owner ?? "-", 200)}</td><td class="nw">${s.expires}</td><td>${s.createdAt} by ${shown(s.createdBy, 200)}</td><td><form method="post" action="/suppressions/${s.id}/remove" class="remove">${csrf}<input name="reason" required minlength="3" maxlength="${SUPPRESSION_LIMITS.reason}" placeholder="why remove it"><button type="submit">Remove</button></form></td></tr>`,
        )
  }</tbody></table>
<h2>Add</h2>
<form method="post" action="/suppressions" id="add-suppression" class="stack">${csrf}
<label>Rule <input name="rule" required value="${d("rule")}" placeholder="CP-AUDIT-001" maxlength="90"></label>
<label>Asset or path (a glob) <input name="path" required value="${d("path")}" maxlength="${SUPPRESSION_LIMITS.path}" size="50"></label>
<label>Evidence pin (sha256) <input name="sha256" required value="${d("sha256")}" pattern="[0-9a-fA-F]{64}" size="70"></label>
<label>Reason <input name="reason" required minlength="3" maxlength="${SUPPRESSION_LIMITS.reason}" value="${d("reason")}" size="60"></label>
<label>Owner <input name="owner" maxlength="${SUPPRESSION_LIMITS.owner}" value="${d("owner")}"></label>
<label>Expires <input name="expires" type="date" required value="${d("expires")}"></label>
<label>Your name <input name="by" maxlength="${SUPPRESSION_LIMITS.actor}" value="${d("by")}" placeholder="recorded in the trail"></label>
<button type="submit">Suppress</button>
</form>
<h2>Trail</h2>
<table class="grid" id="suppression-audit">
<thead><tr><th>When</th><th>Who</th><th>Action</th><th>Rule</th><th>Asset or path</th><th>Why</th></tr></thead>
<tbody>${
    v.audit.length === 0
      ? html`<tr><td colspan="6" class="empty">none</td></tr>`
      : v.audit.map(
          (a) =>
            html`<tr data-action="${a.action}" data-id="${a.suppressionId}"><td class="nw">${a.at}</td><td>${shown(a.actor, 200)}</td><td>${a.action === "add" ? "added" : "removed"}</td><td class="nw">${shown(a.rule, 90)}</td><td>${shown(a.path, SUPPRESSION_LIMITS.path)}</td><td>${shown(a.reason, SUPPRESSION_LIMITS.reason)}</td></tr>`,
        )
  }</tbody></table>`;
  return layout(ctx, "Suppressions", "/suppressions", body);
}
