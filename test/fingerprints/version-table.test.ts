import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareVersions } from "../../src/advisories/calver.ts";
import {
  allReleases,
  assetBasename,
  DEFAULT_TABLE_URL,
  discriminatingPaths,
  narrowByUi,
  normalizeServedPath,
  parseControlUiHtml,
  type ReleaseRef,
  releaseDetails,
  swCacheVersion,
  type UiEvidence,
  VersionIndex,
  type VersionTableFile,
  versionIndex,
} from "../../src/fingerprints/openclaw/version-table.ts";

// Trimmed copies of shared/zoo/transcripts/*.json: what real gateways served, recorded from the zoo.
interface Recorded {
  path: string;
  status: number;
  bodyLength: number;
  bodySha256: string;
}
interface Transcript {
  name: string;
  root: Recorded;
  rootHtml: { scripts: string[]; modulepreload: string[]; stylesheets: string[] };
  htmlBuildId: string | null;
  swCacheVersion: string | null;
  assetProbe: Recorded[];
  http: Recorded[];
}

const FIXTURES = new URL("../fixtures/version-table/", import.meta.url);
const transcripts = (
  JSON.parse(readFileSync(new URL("transcripts.json", FIXTURES), "utf8")) as { transcripts: Transcript[] }
).transcripts;

function rootAssets(t: Transcript): string[] {
  return [...t.rootHtml.scripts, ...t.rootHtml.modulepreload, ...t.rootHtml.stylesheets];
}

/** What a probe would hand over: files that answered 200 with their own bytes, and what was absent. */
function evidenceFrom(t: Transcript): UiEvidence {
  const isSpa = (h: Recorded) => h.status === 200 && h.bodySha256 === t.root.bodySha256;
  const files = [...t.assetProbe, ...t.http]
    .filter((h) => h.status === 200 && !isSpa(h))
    .map((h) => ({ path: h.path, sha256: h.bodySha256 }));
  const absentPaths = t.http.filter((h) => h.status === 404 || isSpa(h)).map((h) => h.path);
  const buildIds = [t.htmlBuildId, t.swCacheVersion].filter((b): b is string => b !== null);
  return { assetNames: rootAssets(t), files, absentPaths, buildIds };
}

const EXPECTED: [prefix: string, release: ReleaseRef][] = [
  ["cb124-", { package: "clawdbot", version: "2026.1.24-3" }],
  ["oc129-", { package: "openclaw", version: "2026.1.29" }],
  ["oc313-", { package: "openclaw", version: "2026.3.13" }],
  ["oc528-", { package: "openclaw", version: "2026.5.28" }],
  ["oc96-", { package: "openclaw", version: "2026.9.6" }],
];

function expectedFor(t: Transcript): ReleaseRef {
  const hit = EXPECTED.find(([prefix]) => t.name.startsWith(prefix));
  if (!hit) throw new Error(`no expectation for ${t.name}`);
  return hit[1];
}

const CB124: ReleaseRef = { package: "clawdbot", version: "2026.1.24" };
const CB124_3: ReleaseRef = { package: "clawdbot", version: "2026.1.24-3" };

describe("the shipped table", () => {
  it("covers all three packages, is dated and stays small", () => {
    const table = versionIndex().table;
    expect(table.packages).toEqual(["openclaw", "clawdbot", "moltbot"]);
    expect(Number.isNaN(Date.parse(table.generatedAt))).toBe(false);
    expect(statSync(DEFAULT_TABLE_URL).size).toBeLessThan(1024 * 1024);
    for (const pkg of ["openclaw", "clawdbot", "moltbot"]) {
      expect(table.releases.some((r) => r.package === pkg)).toBe(true);
    }
  });

  it("lists every release oldest first, with publish times", () => {
    const list = allReleases();
    expect(list.length).toBeGreaterThan(100);
    for (let i = 1; i < list.length; i++) {
      expect(compareVersions(list[i - 1]!.version, list[i]!.version)).toBeLessThanOrEqual(0);
    }
    for (const r of list) {
      if (r.publishedAt !== null) expect(r.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const cb = list.filter((r) => r.package === "clawdbot");
    expect(cb.map((r) => r.version)).toEqual(["2026.1.24", "2026.1.24-3"]);
  });

  it("marks clawdbot 2026.1.24 as a broken publish, and only releases that cannot start", () => {
    const broken = allReleases().filter((r) => r.brokenPublish);
    expect(broken.map((r) => `${r.package}@${r.version}`)).toContain("clawdbot@2026.1.24");
    expect(broken.find((r) => r.package === "clawdbot")!.brokenPublish).toMatch(/reasoning-tags\.js/);
    expect(allReleases().find((r) => r.version === "2026.1.24-3")!.brokenPublish).toBeUndefined();
  });

  it("records releases that ship no Control UI", () => {
    expect(releaseDetails({ package: "moltbot", version: "0.1.0" })).toMatchObject({ ui: false, entry: [] });
    expect(releaseDetails({ package: "openclaw", version: "2026.9.6" })).toMatchObject({
      ui: true,
      swCacheVersion: "2026.9.6-release-eb377ac59e6c-2026-09-23T16-33-12.144Z",
      a2uiPath: "/__openclaw__/a2ui",
    });
    expect(releaseDetails({ package: "openclaw", version: "1999.1.1" })).toBeNull();
  });
});

describe("narrowByUi on recorded gateways", () => {
  it("has a fixture for every expected build", () => {
    for (const [prefix] of EXPECTED) expect(transcripts.some((t) => t.name.startsWith(prefix))).toBe(true);
  });

  for (const t of transcripts) {
    it(`${t.name}: the root HTML alone gives the exact release`, () => {
      const n = narrowByUi({ assetNames: rootAssets(t), files: [] });
      expect(n.candidates).toEqual([expectedFor(t)]);
      expect(n.conflict).toBe(false);
      expect(n.unknownAssets).toEqual([]);
      expect(n.decidedBy.length).toBeGreaterThan(0);
    });

    it(`${t.name}: root HTML plus every recorded file agrees`, () => {
      const n = narrowByUi(evidenceFrom(t));
      expect(n.candidates).toEqual([expectedFor(t)]);
      expect(n.conflict).toBe(false);
      expect(n.unknownAssets).toEqual([]);
      // JSON endpoints, canvas pages and the like are not in the table; they are reported, not used.
      expect(n.unknownSignals.every((s) => !s.startsWith("build-id"))).toBe(true);
    });

    it(`${t.name}: served assets are byte-for-byte the tarball's`, () => {
      const { table } = versionIndex();
      const id = versionIndex().idOf(expectedFor(t))!;
      expect(t.assetProbe.length).toBeGreaterThan(0);
      for (const a of t.assetProbe) {
        const hit = table.files[normalizeServedPath(a.path)]?.[a.bodySha256];
        expect(hit, `${a.path} ${a.bodySha256}`).toBeDefined();
        expect(table.sets[hit![0]]).toContain(id);
        expect(hit![1]).toBe(a.bodyLength);
      }
    });
  }

  it("drops the broken clawdbot publish, and keeps it when asked", () => {
    const assets = ["./assets/index-Cl-Y9zqE.js"];
    const n = narrowByUi({ assetNames: assets, files: [] });
    expect(n.candidates).toEqual([CB124_3]);
    expect(n.droppedBroken).toEqual([CB124]);
    expect(n.decidedBy.some((d) => d.startsWith("dropped clawdbot@2026.1.24"))).toBe(true);
    const kept = narrowByUi({ assetNames: assets, files: [] }, { keepBroken: true });
    expect(kept.candidates).toEqual([CB124, CB124_3]);
    expect(kept.droppedBroken).toEqual([]);
  });

  it("reads the version strings the newer builds serve", () => {
    const oc96 = transcripts.find((t) => t.name.startsWith("oc96-"))!;
    const byHtml = narrowByUi({ assetNames: [], files: [], buildIds: [oc96.htmlBuildId!] });
    expect(byHtml.candidates).toEqual([{ package: "openclaw", version: "2026.9.6" }]);
    const oc528 = transcripts.find((t) => t.name.startsWith("oc528-"))!;
    const bySw = narrowByUi({ assetNames: [], files: [], buildIds: [oc528.swCacheVersion!] });
    expect(bySw.candidates).toEqual([{ package: "openclaw", version: "2026.5.28" }]);
  });
});

describe("unknown and contradictory signals", () => {
  it("ignores unknown assets but reports them", () => {
    const n = narrowByUi({
      assetNames: ["/assets/index-ZZZZzzzz.js?v=1", "./assets/index-DFDgq9AK.js"],
      files: [],
    });
    expect(n.candidates).toEqual([{ package: "openclaw", version: "2026.1.29" }]);
    expect(n.unknownAssets).toEqual(["index-ZZZZzzzz.js"]);
  });

  it("gives no candidates when nothing is known", () => {
    const n = narrowByUi({
      assetNames: ["index-ZZZZzzzz.js"],
      files: [{ path: "/health", sha256: "00".repeat(32) }],
      buildIds: ["2099.1.1-release-deadbeef"],
    });
    expect(n.candidates).toEqual([]);
    expect(n.decidedBy).toEqual([]);
    expect(n.unknownAssets).toEqual(["index-ZZZZzzzz.js"]);
    expect(n.unknownSignals).toEqual([
      "file /health (path not in table)",
      "build-id 2099.1.1-release-deadbeef",
    ]);
  });

  it("does not narrow on a file hash it does not know", () => {
    const n = narrowByUi({
      assetNames: ["index-UvgeZ3yV.js"],
      files: [{ path: "/favicon.svg", sha256: "ab".repeat(32) }],
    });
    expect(n.candidates).toEqual([{ package: "openclaw", version: "2026.3.13" }]);
    expect(n.unknownSignals).toEqual([`file /favicon.svg sha256:${"ab".repeat(6)}`]);
  });

  it("returns the union and says so when two known signals contradict", () => {
    const n = narrowByUi({ assetNames: ["index-Cl-Y9zqE.js", "index-DsEuFQRE.js"], files: [] });
    expect(n.conflict).toBe(true);
    expect(n.candidates).toEqual([CB124, CB124_3, { package: "openclaw", version: "2026.9.6" }]);
    expect(n.conflicts).toEqual(["asset index-DsEuFQRE.js vs asset index-Cl-Y9zqE.js"]);
    expect(n.decidedBy[0]).toMatch(/^conflict: /);
    expect(n.droppedBroken).toEqual([]);
  });

  it("treats a file that contradicts the assets as a conflict", () => {
    const oc96 = transcripts.find((t) => t.name.startsWith("oc96-"))!;
    const favicon = oc96.http.find((h) => h.path === "/favicon.svg")!;
    const n = narrowByUi({
      assetNames: ["index-DFDgq9AK.js"],
      files: [{ path: "/favicon.svg", sha256: favicon.bodySha256 }],
    });
    expect(n.conflict).toBe(true);
    expect(n.candidates).toContainEqual({ package: "openclaw", version: "2026.1.29" });
    expect(n.candidates).toContainEqual({ package: "openclaw", version: "2026.9.6" });
  });
});

describe("discriminatingPaths", () => {
  it("finds the file that tells the two clawdbot publishes apart", () => {
    const paths = discriminatingPaths([CB124, CB124_3]);
    expect(paths).toContain("/assets/index-Cl-Y9zqE.js.map");
    // The second GET then settles it, even with the broken publish kept.
    const byHash = versionIndex().table.files["/assets/index-Cl-Y9zqE.js.map"]!;
    const id = versionIndex().idOf(CB124)!;
    const [sha] = Object.entries(byHash).find(([, [set]]) => versionIndex().table.sets[set]!.includes(id))!;
    const n = narrowByUi(
      { assetNames: ["index-Cl-Y9zqE.js"], files: [{ path: paths[0]!, sha256: sha }] },
      { keepBroken: true },
    );
    expect(n.candidates).toEqual([CB124]);
  });

  it("has nothing to say for one candidate, unknown releases, or identical UIs", () => {
    expect(discriminatingPaths([CB124_3])).toEqual([]);
    expect(discriminatingPaths([{ package: "openclaw", version: "1999.1.1" }, CB124_3])).toEqual([]);
    // 2026.4.20 and 2026.4.21 ship byte-identical Control UI and A2UI files.
    expect(
      discriminatingPaths([
        { package: "openclaw", version: "2026.4.20" },
        { package: "openclaw", version: "2026.4.21" },
      ]),
    ).toEqual([]);
  });

  it("ranks paths that split candidates into more groups first", () => {
    const paths = discriminatingPaths([
      { package: "openclaw", version: "2026.1.29" },
      { package: "openclaw", version: "2026.5.28" },
      { package: "openclaw", version: "2026.9.6" },
    ]);
    expect(paths.length).toBeGreaterThan(0);
    // /sw.js: absent on 1.29, a different file on 5.28 and 9.6 (three ways);
    // /favicon.svg: the same on 1.29 and 5.28, another on 9.6 (two ways).
    expect(paths).toContain("/favicon.svg");
    expect(paths.indexOf("/sw.js")).toBeLessThan(paths.indexOf("/favicon.svg"));
  });
});

describe("a small hand-made table", () => {
  const table: VersionTableFile = {
    schema: 1,
    generatedAt: "2026-11-24T00:00:00.000Z",
    generator: "test",
    registry: "https://registry.invalid",
    packages: ["openclaw"],
    notes: [],
    releases: [
      { package: "openclaw", version: "2026.2.1", publishedAt: null, ui: true, entry: ["a.js"] },
      { package: "openclaw", version: "2026.2.2", publishedAt: null, ui: true, entry: ["a.js"] },
      { package: "openclaw", version: "2026.2.2-1", publishedAt: null, ui: true, entry: ["a.js"] },
      { package: "openclaw", version: "2026.3.1", publishedAt: null, ui: false },
    ],
    sets: [[0, 1, 2], [2], [0]],
    assets: { "a.js": 0 },
    files: { "/sw.js": { ["1".repeat(64)]: [1, 10] }, "/x.png": { ["2".repeat(64)]: [2, 5] } },
    buildIds: {},
  };
  const index = new VersionIndex(table);

  it("uses an absent path as a signal, within releases that have a UI", () => {
    const n = index.narrow({ assetNames: ["a.js"], files: [], absentPaths: ["/sw.js", "/x.png"] });
    expect(n.candidates).toEqual([{ package: "openclaw", version: "2026.2.2" }]);
  });

  it("strips a configured base path", () => {
    const n = index.narrow({
      assetNames: ["/openclaw/assets/a.js"],
      files: [{ path: "/openclaw/x.png", sha256: "2".repeat(64) }],
      basePath: "/openclaw/",
    });
    expect(n.candidates).toEqual([{ package: "openclaw", version: "2026.2.1" }]);
  });

  it("ignores an absent path no release ships", () => {
    const n = index.narrow({ assetNames: ["a.js"], files: [], absentPaths: ["/nope"] });
    expect(n.candidates.map((c) => c.version)).toEqual(["2026.2.1", "2026.2.2", "2026.2.2-1"]);
    expect(n.decidedBy).toEqual(["asset a.js (3 release(s))"]);
  });

  it("lists both splitting paths for the three releases", () => {
    const refs = table.releases.slice(0, 3).map((r) => ({ package: r.package, version: r.version }));
    expect(index.discriminatingPaths(refs).sort()).toEqual(["/sw.js", "/x.png"]);
    expect(index.sharedUiBuilds()).toEqual([refs]);
  });

  it("flags a present file that contradicts an absent one", () => {
    const n = index.narrow({
      assetNames: [],
      files: [{ path: "/sw.js", sha256: "1".repeat(64) }],
      absentPaths: ["/sw.js"],
    });
    expect(n.conflict).toBe(true);
  });
});

describe("reading served HTML", () => {
  it("reads clawdbot's relative asset links", () => {
    const html = readFileSync(new URL("root-cb124-lan-token.html", FIXTURES), "utf8");
    const ui = parseControlUiHtml(html);
    expect(ui.assetNames).toEqual(["index-Cl-Y9zqE.js", "index-DEPfFcOb.css"]);
    expect(ui.buildId).toBeNull();
    expect(narrowByUi({ assetNames: ui.assetNames, files: [] }).candidates).toEqual([CB124_3]);
  });

  it("reads 2026.9.6's absolute links, modulepreloads and build id", () => {
    const html = readFileSync(new URL("root-oc96-lan-token.html", FIXTURES), "utf8");
    const ui = parseControlUiHtml(html);
    expect(ui.scripts).toEqual(["/assets/index-DsEuFQRE.js"]);
    expect(ui.modulepreload).toHaveLength(6);
    expect(ui.assetNames).toContain("control-ui-core-2cJmD3kZ.css");
    expect(ui.buildId).toMatch(/^2026\.9\.6-release-eb377ac59e6c-/);
    const n = narrowByUi({ assetNames: ui.assetNames, files: [], buildIds: [ui.buildId!] });
    expect(n.candidates).toEqual([{ package: "openclaw", version: "2026.9.6" }]);
  });

  it("leaves out foreign and non-asset links", () => {
    const ui = parseControlUiHtml(
      `<script src="https://cdn.example/assets/x.js"></script><link rel=stylesheet href='//cdn/assets/y.css'>` +
        `<link rel="stylesheet" href="./fonts/geist.css"><script type=module src=assets/z-1.js?v=2></script>`,
    );
    expect(ui.assetNames).toEqual(["z-1.js"]);
  });

  it("normalises names and paths", () => {
    expect(assetBasename("./assets/index-Cl-Y9zqE.js")).toBe("index-Cl-Y9zqE.js");
    expect(assetBasename("/assets/a.css?v=2026.9.6#x")).toBe("a.css");
    expect(assetBasename("/assets/")).toBeNull();
    expect(normalizeServedPath("favicon.svg?v=1")).toBe("/favicon.svg");
    expect(normalizeServedPath("./sw.js")).toBe("/sw.js");
    expect(normalizeServedPath("http://127.0.0.1:18789/assets/a.js")).toBe("/assets/a.js");
    expect(swCacheVersion('const EMBEDDED_CACHE_VERSION = "2026.5.28-e93216080aa1";')).toBe(
      "2026.5.28-e93216080aa1",
    );
  });
});
