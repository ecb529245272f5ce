// The dashboard in real Chromium (Debian's /usr/bin/chromium driven by playwright-core), served
// over HTTP on 127.0.0.1 from a store built like real scans build it, plus the observations of a
// real scan of the hostile harness (test/hostile: gateways whose banners, build ids and TLS
// subjects carry HTML, script and terminal escapes) and records crafted with more of the same.
// Pages must render the real numbers, the chart must draw, filters and drill-down links must put
// their state in the URL and shrink the table to the right rows, and no hostile value may run:
// window.__pwned stays undefined, no dialog opens, no CSP violation or console error happens,
// and the literal text is what the analyst sees.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { probeOpenClaw } from "../../src/fingerprints/openclaw/probe.ts";
import { DEFAULT_LIMITS } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { type Listening, listen } from "../../src/server/listen.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { startHarness } from "../hostile/harness.ts";
import { describeLive } from "../support/live.ts";
import { buildStore, type Expected, fixtureNow, model, PWN } from "./fixture.ts";

const CHROMIUM = "/usr/bin/chromium";

/** The text a user sees (rendered, CSS applied). */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is what the analyst sees, which is the point.
const visible = (l: Locator) => l.innerText();
const TOKEN = "browser-test-token-0123456789";
/** Per test: several page loads each, on 2 cores shared with the other suites in CI. */
const STEP = 90_000;
/** Hostile harness behaviours whose records the dashboard must show as text. */
const HOSTILE = ["html-js", "escape-banners", "tls-hostile-cert"];

describeLive(
  "dashboard in real Chromium",
  existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`,
  () => {
    const work = mkdtempSync(join(tmpdir(), "clawpatrol-serve-browser-"));
    const NOW = fixtureNow();
    let store: Store;
    let server: Listening;
    let secured: Listening;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let expected: Expected;
    /** The real harness observations, by behaviour name. */
    const harnessed = new Map<string, Observation>();
    const problems: string[] = [];
    const dialogs: string[] = [];

    beforeAll(async () => {
      const harness = await startHarness({ only: HOSTILE });
      try {
        const limits = { ...DEFAULT_LIMITS, exchangeTimeoutMs: 2000, connectTimeoutMs: 2000 };
        for (const e of harness.endpoints) {
          const t = await probeOpenClaw(
            {
              host: e.ip,
              ip: e.ip,
              family: 4,
              port: e.port,
              tls: null,
              basePath: "",
              hostHeader: `${e.ip}:${e.port}`,
              servername: null,
            },
            { limits, beforeConnect: async () => {} },
            true,
          );
          harnessed.set(e.behaviour.name, {
            ...observe(t, NO_ADVISORIES),
            scannedAt: new Date(NOW - 40 * 60_000).toISOString(),
          });
        }
      } finally {
        await harness.close();
      }
      const extra = [...harnessed.values()];
      expected = model(extra);
      store = await openStore({ dataDir: join(work, "db") });
      await buildStore(store.db, NOW, extra);
      const now = () => new Date(NOW);
      server = await listen({ db: store.db, token: null, host: "127.0.0.1", port: 0, now });
      secured = await listen({ db: store.db, token: TOKEN, host: "127.0.0.1", port: 0, now });
      const { chromium } = await import("playwright-core");
      // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      // Before any page script (and outside the page's CSP): record CSP violations. Dialogs
      // (alert, confirm) are caught by the page's "dialog" event below.
      await context.addInitScript({
        content: `window.__csp = [];
          document.addEventListener("securitypolicyviolation", (e) =>
            window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
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
      await secured?.close();
      await store?.close();
      rmSync(work, { recursive: true, force: true });
    });

    const url = (path: string, base = server) => new URL(path, base.url).toString();

    /** Nothing ran, nothing was blocked, nothing complained. */
    async function expectClean(where: string): Promise<void> {
      const state = (await page.evaluate("({ pwned: window.__pwned, csp: window.__csp ?? [] })")) as {
        pwned: unknown;
        csp: string[];
      };
      expect(state.pwned, `${where}: window.__pwned`).toBeUndefined();
      expect(state.csp, `${where}: CSP violations`).toEqual([]);
      expect(dialogs, `${where}: dialogs`).toEqual([]);
      expect(problems, `${where}: console`).toEqual([]);
    }

    const rowCount = () => page.locator("#assets tbody tr[data-asset]").count();

    it(
      "the overview shows the store's numbers and draws the chart",
      async () => {
        await page.goto(url("/"));
        const tile = (cls: string) => visible(page.locator(`.tile.${cls} .value`));
        expect(await tile("t-live")).toBe(String(expected.live));
        expect(await tile("t-ever")).toBe(String(expected.everSeen));
        expect(await tile("t-new")).toBe(String(expected.week.new));
        expect(await tile("t-closed")).toBe(String(expected.week.closed));
        expect(await tile("t-unauth")).toBe(
          `${Math.round((100 * expected.unauthenticated) / expected.live)}%`,
        );
        await page.waitForSelector("#chart[data-ready]");
        expect(await page.getAttribute("#chart", "data-ready")).toBe("1");
        const canvas = page.locator("#chart canvas");
        expect(await canvas.count()).toBe(1);
        const box = await canvas.boundingBox();
        expect(box!.width).toBeGreaterThan(300);
        expect(box!.height).toBeGreaterThan(100);
        const legend = await visible(page.locator("#chart .u-legend"));
        for (const label of ["Live", "Unauthenticated", "Pre-auth vulnerable", "Ever seen"])
          expect(legend).toContain(label);
        // The series table below the chart carries the same days.
        expect(await page.locator("#series-table tbody tr").count()).toBe(10);
        await expectClean("overview");
      },
      STEP,
    );

    it(
      "a tile is a drill-down link: its filter lands in the URL and the table shrinks to it",
      async () => {
        await page.goto(url("/"));
        await page.click(".tile.t-unauth");
        await page.waitForURL(/\/assets\?auth=not-required$/);
        expect(await visible(page.locator("#result-count"))).toBe(
          `${expected.unauthenticated} matching assets`,
        );
        const auths = await page.locator("#assets tbody tr[data-asset] td:nth-child(5)").allInnerTexts();
        expect(auths.length).toBe(Math.min(50, expected.unauthenticated));
        expect(new Set(auths)).toEqual(new Set(["not-required"]));
        expect(await page.inputValue("#f-auth")).toBe("not-required");
        await expectClean("tile drill-down");
      },
      STEP,
    );

    it(
      "typing into the search filters the table and the URL carries the search",
      async () => {
        await page.goto(url("/assets"));
        expect(await rowCount()).toBe(50);
        await page.locator("#q").pressSequentially("10.66.0", { delay: 30 });
        await page.waitForURL((u) => u.searchParams.get("q") === "10.66.0");
        // Empty fields stay out of a shared link.
        expect(new URL(page.url()).search).toBe("?q=10.66.0&state=open");
        expect(await rowCount()).toBe(3);
        expect(
          await page
            .locator("#assets tbody tr[data-asset]")
            .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-asset"))),
        ).toEqual(["10.66.0.1:18789", "10.66.0.2:18789", "10.66.0.3:18789"]);
        // The link works on its own (shared): a fresh page shows the same rows.
        const shared = await context.newPage();
        await shared.goto(page.url());
        expect(await shared.locator("#assets tbody tr[data-asset]").count()).toBe(3);
        await shared.close();
        // A select filters at once.
        await page.selectOption("#f-state", "all");
        await page.waitForURL((u) => u.searchParams.get("state") === "all");
        expect(await rowCount()).toBe(3);
        await expectClean("search");
      },
      STEP,
    );

    it(
      "breakdown rows drill down into the asset table",
      async () => {
        await page.goto(url("/breakdowns"));
        await page.click('#by-network a:text-is("10.66.0.0/24")');
        await page.waitForURL(/\/assets\?network=10\.66\.0\.0%2F24$/);
        expect(await rowCount()).toBe(3);
        await page.goto(url("/breakdowns"));
        const v = page
          .locator("#by-version tbody tr", { hasText: "2026.9.6" })
          .filter({ hasText: "openclaw" })
          .first();
        await v.locator("a").click();
        await page.waitForURL(/\/assets\?product=openclaw&version=2026\.9\.6$/);
        expect(await visible(page.locator("#result-count"))).toBe(
          `${expected.versions.get("openclaw 2026.9.6")} matching assets`,
        );
        const versions = await page.locator("#assets tbody tr[data-asset] td:nth-child(4)").allInnerTexts();
        expect(new Set(versions)).toEqual(new Set(["2026.9.6"]));
        await page.goto(url("/breakdowns"));
        await page.click('#by-preauth a:text-is("GHSA-test-0001-0001")');
        await page.waitForURL(/advisory=GHSA-test-0001-0001$/);
        expect(await visible(page.locator("#result-count"))).toBe(`${expected.vulnerable} matching assets`);
        await expectClean("breakdowns");
      },
      STEP,
    );

    it(
      "hostile records render as their literal text and run nothing",
      async () => {
        await page.goto(url("/assets/10.66.0.1/18789"));
        const text = await visible(page.locator("main"));
        for (const literal of [
          PWN.script,
          PWN.img,
          PWN.svg,
          PWN.jsUrl,
          "\\x1b]0;owned-title\\x07",
          `Gateway answers without auth ${PWN.img}`,
          "BIG-STARTAAAA",
        ])
          expect(text, literal).toContain(literal);
        expect(text).not.toContain("BIG-END");
        // References: only the https one is a link; javascript: and data: are text.
        const hrefs = await page.locator("main a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
        expect(hrefs.filter((h) => !h!.startsWith("/"))).toEqual(["https://docs.example.test/auth"]);
        await expectClean("crafted asset page");
        for (const path of [
          "/assets/10.66.0.2/18789",
          "/assets/10.66.0.3/18789",
          "/assets?q=10.66&state=all",
          "/breakdowns",
          "/",
        ]) {
          await page.goto(url(path));
          await page.waitForLoadState("networkidle");
          await expectClean(path);
        }
      },
      STEP,
    );

    it(
      "records of the real hostile harness render as text and run nothing",
      async () => {
        const htmlJs = harnessed.get("html-js")!;
        await page.goto(
          url(`/assets?q=${htmlJs.ip.slice(0, htmlJs.ip.lastIndexOf("."))}&product=all&state=all`),
        );
        expect(await rowCount()).toBe(HOSTILE.length);
        for (const name of HOSTILE) {
          const o = harnessed.get(name)!;
          await page.goto(url(`/assets/${o.ip}/${o.port}`));
          await page.waitForLoadState("networkidle");
          const text = await visible(page.locator("main"));
          expect(text, name).toContain(`${o.ip}:${o.port}`);
          if (name === "html-js")
            expect(text).toContain("answered our connect frame: <iframe src=javascript:alert(6)>");
          if (name === "escape-banners") expect(text).toContain("\\x1b]0;owned-title\\x07");
          if (name === "tls-hostile-cert") expect(text).toMatch(/Subject\s+CN=\\x1b]0;pwned\\x07/);
          await expectClean(`harness ${name}`);
        }
      },
      STEP,
    );

    it(
      "acknowledging through the form works in a real browser (session, CSRF token, same-origin POST)",
      async () => {
        await page.goto(url("/assets/10.0.0.0/18794"));
        await page.fill('#ack input[name="note"]', `owner told ${PWN.script}`);
        await page.click('#ack button[type="submit"]');
        await page.waitForSelector("#ack.acked");
        expect(await visible(page.locator("#ack"))).toContain(`owner told ${PWN.script}`);
        await page.goto(url("/assets?ack=yes"));
        expect(await rowCount()).toBe(1);
        await page.goto(url("/assets/10.0.0.0/18794"));
        await page.click('#ack button:text-is("Withdraw acknowledgement")');
        await page.waitForSelector('#ack input[name="note"]');
        await expectClean("acknowledge");
      },
      STEP,
    );

    it(
      "with a token: the login form, a session, and logout",
      async () => {
        await page.goto(url("/assets?q=10.66", secured));
        await page.waitForURL(/\/login\?next=/);
        await page.fill("#token", "wrong-token-0123456789");
        await page.click('#login button[type="submit"]');
        expect(await visible(page.locator(".error"))).toContain("Wrong token");
        problems.length = 0; // the browser logs the 401 of the failed login itself
        await page.fill("#token", TOKEN);
        await page.click('#login button[type="submit"]');
        await page.waitForURL((u) => u.pathname === "/assets" && u.searchParams.get("q") === "10.66");
        expect(await rowCount()).toBe(3);
        const cookies = await context.cookies(secured.url);
        const session = cookies.find((c) => c.name === "cp_session")!;
        expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
        await page.goto(url("/", secured));
        await page.waitForSelector("#chart[data-ready]");
        expect(await page.getAttribute("#chart", "data-ready")).toBe("1"); // the chart's fetch carries the session
        await page.click('form.logout button[type="submit"]');
        await page.waitForURL(/\/login$/);
        await page.goto(url("/", secured));
        await page.waitForURL(/\/login\?next=%2F$/);
        await expectClean("login");
      },
      STEP,
    );
  },
);
