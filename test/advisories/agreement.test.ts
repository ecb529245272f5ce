// One version, one set of advisory numbers on every surface (issue 14, item 6). For every zoo
// build, the numbers `advisories check` gives are what a scan of the recorded gateways says
// (record and text), what the audit of a real zoo config says, what the inventory (JSON and
// text) and the dashboard (API and pages) say after the scan is imported into a PGlite store,
// and what a monitor alert for the new asset says. Each surface is read as a user reads it:
// the CLI's JSON and text, the dashboard's JSON and HTML; no surface is asked through the
// counting module itself.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchAdvisories } from "../../src/advisories/match.ts";
import { runAudit } from "../../src/audit/run.ts";
import { probeOpenClaw } from "../../src/fingerprints/openclaw/probe.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { assetContexts, eventsOfRun } from "../../src/monitor/alert-log.ts";
import { alertForEvent } from "../../src/monitor/alerts.ts";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { scanAdvisor } from "../../src/scan/advise.ts";
import { observe } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { recordLine } from "../../src/scan/record-json.ts";
import { tableRow } from "../../src/scan/render.ts";
import { createDashboard } from "../../src/server/app.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { listRuns } from "../../src/store/query.ts";
import { runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { type Vantage, ZOO, ZOO_EXTRA, type ZooExpectation } from "../support/zoo.ts";

interface Counts {
  affecting: number;
  possiblyAffecting: number;
  preAuth: number;
  usableHere: number;
}

/** What `advisories check --json` says about one build. */
interface Checked {
  advisoryCounts: { affecting: number; possiblyAffecting: number; preAuth: number };
  usableHereByAuth: { required: number; notRequired: number };
  affected: { id: string; aliases: string[] }[];
}

const home = mkdtempSync(join(tmpdir(), "clawpatrol-agree-"));
const env = { CLAWPATROL_HOME: home, DATABASE_URL: "" };
afterAll(() => rmSync(home, { recursive: true, force: true }));

const builds = [
  ...new Map([...ZOO, ...ZOO_EXTRA].map((z) => [`${z.product}@${z.version}`, z] as const)).values(),
];
const cases: { vantage: Vantage; z: ZooExpectation }[] = [];
for (const z of [...ZOO, ...ZOO_EXTRA]) {
  cases.push({ vantage: "local", z });
  if (z.remote) cases.push({ vantage: "remote", z });
}

const checked = new Map<string, Checked>();
const scanned: { vantage: Vantage; z: ZooExpectation; o: Observation }[] = [];
const servers: ReplayServer[] = [];

/** The numbers a gateway of this build should show, given the auth state seen on it. */
function expectedFor(z: { product: string; version: string }, auth: string): Counts {
  const c = checked.get(`${z.product}@${z.version}`)!;
  return {
    ...c.advisoryCounts,
    usableHere: auth === "not-required" ? c.usableHereByAuth.notRequired : c.usableHereByAuth.required,
  };
}

/** "216 affecting, 54 pre-auth, 12 usable here" → numbers (the one text form). */
function parseCountsText(text: string): Counts | null {
  const m = /(\d+) affecting, (\d+) pre-auth, (\d+) usable here(?:, (\d+) possibly affecting)?/.exec(text);
  if (!m) return null;
  return {
    affecting: Number(m[1]),
    preAuth: Number(m[2]),
    usableHere: Number(m[3]),
    possiblyAffecting: Number(m[4] ?? 0),
  };
}

beforeAll(async () => {
  for (const b of builds) {
    const r = await runClawpatrol(["advisories", "check", `${b.product}@${b.version}`, "--json"], { env });
    // 1 is "affected at or above the --fail-on threshold": not what this test is about.
    expect([0, 1], r.stderr).toContain(r.code);
    checked.set(`${b.product}@${b.version}`, JSON.parse(r.stdout) as Checked);
  }
  // The scan: every recorded zoo transcript replayed over real sockets and probed as a scan does.
  for (const { vantage, z } of cases) {
    const recorded = transcriptFromJson(
      readFileSync(new URL(`../fixtures/zoo/${vantage}/${z.name}.json`, import.meta.url), "utf8"),
    );
    const server = await startReplayServer(recorded);
    servers.push(server);
    const t = await probeOpenClaw(
      { ...recorded.endpoint, ip: server.host, port: server.port },
      { limits: limitsForTimeout(3000), beforeConnect: async () => {} },
      recorded.viaLoopback,
    );
    scanned.push({ vantage, z, o: observe(t, scanAdvisor()) });
  }
  await Promise.all(servers.map((s) => s.close()));
}, 120_000);

describe("the advisory numbers agree on every surface, for every zoo build", () => {
  it("advisories check: aliases are never counted (the raw id count is larger for old builds)", () => {
    for (const b of builds) {
      const c = checked.get(`${b.product}@${b.version}`)!;
      const ids = new Set(c.affected.flatMap((a) => [a.id, ...a.aliases]));
      expect(c.advisoryCounts.affecting, b.version).toBe(c.affected.length);
      if (c.affected.some((a) => a.aliases.length > 0)) expect(ids.size).toBeGreaterThan(c.affected.length);
      expect(c.usableHereByAuth.required).toBeLessThanOrEqual(c.advisoryCounts.preAuth);
      expect(c.usableHereByAuth.notRequired).toBeGreaterThanOrEqual(c.usableHereByAuth.required);
    }
    // The builds span old and current releases: the check is not trivially zero everywhere.
    const affecting = builds.map((b) => checked.get(`${b.product}@${b.version}`)!.advisoryCounts.affecting);
    expect(Math.max(...affecting)).toBeGreaterThan(100);
    expect(Math.min(...affecting)).toBe(0);
  });

  it("advisories check: the text says the same numbers", async () => {
    for (const b of builds) {
      const r = await runClawpatrol(["advisories", "check", `${b.product}@${b.version}`], { env });
      expect([0, 1], r.stderr).toContain(r.code);
      const m =
        /^\S+ \S+ advisories: (\d+) affecting, (\d+) pre-auth; usable here: (\d+) with auth enforced, (\d+) without auth$/m.exec(
          r.stdout,
        );
      const c = checked.get(`${b.product}@${b.version}`)!;
      expect(m?.slice(1).map(Number), b.version).toEqual([
        c.advisoryCounts.affecting,
        c.advisoryCounts.preAuth,
        c.usableHereByAuth.required,
        c.usableHereByAuth.notRequired,
      ]);
    }
  }, 60_000);

  it("scan: the record's advisoryCounts and the text row", () => {
    expect(scanned).toHaveLength(cases.length);
    for (const { vantage, z, o } of scanned) {
      const label = `${z.name} (${vantage})`;
      expect(o.version, label).toBe(z.version);
      expect(o.auth, label).toBe(z.auth);
      const want = expectedFor(z, o.auth);
      // The NDJSON line a scan writes, read back.
      const line = JSON.parse(
        Buffer.concat(recordLine(o).map((p) => (typeof p === "string" ? Buffer.from(p) : p))).toString(),
      ) as Observation;
      expect(line.advisoryCounts, label).toEqual(want);
      const row = tableRow(o);
      if (want.affecting + want.possiblyAffecting === 0) expect(row, label).not.toMatch(/affecting/);
      else expect(parseCountsText(row), label).toEqual(want);
    }
  });

  it("audit: a real zoo config of each build", async () => {
    const trees = new URL("../fixtures/audit/", import.meta.url);
    const have = new Set(readdirSync(trees));
    // The extra builds have no recorded config of their own: the base zoo's config of the same posture.
    const sameShape: Record<string, string> = {
      "oc415-loopback-noauth": "zoo-oc96-loopback-noauth",
      "oc527-lan-token": "zoo-oc96-lan-token",
    };
    let audited = 0;
    for (const z of [...ZOO, ...ZOO_EXTRA]) {
      const tree = have.has(`zoo-${z.name}`) ? `zoo-${z.name}` : sameShape[z.name];
      if (!tree) continue; // relays: the same gateway as its loopback instance
      const root = mkdtempSync(join(home, "audit-"));
      cpSync(new URL(`${tree}/tree/`, trees), root, { recursive: true });
      // A borrowed tree's log names its own build, which the audit would rightly believe.
      if (tree !== `zoo-${z.name}`) rmSync(join(root, "gateway-file.log"), { force: true });
      const config = join(root, "openclaw.json");
      writeFileSync(config, readFileSync(config, "utf8").replaceAll("__ROOT__", root));
      const stateDir = join(root, "state");
      mkdirSync(stateDir, { recursive: true });
      const report = await runAudit({
        stateDir,
        configPath: config,
        home: join(root, "home"),
        env: {},
        noProcesses: true,
        noLive: true,
        globalRoots: [],
        logDirs: [],
        assume: { product: z.product, version: z.version },
      });
      const f = report.findings.find((x) => x.ruleId === "CP-AUDIT-120");
      const want = expectedFor(z, z.auth);
      if (want.affecting + want.possiblyAffecting === 0) expect(f, z.name).toBeUndefined();
      else {
        expect(f?.advisoryCounts, z.name).toEqual(want);
        expect(parseCountsText(f!.title), z.name).toEqual(want);
      }
      audited++;
    }
    expect(audited).toBeGreaterThanOrEqual(builds.length);
  });

  describe("after the scan is imported into a store", () => {
    let store: Store;
    let app: ReturnType<typeof createDashboard>["app"];
    const get = async (path: string) => {
      const res = await app.request(path, { headers: { host: "127.0.0.1:8417" } });
      expect(res.status, path).toBe(200);
      return res;
    };
    const at = (o: Observation) => `${o.ip}|${o.port}`;

    beforeAll(async () => {
      const file = join(home, "scan.ndjson");
      writeFileSync(
        file,
        Buffer.concat(
          scanned.flatMap(({ o }) => recordLine(o).map((p) => (typeof p === "string" ? Buffer.from(p) : p))),
        ),
      );
      const r = await runClawpatrol(["import", file], { env });
      expect(r.code, r.stderr).toBe(0);
    }, 60_000);
    afterAll(async () => {
      if (store) await store.close();
    });

    it("inventory: JSON fields and text columns", async () => {
      const json = await runClawpatrol(["inventory", "--json"], { env });
      expect(json.code, json.stderr).toBe(0);
      const rows = json.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { ip: string; port: number; advisoryCounts: Counts });
      expect(rows).toHaveLength(scanned.length);
      const byAddr = new Map(rows.map((r) => [`${r.ip}|${r.port}`, r]));
      for (const { z, o } of scanned)
        expect(byAddr.get(at(o))?.advisoryCounts, z.name).toEqual(expectedFor(z, o.auth));

      const text = await runClawpatrol(["inventory"], { env });
      expect(text.code, text.stderr).toBe(0);
      const [header, ...lines] = text.stdout.split("\n");
      expect(header).toMatch(/ AFFECTING PRE-AUTH USABLE HERE ADVISORIES$/);
      const col = header!.indexOf(" AFFECTING ");
      for (const { z, o } of scanned) {
        const line = lines.find((l) => l.startsWith(`${o.ip}:${o.port} `));
        expect(line, z.name).toBeDefined();
        const [affecting, preAuth, usableHere] = line!.slice(col).trim().split(/\s+/).map(Number);
        const want = expectedFor(z, o.auth);
        expect({ affecting, preAuth, usableHere }, z.name).toEqual({
          affecting: want.affecting,
          preAuth: want.preAuth,
          usableHere: want.usableHere,
        });
      }
    }, 60_000);

    it("dashboard: asset table, asset pages, breakdowns (API and HTML)", async () => {
      store = await openStore({ dataDir: join(home, "db") });
      app = createDashboard({ db: store.db, token: null, now: () => new Date() }).app;

      const table = (await (await get("/api/assets?state=all&limit=500")).json()) as {
        rows: { ip: string; port: number; advisoryCounts: Counts }[];
      };
      const tableHtml = await (await get("/assets?state=all&limit=500")).text();
      const byAddr = new Map(table.rows.map((r) => [`${r.ip}|${r.port}`, r]));
      for (const { z, o } of scanned) {
        const want = expectedFor(z, o.auth);
        expect(byAddr.get(at(o))?.advisoryCounts, z.name).toEqual(want);
        const tr =
          new RegExp(`<tr data-asset="${o.ip}:${o.port}">[\\s\\S]*?</tr>`).exec(tableHtml)?.[0] ?? "";
        expect(tr, z.name).toContain(`${want.affecting} affecting`);
        if (want.preAuth > 0) expect(tr, z.name).toContain(`${want.preAuth} pre-auth`);
        if (want.usableHere > 0) expect(tr, z.name).toContain(`${want.usableHere} usable here`);

        const detail = (await (await get(`/api/assets/${o.ip}/${o.port}`)).json()) as {
          asset: {
            advisoryCounts: Counts;
            advisories: { id: string; aliases: string[]; preAuth: boolean; usableHere: boolean }[];
          };
        };
        expect(detail.asset.advisoryCounts, z.name).toEqual(want);
        // Each advisory listed once: as many entries as advisories, no alias among the ids.
        const ids = detail.asset.advisories.map((a) => a.id);
        expect(ids).toHaveLength(want.affecting + want.possiblyAffecting);
        const aliases = new Set(detail.asset.advisories.flatMap((a) => a.aliases));
        expect(ids.filter((id) => aliases.has(id))).toEqual([]);
        expect(detail.asset.advisories.filter((a) => a.preAuth)).toHaveLength(want.preAuth);
        expect(detail.asset.advisories.filter((a) => a.usableHere)).toHaveLength(want.usableHere);
        const page = await (await get(`/assets/${o.ip}/${o.port}`)).text();
        expect(parseCountsText(/<p id="advisory-counts">([^<]*)<\/p>/.exec(page)?.[1] ?? ""), z.name).toEqual(
          want,
        );
      }

      const b = (await (await get("/api/breakdowns?limit=500")).json()) as {
        versions: { product: string; version: string; affecting: number; preAuth: number }[];
        advisories: { advisory: string; aliases: string[]; live: number }[];
        preauthAdvisories: { advisory: string; aliases: string[]; live: number }[];
      };
      for (const z of builds) {
        const v = b.versions.find((x) => x.product === z.product && x.version === z.version);
        const want = checked.get(`${z.product}@${z.version}`)!.advisoryCounts;
        expect({ affecting: v?.affecting, preAuth: v?.preAuth }, z.version).toEqual({
          affecting: want.affecting,
          preAuth: want.preAuth,
        });
      }
      // Breakdown rows are advisories: none is another row's alias, and every one is a GHSA id
      // the check names (never a CVE of its own).
      const knownIds = new Set([...checked.values()].flatMap((c) => c.affected.map((a) => a.id)));
      for (const list of [b.advisories, b.preauthAdvisories]) {
        const rowIds = new Set(list.map((r) => r.advisory));
        for (const r of list) {
          expect(knownIds.has(r.advisory), r.advisory).toBe(true);
          for (const alias of r.aliases) expect(rowIds.has(alias), alias).toBe(false);
        }
      }
      // The oldest build's gateways carry every advisory of theirs: its rows count them all.
      const oldest = builds.reduce((x, y) =>
        checked.get(`${x.product}@${x.version}`)!.advisoryCounts.affecting >=
        checked.get(`${y.product}@${y.version}`)!.advisoryCounts.affecting
          ? x
          : y,
      );
      const oldestIds = checked.get(`${oldest.product}@${oldest.version}`)!.affected.map((a) => a.id);
      const rowsOfOldest = b.advisories.filter((r) => oldestIds.includes(r.advisory));
      expect(rowsOfOldest).toHaveLength(oldestIds.length);
      const breakdownHtml = await (await get("/breakdowns")).text();
      expect(breakdownHtml).not.toMatch(/<a href="\/assets\?advisory=CVE-/);
    }, 60_000);

    it("monitor: the alert of each new asset names the pre-auth count", async () => {
      const [run] = await listRuns(store.db);
      const events = await eventsOfRun(store.db, run!.id);
      expect(events.length).toBe(scanned.length);
      const contexts = await assetContexts(store.db, events);
      for (const ev of events) {
        const s = scanned.find(({ o }) => o.ip === ev.ip && o.port === ev.port)!;
        const want = expectedFor(s.z, s.o.auth);
        const m = matchAdvisories({ product: s.z.product, version: s.z.version });
        const byId = new Map(m.affected.map((a) => [a.id, a]));
        const alert = alertForEvent(ev, contexts.get(`${ev.ip}|${ev.port}`)!, (id) => byId.get(id) ?? null, {
          profile: "agreement",
          runId: run!.id,
          upgradeTo: m.upgradeTo,
        });
        const said = /(\d+) pre-auth advisor(?:y|ies) appl/.exec(alert.why);
        if (want.preAuth === 0) expect(said, s.z.name).toBeNull();
        else expect(Number(said?.[1]), s.z.name).toBe(want.preAuth);
      }
    });
  });
});
