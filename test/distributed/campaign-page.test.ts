// The dashboard's campaign view, in process (Hono's app.request) on a PGlite store whose
// campaign rows are written as workers write them: /api/campaigns carries the same status as
// `campaign status --json`, /campaigns shows it, a hostile campaign or worker name is text.
// Without pg-boss's tables (a store no worker has used, or PGlite), queued/active/failed are 0.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CampaignStatus, campaignStatuses } from "../../src/distributed/campaigns.ts";
import { createDashboard } from "../../src/server/app.ts";
import { type Listening, listen } from "../../src/server/listen.ts";
import { percentDone } from "../../src/server/pages/campaigns.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { sql } from "../../src/store/drizzle.ts";
import { describeLive } from "../support/live.ts";

const HOST = "127.0.0.1:8417";
const work = mkdtempSync(join(tmpdir(), "clawpatrol-campaign-page-"));
const HOSTILE = `<img src=x onerror="window.__pwned=1">\x1b[31m`;
const CHROMIUM = "/usr/bin/chromium";

/** A store with two campaigns written as workers write them (one running, one done, hostile names). */
async function campaignStore(dir: string): Promise<Store> {
  const store = await openStore({ dataDir: dir });
  const spec = JSON.stringify({ targets: ["127.0.0.0/16"], ports: [18789] });
  const now = Date.now();
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  await store.db.execute(sql`
      INSERT INTO campaigns (id, name, run_id, queue, state, spec, shard_total, endpoint_total, created_at, started_at, finished_at)
      VALUES ('c1', 'lan-sweep', 'r1', 'q1', 'running', ${spec}::jsonb, 16, 65536, ${at(600)}, ${at(30)}, NULL),
             ('c2', ${HOSTILE}, 'r2', 'q2', 'done', ${spec}::jsonb, 2, 8192, ${at(7200)}, ${at(7100)}, ${at(7000)})`);
  await store.db.execute(sql`
      INSERT INTO campaign_shards (campaign_id, shard, worker, endpoints, records, gateways, attempt, done_at)
      VALUES ('c1', 0, 'w-a', 4096, 3, 2, 1, ${at(20)}), ('c1', 1, 'w-b', 4096, 1, 1, 1, ${at(10)}),
             ('c1', 2, 'w-a', 4096, 0, 0, 2, ${at(5)}),
             ('c2', 0, ${HOSTILE}, 4096, 0, 0, 1, ${at(7050)}), ('c2', 1, ${HOSTILE}, 4096, 5, 4, 1, ${at(7010)})`);
  await store.db.execute(sql`
      INSERT INTO campaign_workers (campaign_id, name, host, pid, shards_done, last_heartbeat)
      VALUES ('c1', 'w-a', 'ns-a', 101, 2, ${at(2)}), ('c1', 'w-b', 'ns-b', 102, 1, ${at(3)}),
             ('c2', ${HOSTILE}, 'ns-c', 103, 2, ${at(7000)})`);
  return store;
}

describe("dashboard campaign view", () => {
  let store: Store;
  let app: ReturnType<typeof createDashboard>["app"];

  beforeAll(async () => {
    store = await campaignStore(join(work, "db"));
    app = createDashboard({ db: store.db, token: null }).app;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("serves every campaign's status as JSON, newest first, counted from its shards", async () => {
    const res = await app.request("/api/campaigns", { headers: { host: HOST } });
    expect(res.status).toBe(200);
    const { campaigns } = (await res.json()) as { campaigns: CampaignStatus[] };
    expect(campaigns.map((c) => c.name)).toEqual(["lan-sweep", HOSTILE]);
    const lan = campaigns[0]!;
    expect(lan).toMatchObject({
      state: "running",
      shards: { total: 16, done: 3, queued: 0, active: 0, failed: 0 },
      endpoints: { total: 65536, done: 12288 },
      gateways: 3,
    });
    // 12,288 endpoints done within the last 30 s of its run: a rate, and an ETA from it.
    expect(lan.rate).toBeCloseTo(12288 / 30, -1);
    expect(lan.etaSeconds).toBeGreaterThan(0);
    expect(lan.workers.map((w) => [w.name, w.host, w.shardsDone])).toEqual([
      ["w-a", "ns-a", 2],
      ["w-b", "ns-b", 1],
    ]);
    // The same numbers the CLI's `campaign status` reads.
    // (rate and ETA move with the clock between the two reads, so they are left out here).
    const stable = (list: CampaignStatus[]) =>
      list.map(({ rate: _r, etaSeconds: _e, ...rest }) => JSON.parse(JSON.stringify(rest)));
    expect(stable(await campaignStatuses(store.db))).toEqual(stable(campaigns));
    expect(campaigns[1]).toMatchObject({ state: "done", rate: 0, etaSeconds: 0, gateways: 4 });
  });

  it("shows the campaigns on /campaigns with progress, rate, ETA and workers, in the nav", async () => {
    const res = await app.request("/campaigns", { headers: { host: HOST } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<a href="/campaigns" class="active">Campaigns</a>');
    const row = page.slice(page.indexOf('data-campaign="lan-sweep"'));
    const first = row.slice(0, row.indexOf("</tr></tbody></table></td></tr>"));
    expect(first).toContain("running");
    expect(first).toContain('<progress max="100" value="18.7">');
    expect(first).toContain("3 / 16");
    expect(first).toContain("12,288 / 65,536");
    expect(first).toMatch(/<td class="nw">\d+m\d\ds<\/td>|<td class="nw">\d+s<\/td>/);
    expect(first).toContain("ns-a");
    // A hostile name is escaped text with its escape byte made visible, never markup.
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;img src=x onerror=");
    expect(page).toContain("\\x1b[31m");
    expect(page).not.toContain("\x1b");
    // Every other page links to it.
    const overview = await (await app.request("/breakdowns", { headers: { host: HOST } })).text();
    expect(overview).toContain('<a href="/campaigns">Campaigns</a>');
  });

  it("rounds progress down, so 100% means every endpoint", () => {
    const s = { endpoints: { total: 3, done: 2 } } as CampaignStatus;
    expect(percentDone(s)).toBe(66.6);
    expect(percentDone({ endpoints: { total: 1000, done: 999 } } as CampaignStatus)).toBe(99.9);
    expect(percentDone({ endpoints: { total: 0, done: 0 } } as CampaignStatus)).toBe(100);
  });
});

describeLive(
  "dashboard campaign view in real Chromium",
  existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`,
  () => {
    let store: Store;
    let server: Listening;
    let browser: Browser;

    beforeAll(async () => {
      store = await campaignStore(join(work, "db-browser"));
      server = await listen({ db: store.db, token: null, host: "127.0.0.1", port: 0 });
      const { chromium } = await import("playwright-core");
      // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await store?.close();
    });

    it("reaches the campaigns from the nav and shows their progress as text, nothing run", async () => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      await context.addInitScript({
        content: `window.__csp = [];
          document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));`,
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("dialog", (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await page.goto(new URL("/breakdowns", server.url).toString());
      await page.getByRole("link", { name: "Campaigns" }).click();
      await page.waitForURL(/\/campaigns$/);
      const rows = page.locator("#campaigns > tbody > tr");
      expect(await rows.count()).toBe(2);
      // biome-ignore lint/performance/useDomNodeTextContent: innerText is what the analyst sees.
      const first = await rows.nth(0).innerText();
      expect(first).toContain("lan-sweep");
      expect(first).toContain("running");
      expect(first).toContain("18.7%");
      expect(first).toContain("12,288 / 65,536");
      expect(first).toContain("ns-b");
      expect(await page.locator("#campaigns progress").first().getAttribute("value")).toBe("18.7");
      // biome-ignore lint/performance/useDomNodeTextContent: innerText is what the analyst sees.
      const second = await rows.nth(1).innerText();
      expect(second).toContain('<img src=x onerror="window.__pwned=1">\\x1b[31m');
      expect(second).toContain("done");
      const state = (await page.evaluate("({ pwned: window.__pwned, csp: window.__csp })")) as {
        pwned: unknown;
        csp: string[];
      };
      expect(state.pwned).toBeUndefined();
      expect(state.csp).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }, 90_000);
  },
);
