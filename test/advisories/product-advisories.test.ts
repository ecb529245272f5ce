// Advisories of the products beside OpenClaw: version orders per ecosystem, the shipped
// records (real: Ollama's, from the Go vulnerability database), boundary versions at every
// range end, the regeneration script, the scan record and the CLI.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ecosystemOrder } from "../../src/advisories/ecosystem-order.ts";
import { comparePep440, parsePep440 } from "../../src/advisories/pep440.ts";
import { checkProductData } from "../../src/advisories/product-check.ts";
import { matchProductAdvisories } from "../../src/advisories/product-match.ts";
import { loadProductAdvisories, type ProductInterval } from "../../src/advisories/product-store.ts";
import { compareSemVer, parseSemVer } from "../../src/advisories/semver-order.ts";
import type { Product } from "../../src/fingerprints/products.ts";
import { fingerprinterOf } from "../../src/fingerprints/registry.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { NOT_A_GATEWAY } from "../../src/fingerprints/verdict.ts";
import { scanAdvisor } from "../../src/scan/advise.ts";
import { assess } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";

const ROOT = join(import.meta.dirname, "../..");
const SHIPPED = join(ROOT, "data/product-advisories");
const FIXTURES = join(ROOT, "test/fixtures/product-advisories");
const OLLAMA = fingerprinterOf("ollama").meta.advisories!;

/** Is v inside the interval, by its ecosystem's order? (The test's own reading of a range.) */
function inside(iv: ProductInterval, v: string): boolean {
  const cmp = ecosystemOrder(iv.ecosystem)!.compare;
  if (iv.introduced !== null && cmp(v, iv.introduced) < 0) return false;
  if (iv.fixed !== null) return cmp(v, iv.fixed) < 0;
  if (iv.lastAffected !== null) return cmp(v, iv.lastAffected) <= 0;
  return true;
}

describe("PEP 440 order", () => {
  it("sorts the specification's own example sequence", () => {
    // PEP 440, "Summary of permitted suffixes and relative ordering".
    const seq = [
      "1.dev0",
      "1.0.dev456",
      "1.0a1",
      "1.0a2.dev456",
      "1.0a12.dev456",
      "1.0a12",
      "1.0b1.dev456",
      "1.0b2",
      "1.0b2.post345.dev456",
      "1.0b2.post345",
      "1.0rc1.dev456",
      "1.0rc1",
      "1.0",
      "1.0+abc.5",
      "1.0+abc.7",
      "1.0+5",
      "1.0.post456.dev34",
      "1.0.post456",
      "1.0.15",
      "1.1.dev1",
    ];
    const parsed = seq.map((v) => parsePep440(v)!);
    for (const [i, p] of parsed.entries()) expect(p, seq[i]).not.toBeNull();
    for (let i = 0; i + 1 < parsed.length; i++)
      expect(comparePep440(parsed[i]!, parsed[i + 1]!), `${seq[i]} < ${seq[i + 1]}`).toBe(-1);
  });
  it("normalises equivalent spellings and refuses what is not a version", () => {
    const eq = (a: string, b: string) => comparePep440(parsePep440(a)!, parsePep440(b)!);
    expect(eq("1.0", "1.0.0")).toBe(0);
    expect(eq("1.0-alpha.1", "1.0a1")).toBe(0);
    expect(eq("1.0.RC1", "1.0rc1")).toBe(0);
    expect(eq("1.0-1", "1.0.post1")).toBe(0);
    expect(eq("1!0.1", "2.0")).toBe(1); // epoch first
    expect(parsePep440("1.0.beta.x")).toBeNull();
    expect(parsePep440("latest")).toBeNull();
  });
});

describe("SemVer order (npm, Go)", () => {
  it("orders pre-releases by identifiers, before their release", () => {
    const seq = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.10.0",
    ];
    for (let i = 0; i + 1 < seq.length; i++)
      expect(
        compareSemVer(parseSemVer(seq[i]!)!, parseSemVer(seq[i + 1]!)!),
        `${seq[i]} < ${seq[i + 1]}`,
      ).toBe(-1);
    expect(compareSemVer(parseSemVer("1.0.0+build.5")!, parseSemVer("1.0.0")!)).toBe(0);
  });
  it("Go takes the v prefix, npm does not", () => {
    expect(ecosystemOrder("Go")!.compare("v0.1.34", "0.1.34")).toBe(0);
    expect(ecosystemOrder("npm")!.valid("v1.2.3")).toBe(false);
    expect(ecosystemOrder("npm")!.valid("01.2.3")).toBe(false);
    expect(ecosystemOrder("RubyGems")).toBeNull();
  });
});

describe("shipped product advisories", () => {
  const db = loadProductAdvisories(SHIPPED);
  const ids = (version: string) =>
    matchProductAdvisories(db, { ...OLLAMA, version }).affected.map((m) => m.id);

  it("load without problems, each with provenance and the GHSA it was reviewed from", () => {
    expect(db.problems).toEqual([]);
    expect(db.advisories.length).toBeGreaterThanOrEqual(134);
    const products = new Set(db.advisories.flatMap((a) => a.intervals.map((iv) => iv.pkg)));
    for (const pkg of ["n8n", "flowise", "litellm", "open-webui", "vllm", "github.com/ollama/ollama"])
      expect(products, pkg).toContain(pkg);
    for (const a of db.advisories) {
      expect(
        [a.id, ...a.aliases].some((x) => x.startsWith("GHSA-")),
        a.id,
      ).toBe(true);
      expect(a.modified.startsWith("0001"), a.id).toBe(false);
      const rec = JSON.parse(readFileSync(a.file, "utf8"));
      expect(rec.database_specific.clawpatrol.fixed_source.evidence).toMatch(/at commit [0-9a-f]{40}/);
    }
  });

  it("match exactly at every real range end: just below, at and above each bound", () => {
    // The nearest versions on either side of a bound, by each ecosystem's own rules.
    const below = (eco: string, v: string) =>
      eco === "PyPI" ? (/dev/.test(v) ? null : `${v}.dev0`) : parseSemVer(v)!.pre.length ? null : `${v}-0`;
    const above = (eco: string, v: string) => {
      if (eco === "PyPI") return /post|dev/.test(v) ? null : `${v}.post1`;
      const p = parseSemVer(v)!;
      return p.pre.length ? null : `${p.major}.${p.minor}.${p.patch + 1}`;
    };
    let checked = 0;
    for (const a of db.advisories)
      for (const iv of a.intervals) {
        const q = { ecosystem: iv.ecosystem, packages: [iv.pkg] };
        const hit = (v: string) =>
          matchProductAdvisories(db, { ...q, version: v }).affected.some((m) => m.id === a.id);
        // Another range of the same advisory may cover the neighbour: only judge where none does.
        const alone = (v: string) => a.intervals.filter((x) => x !== iv).every((x) => !inside(x, v));
        if (iv.introduced !== null) {
          expect(hit(iv.introduced), `${a.id} at introduced ${iv.introduced}`).toBe(true);
          const b = below(iv.ecosystem, iv.introduced);
          if (b && alone(b)) expect(hit(b), `${a.id} below introduced ${b}`).toBe(false);
        }
        if (iv.fixed !== null) {
          expect(hit(iv.fixed), `${a.id} at fixed ${iv.fixed}`).toBe(iv.fixed === iv.introduced);
          const b = below(iv.ecosystem, iv.fixed);
          if (b && (iv.introduced === null || ecosystemOrder(iv.ecosystem)!.compare(b, iv.introduced) >= 0))
            expect(hit(b), `${a.id} just below fixed ${b}`).toBe(true);
          const u = above(iv.ecosystem, iv.fixed);
          if (u && alone(u)) expect(hit(u), `${a.id} above fixed ${u}`).toBe(false);
        }
        if (iv.lastAffected !== null) {
          expect(hit(iv.lastAffected), `${a.id} at last affected ${iv.lastAffected}`).toBe(true);
          const u = above(iv.ecosystem, iv.lastAffected);
          if (u && alone(u)) expect(hit(u), `${a.id} above last affected ${u}`).toBe(false);
        }
        checked++;
      }
    expect(checked).toBeGreaterThanOrEqual(130);
  });

  it("names real ranges right in each ecosystem", () => {
    const on = (product: "n8n" | "flowise" | "litellm" | "vllm" | "open-webui", version: string) =>
      matchProductAdvisories(db, { ...fingerprinterOf(product).meta.advisories!, version }).affected.map(
        (m) => m.id,
      );
    // npm, GHSA-hfmv-hhh3-43f2: >= 1.77.0, < 1.98.2.
    expect(on("n8n", "1.76.9")).not.toContain("GHSA-hfmv-hhh3-43f2");
    expect(on("n8n", "1.77.0")).toContain("GHSA-hfmv-hhh3-43f2");
    expect(on("n8n", "1.98.1")).toContain("GHSA-hfmv-hhh3-43f2");
    expect(on("n8n", "1.98.2")).not.toContain("GHSA-hfmv-hhh3-43f2");
    // npm, one version (= 3.0.5, patched in 3.0.6): GHSA-3gcm-f6qx-ff7p.
    expect(on("flowise", "3.0.4")).not.toContain("GHSA-3gcm-f6qx-ff7p");
    expect(on("flowise", "3.0.5")).toContain("GHSA-3gcm-f6qx-ff7p");
    expect(on("flowise", "3.0.6")).not.toContain("GHSA-3gcm-f6qx-ff7p");
    // npm pre-release start (>= 2.2.7-patch.1): a pre-release sorts before its release.
    expect(on("flowise", "2.2.6")).not.toContain("GHSA-6933-jpx5-q87q");
    expect(on("flowise", "2.2.7-patch.0")).not.toContain("GHSA-6933-jpx5-q87q");
    expect(on("flowise", "2.2.7-patch.1")).toContain("GHSA-6933-jpx5-q87q");
    expect(on("flowise", "2.2.7")).toContain("GHSA-6933-jpx5-q87q");
    // PyPI dev start and inclusive end with no fix (>= 1.40.3.dev2, <= 1.40.12): GHSA-53gh-p8jc-7rg8.
    expect(on("litellm", "1.40.3.dev1")).not.toContain("GHSA-53gh-p8jc-7rg8");
    expect(on("litellm", "1.40.3.dev2")).toContain("GHSA-53gh-p8jc-7rg8");
    expect(on("litellm", "1.40.12")).toContain("GHSA-53gh-p8jc-7rg8");
    expect(on("litellm", "1.40.13")).not.toContain("GHSA-53gh-p8jc-7rg8");
    // PyPI post release end (<= 0.8.5.post1): GHSA-9pcc-gvx5-r5wm.
    expect(on("vllm", "0.8.5.post1")).toContain("GHSA-9pcc-gvx5-r5wm");
    expect(on("vllm", "0.8.5.post2")).not.toContain("GHSA-9pcc-gvx5-r5wm");
    // PyPI four-part fix (< 0.10.1.1): GHSA-79j6-g2m3-jgfw from 0.10.0.
    expect(on("vllm", "0.10.1")).toContain("GHSA-79j6-g2m3-jgfw");
    expect(on("vllm", "0.10.1.1")).not.toContain("GHSA-79j6-g2m3-jgfw");
    // GitHub's "<= 0.6.34, patched 0.6.35" ends at the patch.
    expect(on("open-webui", "0.6.34")).toContain("GHSA-cm35-v4vp-5xvx");
    expect(on("open-webui", "0.6.35")).not.toContain("GHSA-cm35-v4vp-5xvx");
  });

  it("names real versions right: Probllama (GO-2024-2901, CVE-2024-37032) is fixed in 0.1.34", () => {
    expect(ids("0.1.33")).toContain("GO-2024-2901");
    expect(ids("0.1.34")).not.toContain("GO-2024-2901");
    expect(ids("v0.1.33")).toContain("GO-2024-2901");
    // The DoS fixed in 0.4.0-ci1: a 0.4.0 beta sorts before it, 0.4.0 after it.
    expect(ids("0.4.0-beta")).toContain("GO-2025-3548");
    expect(ids("0.4.0")).not.toContain("GO-2025-3548");
    // The old module path's advisory applies through the product's second package name.
    expect(ids("0.1.28")).toContain("GO-2024-2699");
    expect(ids("0.1.29")).not.toContain("GO-2024-2699");
    // No fix named: every version is affected, and the pre-auth flag follows the advisory's words.
    const r = matchProductAdvisories(db, { ...OLLAMA, version: "0.17.1" });
    const unauth = r.affected.find((m) => m.id === "GO-2025-4251")!;
    expect(unauth.preAuth).toBe(true);
    expect(unauth.fixed).toBeNull();
    expect(r.affected.some((m) => m.id === "GO-2026-5748")).toBe(false);
    expect(matchProductAdvisories(db, { ...OLLAMA, version: "not-a-version" }).notes[0]).toMatch(
      /not a Go version/,
    );
  });

  it("upgrade target clears every affected advisory that has a fix", () => {
    const r = matchProductAdvisories(db, { ...OLLAMA, version: "0.1.30" });
    expect(r.upgradeTo).not.toBeNull();
    const after = matchProductAdvisories(db, { ...OLLAMA, version: r.upgradeTo! });
    const fixable = r.affected.filter((m) => m.fixed !== null).map((m) => m.id);
    expect(fixable.length).toBeGreaterThan(0);
    for (const id of fixable) expect(after.affected.map((m) => m.id)).not.toContain(id);
  });
});

describe("scan records of other products carry advisories", () => {
  it("an Ollama record with a version gets its advisories, counts and findings", () => {
    const verdict = {
      ...NOT_A_GATEWAY,
      product: "ollama" as const,
      version: "0.1.33",
      auth: "not-required" as const,
    };
    const out = assess(
      verdict,
      { asset: "127.0.0.1:11434", exposure: "network" },
      scanAdvisor(),
      fingerprinterOf("ollama"),
    );
    expect(out.advisories.map((a) => a.id)).toContain("GO-2024-2901");
    expect(out.advisoryCounts!.affecting).toBe(out.advisories.length);
    expect(out.advisoryCounts!.usableHere).toBe(out.advisories.length); // no auth: all of the port's
    expect(
      out.findings.some(
        (f) => f.ruleId.length > 0 && f.evidence.some((e) => e.detail.includes("GO-2025-4251")),
      ),
    ).toBe(true);
    expect(out.upgradeTo).not.toBeNull();
    const usable = out.findings.find((f) => f.evidence.some((e) => e.detail.includes("GO-2025-4251")))!;
    expect(usable.title).toMatch(/^Ollama version has advisories/);
    expect(usable.references).toContain("https://github.com/advisories/GHSA-f6mr-38g8-39rg");
  });
  it("recorded transcripts of each product carry the advisories of the version they show", () => {
    const dir = join(ROOT, "test/fixtures/products/source-derived");
    const db = loadProductAdvisories(SHIPPED);
    let withAdvisories = 0;
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const o = observe(transcriptFromJson(readFileSync(join(dir, name), "utf8")), scanAdvisor());
      const where = o.product ? fingerprinterOf(o.product as Product).meta.advisories : null;
      if (!o.version || !where) {
        expect(o.advisories, name).toEqual([]);
        continue;
      }
      const want = matchProductAdvisories(db, { ...where, version: o.version }).affected.map((m) => m.id);
      expect(o.advisories.map((a) => a.id).sort(), name).toEqual([...want].sort());
      expect(o.advisoryCounts?.affecting, name).toBe(want.length);
      if (want.length > 0) withAdvisories++;
    }
    expect(withAdvisories).toBeGreaterThanOrEqual(4); // Ollama, vLLM, Flowise, Open WebUI recordings
  });
  it("a product no ecosystem covers has none, and no counts", () => {
    const verdict = {
      ...NOT_A_GATEWAY,
      product: "comfyui" as const,
      version: "0.3.10",
      auth: "not-required" as const,
    };
    const out = assess(
      verdict,
      { asset: "127.0.0.1:8188", exposure: "network" },
      scanAdvisor(),
      fingerprinterOf("comfyui"),
    );
    expect(out.advisories).toEqual([]);
    expect(out.advisoryCounts).toBeUndefined();
  });
});

describe("check:data covers the product records", () => {
  it("passes on the shipped records and names a misnamed file and an id claimed twice", () => {
    expect(checkProductData(SHIPPED)).toEqual({ records: expect.any(Number), problems: [] });
    const dir = mkdtempSync(join(tmpdir(), "cp-prodcheck-"));
    const rec = readFileSync(join(SHIPPED, "GHSA-3gcm-f6qx-ff7p.json"), "utf8");
    writeFileSync(join(dir, "GHSA-3gcm-f6qx-ff7p.json"), rec);
    writeFileSync(join(dir, "copy.json"), rec);
    expect(checkProductData(dir).problems).toEqual([
      "copy.json: file name must be GHSA-3gcm-f6qx-ff7p.json",
      "copy.json: GHSA-3GCM-F6QX-FF7P is also in GHSA-3gcm-f6qx-ff7p.json",
      "copy.json: CVE-2025-59528 is also in GHSA-3gcm-f6qx-ff7p.json",
    ]);
  });
});

describe("build:product-advisories regenerates from an advisory-database checkout", () => {
  it("keeps the registered products' reviewed records, with the clawpatrol block and provenance", () => {
    const repo = mkdtempSync(join(tmpdir(), "cp-ghsa-"));
    const git = (...a: string[]) => execFileSync("git", ["-C", repo, ...a], { encoding: "utf8" });
    git("init", "-q");
    for (const name of readdirSync(FIXTURES)) {
      const rec = JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
      const dir = join(repo, "advisories/github-reviewed/2026/05", rec.id);
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(FIXTURES, name), join(dir, `${rec.id}.json`));
    }
    // A record of a package no product registers is left out.
    const other = join(repo, "advisories/github-reviewed/2026/05/GHSA-xxxx-yyyy-zzzz");
    mkdirSync(other, { recursive: true });
    writeFileSync(
      join(other, "GHSA-xxxx-yyyy-zzzz.json"),
      JSON.stringify({
        id: "GHSA-xxxx-yyyy-zzzz",
        modified: "2026-01-01T00:00:00Z",
        affected: [
          {
            package: { ecosystem: "npm", name: "left-pad" },
            ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.0.0" }] }],
          },
        ],
        database_specific: { severity: "LOW" },
      }),
    );
    git("add", ".");
    git("-c", "user.email=t@t.invalid", "-c", "user.name=t", "commit", "-q", "-m", "fixture");
    const commit = git("rev-parse", "HEAD").trim();
    const out = mkdtempSync(join(tmpdir(), "cp-prodadv-"));
    const log = execFileSync(
      process.execPath,
      [join(ROOT, "scripts/build-product-advisories.ts"), "--ghsa", repo, "--out", out],
      {
        encoding: "utf8",
      },
    );
    expect(log).toMatch(/2 written/);
    expect(readdirSync(out).sort()).toEqual(["GHSA-c2c9-mfw7-p8hw.json", "GHSA-pppp-qqqq-rrrr.json"]);
    const db = loadProductAdvisories(out);
    expect(db.problems).toEqual([]);
    const flowise = db.advisories.find((a) => a.id === "GHSA-c2c9-mfw7-p8hw")!;
    expect(flowise.severity).toBe("medium");
    expect(flowise.preAuth).toBe(false);
    expect(flowise.modified).toBe("2026-05-20T15:45:00Z");
    const rec = JSON.parse(readFileSync(join(out, "GHSA-c2c9-mfw7-p8hw.json"), "utf8"));
    expect(rec.database_specific.clawpatrol.fixed_source.evidence).toContain(commit);

    // npm boundaries of the real range (<= 3.1.1, patched 3.1.2).
    const npm = (version: string) =>
      matchProductAdvisories(db, { ...fingerprinterOf("flowise").meta.advisories!, version }).affected.map(
        (m) => m.id,
      );
    expect(npm("3.1.1")).toEqual(["GHSA-c2c9-mfw7-p8hw"]);
    expect(npm("3.1.2-beta.1")).toEqual([]); // above the last affected release
    expect(npm("3.1.2")).toEqual([]);
    expect(npm("3.0.0")).toEqual(["GHSA-c2c9-mfw7-p8hw"]);

    // PyPI boundaries, PEP 440 rules, package name normalised (LiteLLM == litellm).
    const pypi = (version: string) =>
      matchProductAdvisories(db, { ...fingerprinterOf("litellm").meta.advisories!, version }).affected.map(
        (m) => m.id,
      );
    expect(pypi("1.40.0b9")).toEqual([]);
    expect(pypi("1.40.0rc1")).toEqual(["GHSA-pppp-qqqq-rrrr"]);
    expect(pypi("1.52.3")).toEqual(["GHSA-pppp-qqqq-rrrr"]);
    expect(pypi("1.52.3.post1.dev0")).toEqual(["GHSA-pppp-qqqq-rrrr"]);
    expect(pypi("1.52.3.post1")).toEqual([]);
    expect(pypi("1.52.4")).toEqual([]);
    expect(db.advisories.find((a) => a.id === "GHSA-pppp-qqqq-rrrr")!.preAuth).toBe(true);
  });
});

describe("build:product-advisories converts GitHub's GraphQL records (a vuln-list directory)", () => {
  it("writes OSV ranges as GitHub's own export does, skips withdrawn records, keeps the commit", () => {
    const root = mkdtempSync(join(tmpdir(), "cp-vulnlist-"));
    const commits: Record<string, string> = {};
    const put = (ghsa: string, range: string, patched: string, withdrawn = "") => {
      const rel = `ghsa/npm/flowise/${ghsa}.json`;
      mkdirSync(join(root, "ghsa/npm/flowise"), { recursive: true });
      // The fields vuln-list stores for GHSA-3gcm-f6qx-ff7p and GHSA-2jch-qc96-9f5g (real values).
      writeFileSync(
        join(root, rel),
        JSON.stringify({
          Severity: "CRITICAL",
          Package: { Ecosystem: "NPM", Name: "flowise" },
          Advisory: {
            GhsaId: ghsa,
            Identifiers: [{ Type: "GHSA", Value: ghsa }],
            References: [{ Url: `https://github.com/advisories/${ghsa}` }],
            PublishedAt: "2025-09-15T19:59:57Z",
            UpdatedAt: "2025-09-22T21:58:42Z",
            WithdrawnAt: withdrawn,
            Summary: "Flowise has Remote Code Execution vulnerability",
            CVSS: { VectorString: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" },
          },
          Versions: [{ FirstPatchedVersion: { Identifier: patched }, VulnerableVersionRange: range }],
        }),
      );
      commits[rel] = "720d53e2615393f491a5140753dafa4dd8ce8d4e";
    };
    put("GHSA-3gcm-f6qx-ff7p", "= 3.0.5", "3.0.6");
    put("GHSA-2jch-qc96-9f5g", "<= 1.4.3", "");
    put("GHSA-3g4j-r53p-22wx", "= 3.0.5", "3.0.6", "2025-10-17T20:22:08Z");
    writeFileSync(join(root, "_commits.json"), JSON.stringify(commits));
    const out = mkdtempSync(join(tmpdir(), "cp-prodadv-"));
    execFileSync(
      process.execPath,
      [join(ROOT, "scripts/build-product-advisories.ts"), "--vuln-list", root, "--out", out],
      {
        encoding: "utf8",
      },
    );
    expect(readdirSync(out).sort()).toEqual(["GHSA-2jch-qc96-9f5g.json", "GHSA-3gcm-f6qx-ff7p.json"]);
    const rec = (id: string) => JSON.parse(readFileSync(join(out, `${id}.json`), "utf8"));
    expect(rec("GHSA-3gcm-f6qx-ff7p").affected[0].ranges[0].events).toEqual([
      { introduced: "3.0.5" },
      { fixed: "3.0.6" },
    ]);
    expect(rec("GHSA-3gcm-f6qx-ff7p").affected[0].database_specific.last_known_affected_version_range).toBe(
      "= 3.0.5",
    );
    expect(rec("GHSA-2jch-qc96-9f5g").affected[0].ranges[0].events).toEqual([
      { introduced: "0" },
      { last_affected: "1.4.3" },
    ]);
    const block = rec("GHSA-3gcm-f6qx-ff7p").database_specific.clawpatrol;
    expect(block.pre_auth_network).toBe(true); // AV:N and PR:N
    expect(block.fixed_source.evidence).toContain(
      "ghsa/npm/flowise/GHSA-3gcm-f6qx-ff7p.json holds it at commit 720d53e2",
    );
    expect(loadProductAdvisories(out).problems).toEqual([]);
  });
});

describe("advisories CLI takes the product", () => {
  const cli = (...args: string[]) => {
    try {
      return {
        code: 0,
        out: execFileSync(process.execPath, [join(ROOT, "bin/clawpatrol.mjs"), ...args], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        }),
      };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, out: `${e.stdout}${e.stderr}` };
    }
  };
  it("check ollama@VERSION and --product, list --product, show by GHSA alias", () => {
    const check = JSON.parse(cli("advisories", "check", "ollama@0.1.33", "--json", "--fail-on", "none").out);
    expect(check.product).toBe("ollama");
    expect(check.affected.map((m: { id: string }) => m.id)).toContain("GO-2024-2901");
    const same = JSON.parse(
      cli("advisories", "check", "0.1.34", "--product", "ollama", "--json", "--fail-on", "none").out,
    );
    expect(same.affected.map((m: { id: string }) => m.id)).not.toContain("GO-2024-2901");
    expect(cli("advisories", "list", "--product", "ollama").out).toMatch(/^\d+ ollama advisories/);
    expect(cli("advisories", "show", "GHSA-8hqg-whrw-pv92").out).toContain("GO-2024-2901");
    const none = cli("advisories", "check", "comfyui@0.3.10");
    expect(none.code).toBe(2);
    expect(none.out).toMatch(/no advisory ecosystem covers comfyui/);
    expect(cli("advisories", "check", "n8n@1.2.3..1.3.0").code).toBe(2);
  });
});
