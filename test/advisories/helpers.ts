// Small OSV fixtures for the advisory tests: write records and a release list into a temp dir
// and load them the same way the product does.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMatcher, type MatchQuery, type MatchResult } from "../../src/advisories/match.ts";
import { type AdvisoryDb, loadAdvisoryDb } from "../../src/advisories/store.ts";

export function tempDir(prefix = "clawpatrol-adv-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface FixtureRange {
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
  pkg?: string;
}

/** A valid shipped-style record with one range per entry of `ranges`. */
export function record(
  id: string,
  ranges: FixtureRange[],
  extra: {
    severity?: "LOW" | "MODERATE" | "HIGH" | "CRITICAL";
    cvss?: string;
    preAuth?: boolean;
    ui?: boolean;
    exposure?: string[];
    aliases?: string[];
    summary?: string;
  } = {},
): Record<string, unknown> {
  const byPkg = new Map<string, FixtureRange[]>();
  for (const r of ranges) byPkg.set(r.pkg ?? "openclaw", [...(byPkg.get(r.pkg ?? "openclaw") ?? []), r]);
  return {
    schema_version: "1.6.0",
    id,
    modified: "2026-11-24T00:00:00Z",
    published: "2026-03-01T00:00:00Z",
    aliases: extra.aliases ?? [],
    summary: extra.summary ?? `fixture ${id}`,
    details: `details of ${id}`,
    ...(extra.cvss
      ? { severity: [{ type: extra.cvss.startsWith("CVSS:4.0") ? "CVSS_V4" : "CVSS_V3", score: extra.cvss }] }
      : {}),
    affected: [...byPkg.entries()].map(([name, list]) => ({
      package: { ecosystem: "npm", name },
      ranges: list.map((r) => ({
        type: "ECOSYSTEM",
        events: [
          { introduced: r.introduced ?? "0" },
          ...(r.fixed ? [{ fixed: r.fixed }] : r.lastAffected ? [{ last_affected: r.lastAffected }] : []),
        ],
      })),
    })),
    references: [{ type: "ADVISORY", url: `https://github.com/advisories/${id}` }],
    database_specific: {
      severity: extra.severity ?? "HIGH",
      clawpatrol: {
        pre_auth_network: extra.preAuth ?? false,
        user_interaction: extra.ui ?? false,
        known_exploited: false,
        exposure: extra.exposure ?? ["gateway"],
        fixed_source: { method: "ghsa", evidence: "fixture: GitHub advisory text" },
      },
    },
  };
}

export const FIXTURE_RELEASES = {
  source: "fixture",
  fetched: "2026-11-24",
  packages: {
    openclaw: [
      "0.0.1",
      "2026.1.29",
      "2026.1.30",
      "2026.2.1",
      "2026.2.2",
      "2026.2.3",
      "2026.2.6-3",
      "2026.2.12",
      "2026.2.17",
      "2026.2.21",
      "2026.2.22",
      "2026.2.22-1",
      "2026.3.1",
      "2026.3.2",
      "2026.3.13",
      "2026.3.23-beta.1",
      "2026.3.23",
      "2026.4.1",
      "2026.5.1",
    ],
    clawdbot: ["2026.1.24", "2026.1.24-3"],
    moltbot: ["0.1.0"],
  },
  placeholders: { openclaw: ["0.0.1"], moltbot: ["0.1.0"] },
};

/** Write records (+ release list) into a fresh dir and return it. */
export function writeFixtureDir(
  records: Record<string, unknown>[],
  releases: unknown = FIXTURE_RELEASES,
): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  for (const r of records) writeFileSync(join(dir, `${String(r.id)}.json`), JSON.stringify(r, null, 2));
  if (releases) writeFileSync(join(dir, "_releases.json"), JSON.stringify(releases));
  return dir;
}

export function fixtureDb(
  records: Record<string, unknown>[],
  releases: unknown = FIXTURE_RELEASES,
): AdvisoryDb {
  return loadAdvisoryDb({ shippedDir: writeFixtureDir(records, releases), userDir: null });
}

export function fixtureMatcher(records: Record<string, unknown>[]): (q: MatchQuery) => MatchResult {
  return createMatcher(fixtureDb(records));
}

export const ids = (list: { id: string }[]): string[] => list.map((m) => m.id).sort();
