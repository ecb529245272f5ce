// The overview's exposure picture in real Chromium (Debian's /usr/bin/chromium, playwright-core),
// served on 127.0.0.1 from the exposure test store plus a gateway whose AS organisation, country
// code, host and version carry HTML, script and terminal control bytes (an imported clawpatrol
// record can carry anything). The page must show the store's numbers (recomputed from the plan),
// put the hostile gateway first in the fix-first list as literal text, run nothing of it, and
// make no request to anyone but itself: every request the page makes is recorded and must stay
// on the server's origin (no map tiles, fonts or scripts from elsewhere).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import { type Listening, listen } from "../../src/server/listen.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { describeLive } from "../support/live.ts";
import { build, live, NOW, plan, record, seenThen } from "./exposure-fixture.ts";
import { PWN } from "./fixture.ts";

const CHROMIUM = "/usr/bin/chromium";
/** The text a user sees (rendered, CSS applied). */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is what the analyst sees, which is the point.
const visible = (l: Locator) => l.innerText();
const STEP = 90_000;
const CONTROL = "\u0007\u001b[2J\u001b]0;owned\u0007\u009b1m\u202e";
const HOSTILE_ORG = `Evil ${PWN.img} Hosting${CONTROL}`;
const HOSTILE_COUNTRY = `${PWN.script}${CONTROL}`;

/** An unauthenticated, vulnerable gateway whose place and names are hostile, seen after today's scan. */
function hostile(): Observation {
  const p = { ...plan[0]!, ip: "10.9.2.1", port: 18789 };
  return {
    ...record(p, new Date(NOW + 30 * 60_000).toISOString()),
    host: `gw${PWN.svg}${CONTROL}.evil.test`,
    version: `2026.3.13${PWN.script}`,
    country: HOSTILE_COUNTRY,
    asn: 64512,
    asOrg: HOSTILE_ORG,
  };
}

describeLive(
  "exposure overview in real Chromium",
  existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`,
  () => {
    const work = mkdtempSync(join(tmpdir(), "clawpatrol-exposure-browser-"));
    let store: Store;
    let server: Listening;
    let browser: Browser;
    let page: Page;
    const requests: string[] = [];
    const problems: string[] = [];
    const dialogs: string[] = [];

    beforeAll(async () => {
      store = await openStore({ dataDir: join(work, "db") });
      await build(store);
      await beginRun(store.db, {
        id: "hostile",
        kind: "scan",
        startedAt: new Date(NOW + 29 * 60_000).toISOString(),
      });
      const w = new RunWriter(store.db, "hostile", 10);
      await w.add(hostile());
      await w.finish(new Date(NOW + 31 * 60_000).toISOString());
      server = await listen({
        db: store.db,
        token: null,
        host: "127.0.0.1",
        port: 0,
        now: () => new Date(NOW + 3_600_000 * 2),
      });
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      await context.addInitScript({
        content: `window.__csp = [];
          document.addEventListener("securitypolicyviolation", (e) =>
            window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
      });
      // Every request the page makes, whatever answers it; anything off the origin is also refused.
      await context.route("**/*", (route) => {
        const url = route.request().url();
        requests.push(url);
        return new URL(url).origin === new URL(server.url).origin ? route.continue() : route.abort();
      });
      page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await store?.close();
      rmSync(work, { recursive: true, force: true });
    });

    const text = (selector: string) => visible(page.locator(selector));

    it(
      "shows the exposure numbers, the fix-first list and the country trend, with no request off the origin",
      async () => {
        await page.goto(new URL("/", server.url).toString());
        await page.waitForSelector("#chart[data-ready]");
        const liveNow = live.length + 1;
        const cells = async (row: string) =>
          page.locator(`#exposure-totals tr[data-row="${row}"] td.n`).allInnerTexts();
        expect((await cells("live"))[0]).toBe(String(liveNow));
        expect((await cells("live"))[1]).toBe(String(new Set([...live.map((p) => p.ip), "10.9.2.1"]).size));
        expect((await cells("unverified"))[0]).toBe("4");
        // The hostile gateway is new, unauthenticated and vulnerable: first to fix.
        const first = page.locator("#fix-first tbody tr").first();
        expect(await first.getAttribute("data-asset")).toBe("10.9.2.1:18789");
        expect(await first.getAttribute("class")).toBe("urgent");
        const firstText = await visible(first);
        expect(firstText).toContain(`AS64512 Evil ${PWN.img} Hosting`);
        expect(firstText).toContain(PWN.script);
        // Control bytes never reach the page.
        const html = await page.content();
        for (const c of ["\u0007", "\u001b", "\u009b", "\u202e"]) expect(html).not.toContain(c);
        expect(await page.locator("#fix-first tbody tr").count()).toBe(20);
        // Country trend: Germany now against eight days ago.
        const de = page.locator('#country-trend tr[data-country="DE"] td');
        const deNow = live.filter((p) => p.place.country === "DE").length;
        const deThen = plan.filter((p) => seenThen(p) && p.place.country === "DE").length;
        expect(await visible(de.nth(0))).toBe("Germany (DE)");
        expect(await visible(de.nth(1))).toBe(String(deNow));
        expect(await visible(de.nth(2))).toBe(String(deThen));
        const delta = deNow - deThen;
        expect(await visible(de.nth(3))).toBe(
          delta === 0 ? "0" : delta > 0 ? `+${delta}` : `\u2212${-delta}`,
        );
        // The hostile country code is shown as text, a row of its own, new since then.
        expect(await text("#country-trend")).toContain("<script>window.__pwned=1</script>");
        // The organisation top list names the hostile AS literally.
        expect(await text("#top-organisations")).toContain(`AS64512 Evil ${PWN.img} Hosting`);
        // Nothing ran, nothing was blocked, nothing complained.
        const state = (await page.evaluate("({ pwned: window.__pwned, csp: window.__csp ?? [] })")) as {
          pwned: unknown;
          csp: string[];
        };
        expect(state.pwned).toBeUndefined();
        expect(state.csp).toEqual([]);
        expect(dialogs).toEqual([]);
        expect(problems).toEqual([]);
        // The page loaded its own stylesheet, script and series, and nothing from anyone else.
        const origin = new URL(server.url).origin;
        expect(requests.length).toBeGreaterThanOrEqual(3);
        expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
        expect(requests.some((u) => u.includes("/api/series"))).toBe(true);
      },
      STEP,
    );

    it(
      "serves the same numbers as JSON at /api/exposure",
      async () => {
        const r = await page.request.get(new URL("/api/exposure?limit=5&period=7", server.url).toString());
        expect(r.status()).toBe(200);
        const e = await r.json();
        expect(e.totals.live.endpoints).toBe(live.length + 1);
        expect(e.fixFirst).toHaveLength(5);
        expect(e.fixFirst[0]).toMatchObject({ ip: "10.9.2.1", asOrg: HOSTILE_ORG, country: HOSTILE_COUNTRY });
        const bad = await page.request.get(new URL("/api/exposure?period=0", server.url).toString());
        expect(bad.status()).toBe(400);
      },
      STEP,
    );
  },
);
