// The fleet: every host with a report token, when it last reported (and those that stopped or
// never did), its installs and versions and its findings from the latest audit it sent.
import { html } from "hono/html";
import type { FleetHostView } from "../fleet-queries.ts";
import { STALE_HOURS } from "../fleet-queries.ts";
import { count, type Html, layout, type PageContext, severityBadge, shown } from "./layout.ts";

const STATE_TEXT: Record<FleetHostView["state"], string> = {
  reporting: "reporting",
  stopped: `stopped reporting (over ${STALE_HOURS} h)`,
  never: "never reported",
  revoked: "token revoked",
};
const SEVERITIES = ["critical", "high", "medium", "low"];

/** broken, kept, unjudged (nothing of this host was judged), or none (serve has no --policy). */
function policyState(h: FleetHostView): string {
  if (!h.policy) return "none";
  if (h.policy.broken.length > 0) return "broken";
  return h.policy.judged > 0 ? "kept" : "unjudged";
}

function policyText(h: FleetHostView): Html | string {
  if (!h.policy) return "-";
  if (h.policy.broken.length > 0)
    return html`<a href="/compliance">${count(h.policy.broken.length)} of ${count(h.policy.judged)} clause(s) broken</a>: ${h.policy.broken.join(", ")}`;
  return h.policy.judged > 0 ? `${count(h.policy.judged)} clause(s) kept` : "not judged";
}

export function fleetPage(ctx: PageContext, hosts: FleetHostView[]): Html {
  const stopped = hosts.filter((h) => h.state === "stopped" || h.state === "never").length;
  const body = html`
<h1>Fleet</h1>
<p class="sub">${count(hosts.length)} host(s) with a report token; ${count(stopped)} stopped or never reported. Hosts report with <code>clawpatrol audit --report-to</code>.</p>
<table class="grid" id="fleet-hosts">
<thead><tr><th>Host</th><th>State</th><th>Last report</th><th class="n">Reports</th><th>Installs</th><th>Findings (latest audit)</th><th>Policy</th></tr></thead>
<tbody>${
    hosts.length === 0
      ? html`<tr><td colspan="7" class="empty">no hosts yet: <code>clawpatrol fleet token create HOST</code></td></tr>`
      : hosts.map(
          (h) =>
            html`<tr data-host="${shown(h.host, 128)}" data-state="${h.state}"><td class="nw">${shown(h.host, 128)}</td><td>${STATE_TEXT[h.state]}</td><td class="nw">${h.lastReportAt ?? "-"}</td><td class="n">${count(h.reports)}</td><td>${
              h.installs.length === 0
                ? "-"
                : h.installs.map(
                    (i) =>
                      html`<div class="install">${shown(i.product, 40)} ${shown(i.version ?? "version unknown", 60)} <span class="alias">${shown(i.config, 160)}</span></div>`,
                  )
            }</td><td>${SEVERITIES.filter((s) => (h.findings[s] ?? 0) > 0).map(
              (s) => html`${severityBadge(s)} ${count(h.findings[s]!)} `,
            )}</td><td class="policy" data-policy="${policyState(h)}">${policyText(h)}</td></tr>`,
        )
  }</tbody></table>`;
  return layout(ctx, "Fleet", "/fleet", body);
}
