// Distributed campaigns and their progress (src/distributed/): state, shards, endpoints, the
// rate and ETA, and each worker's last heartbeat. The same numbers as `campaign status --json`.
import { html } from "hono/html";
import type { CampaignStatus } from "../../distributed/campaigns.ts";
import { count, type Html, layout, type PageContext, shown } from "./layout.ts";

function eta(s: CampaignStatus): string {
  if (s.state === "done") return "done";
  if (s.state === "cancelled") return "-";
  if (s.etaSeconds === null) return "unknown";
  const t = s.etaSeconds;
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}m`;
}

/** Per cent of endpoints done, one decimal (100 only when every endpoint is). */
export function percentDone(s: CampaignStatus): number {
  if (s.endpoints.total === 0) return 100;
  return Math.floor((1000 * s.endpoints.done) / s.endpoints.total) / 10;
}

function workers(s: CampaignStatus): Html {
  if (s.workers.length === 0) return html`<span class="empty">none yet</span>`;
  return html`<table class="grid workers">
<thead><tr><th>Worker</th><th>Host</th><th class="n">Shards</th><th>Last heartbeat</th></tr></thead>
<tbody>${s.workers.map(
    (w) =>
      html`<tr><td class="nw">${shown(w.name, 60)}</td><td class="nw">${shown(w.host, 60)}</td><td class="n">${count(w.shardsDone)}</td><td class="nw">${w.lastHeartbeat}</td></tr>`,
  )}</tbody></table>`;
}

export function campaignsPage(ctx: PageContext, list: CampaignStatus[]): Html {
  const body = html`
<h1>Campaigns</h1>
<p class="sub">Distributed scans: shards of a scope taken by any number of workers (<code>clawpatrol campaign</code>, <code>clawpatrol worker</code>). Newest first.</p>
<table class="grid" id="campaigns">
<thead><tr><th>Campaign</th><th>State</th><th class="n">Done</th><th class="n">Shards done / total</th><th class="n">Queued</th><th class="n">Active</th><th class="n">Failed</th><th class="n">Endpoints done / total</th><th class="n">Gateways</th><th class="n">Rate /s</th><th>ETA</th><th>Workers</th></tr></thead>
<tbody>${
    list.length === 0
      ? html`<tr><td colspan="12" class="empty">no campaigns</td></tr>`
      : list.map(
          (s) =>
            html`<tr data-campaign="${shown(s.name, 80)}"><td class="nw">${shown(s.name, 80)}</td><td class="nw state-${s.state}">${s.state}</td><td class="n"><progress max="100" value="${percentDone(s)}">${percentDone(s)}%</progress> ${percentDone(s)}%</td><td class="n">${count(s.shards.done)} / ${count(s.shards.total)}</td><td class="n">${count(s.shards.queued)}</td><td class="n">${count(s.shards.active)}</td><td class="n">${count(s.shards.failed)}</td><td class="n">${count(s.endpoints.done)} / ${count(s.endpoints.total)}</td><td class="n">${count(s.gateways)}</td><td class="n">${s.rate}</td><td class="nw">${eta(s)}</td><td>${workers(s)}</td></tr>`,
        )
  }</tbody></table>`;
  return layout(ctx, "Campaigns", "/campaigns", body);
}
