// The login form (only when a token is configured) and the plain error page.
import { html } from "hono/html";
import { errorBox, type Html, layout, type PageContext, shown } from "./layout.ts";

export function loginPage(nonce: string, next: string, error: string | null): Html {
  const ctx: PageContext = { csrf: null, canLogout: false };
  return layout(
    ctx,
    "Log in",
    "",
    html`<section class="login">
<h1>Log in</h1>
<p>This dashboard needs the token it was started with (<code>--token</code> or <code>CLAWPATROL_TOKEN</code>).</p>
${error ? errorBox(error) : ""}
<form method="post" action="/login" id="login">
<input type="hidden" name="_csrf" value="${nonce}">
<input type="hidden" name="next" value="${next}">
<label>Token <input type="password" name="token" id="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button>
</form>
</section>`,
  );
}

export function errorPage(ctx: PageContext, title: string, message: string): Html {
  return layout(
    ctx,
    title,
    "",
    html`<h1>${shown(title, 100)}</h1>${errorBox(message)}<p><a href="/">Back to the overview</a></p>`,
  );
}
