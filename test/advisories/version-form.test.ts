// `advisories check` takes versions in the form the product publishes them (YYYY.M.D, -N,
// -beta.N) and nothing else: every release on npm is accepted, 1.2.3 and friends are exit 2.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isPublishedVersionForm, parseCheckQuery } from "../../src/cli/advisories.ts";
import { UsageError } from "../../src/core/errors.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const releases = JSON.parse(
  readFileSync(new URL("../../data/advisories/_releases.json", import.meta.url), "utf8"),
) as { packages: Record<string, string[]>; placeholders: Record<string, string[]> };
const uiTable = JSON.parse(
  readFileSync(new URL("../../data/fingerprints/openclaw-ui-versions.json", import.meta.url), "utf8"),
) as { releases: { package: string; version: string }[] };

const placeholders = new Set(Object.values(releases.placeholders).flat());
const published = [
  ...Object.values(releases.packages).flat(),
  ...uiTable.releases.map((r) => r.version).filter((v) => !placeholders.has(v)),
];

describe("advisories check: version form", () => {
  it("accepts every version OpenClaw, Clawdbot and Moltbot published", () => {
    expect(published.length).toBeGreaterThan(100);
    for (const v of published) {
      expect(isPublishedVersionForm(v), v).toBe(true);
      expect(parseCheckQuery(v).label).toBe(v);
    }
    // The forms seen, so the test fails if the data stops covering them.
    expect(published.some((v) => /-beta\.\d+$/.test(v))).toBe(true);
    expect(published.some((v) => /\.\d+-\d+$/.test(v))).toBe(true);
    expect(parseCheckQuery("v2026.3.13").label).toBe("2026.3.13");
  });

  it("rejects what no release looks like, in versions, ranges and candidate lists", () => {
    const bad = [
      "1.2.3",
      "0.0.1", // the placeholder package versions are not the product
      "2026.13.1",
      "2026.0.5",
      "2026.1.0",
      "2026.01.5",
      "2026.1.05",
      "26.1.5",
      "20266.1.5",
      "2026.1.5-0",
      "2026.1.5-beta",
      "2026.1.5-beta.0",
      "2026.1.5-rc.1",
      "2026.1.5-alpha.1",
      "2026.1.5-3-beta.1",
      "2026.1.5.1",
      "2026.1.123",
    ];
    for (const v of bad) {
      expect(isPublishedVersionForm(v), v).toBe(false);
      for (const query of [v, `${v}..2026.9.6`, `2026.1.1..${v}`, `2026.3.13,${v}`, `>=${v}`]) {
        expect(() => parseCheckQuery(query), query).toThrow(UsageError);
        expect(() => parseCheckQuery(query), query).toThrow(
          /expected YYYY\.M\.D, optionally with -N or -beta\.N/,
        );
      }
    }
  });

  it("the CLI says so in one line and exits 2", async () => {
    const r = await runClawpatrol(["advisories", "check", "1.2.3"]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/version "1\.2\.3" is not an OpenClaw-family version: expected YYYY\.M\.D/);
    expect(r.stdout).toBe("");
  });
});
