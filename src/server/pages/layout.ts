// The page frame (header, nav, footer) and the small helpers every page uses. Pages are built
// with hono/html's `html` tagged template, which HTML-escapes every interpolated string, so a
// value from a target can only ever become text. `shown` also makes control and escape bytes
// visible (\x1b...) and caps the length, so what an analyst sees is what the target sent.
// No inline script or style anywhere: the CSP forbids both; /static/app.js and /static/style.css do it.
import { html } from "hono/html";
import { capText, escapeForTerminal, escapeOneLine } from "../../util/text.ts";
import { type AssetQuery, queryString } from "../queries.ts";

export type Html = ReturnType<typeof html>;

export interface PageContext {
  /** The CSRF token of this browser's session (for POST forms), or null. */
  csrf: string | null;
  /** Show a logout button (a token is configured and this is a session). */
  canLogout: boolean;
}

const NAV = [
  ["/", "Overview"],
  ["/assets", "Assets"],
  ["/breakdowns", "Breakdowns"],
  ["/campaigns", "Campaigns"],
  ["/findings", "Findings"],
  ["/suppressions", "Suppressions"],
  ["/fleet", "Fleet"],
  ["/compliance", "Compliance"],
] as const;

export function layout(ctx: PageContext, title: string, active: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · clawpatrol</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/uPlot.min.css">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/uPlot.iife.min.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">clawpatrol</a>
  <nav>${NAV.map(([href, label]) => html`<a href="${href}"${href === active ? html` class="active"` : ""}>${label}</a>`)}</nav>
  ${
    ctx.canLogout && ctx.csrf
      ? html`<form class="logout" method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Log out</button></form>`
      : ""
  }
</header>
<main>
${body}
</main>
<footer>clawpatrol dashboard · every value from a scanned target is shown as text, control bytes made visible</footer>
</body>
</html>`;
}

/** Untrusted text for display: control/escape bytes visible, at most `max` characters (marked when cut). */
export function shown(value: string | null | undefined, max = 200): string {
  if (value === null || value === undefined) return "-";
  return escapeOneLine(capText(String(value), max).text);
}

/** Like `shown` but keeps line breaks (for <pre> evidence excerpts). */
export function shownBlock(value: string | null | undefined, max = 4000): string {
  if (value === null || value === undefined) return "";
  return escapeForTerminal(capText(String(value), max).text);
}

export const address = (ip: string, port: number) => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

export const assetHref = (ip: string, port: number) =>
  `/assets/${encodeURIComponent(ip)}/${encodeURIComponent(String(port))}`;

export const assetsHref = (q: Partial<AssetQuery>) => `/assets${queryString(q)}`;

/** A stored product name as an asset-table filter ("" for a name the filter does not know). */
export function productFilter(product: string | null): AssetQuery["product"] {
  const known = ["openclaw", "clawdbot", "moltbot"];
  return product !== null && known.includes(product) ? (product as AssetQuery["product"]) : "";
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;
}

/** An instant as `2026-10-01 12:00Z` (UTC, minutes). */
export function when(value: string | null): string {
  return value === null ? "-" : `${value.slice(0, 10)} ${value.slice(11, 16)}Z`;
}

export const count = (n: number) => n.toLocaleString("en-US");

/** A severity badge; unknown values are shown as text in a neutral badge. */
export function severityBadge(severity: string | null): Html {
  if (severity === null) return html`<span class="sev sev-none">-</span>`;
  const known = ["info", "low", "medium", "high", "critical"].includes(severity);
  return html`<span class="sev ${known ? `sev-${severity}` : "sev-none"}">${shown(severity, 20)}</span>`;
}

export function authBadge(auth: string): Html {
  const cls = auth === "not-required" ? "auth-open" : auth === "required" ? "auth-ok" : "auth-unknown";
  return html`<span class="auth ${cls}">${shown(auth, 20)}</span>`;
}

export function errorBox(message: string): Html {
  return html`<p class="error" role="alert">${shown(message, 300)}</p>`;
}
