// Version table against the shipped advisory data: every boundary of a few advisories chosen
// for their shapes (fixed, last_affected, non-zero introduced, rebuild and beta neighbours,
// pre-rename clawdbot/moltbot builds, pre-CalVer versions, a fixed version that was adjusted
// to the CHANGELOG), and then a generated check over every range of every record.
import { describe, expect, it } from "vitest";
import { compareVersions, parseCalVer } from "../../src/advisories/calver.ts";
import { createMatcher, type Product } from "../../src/advisories/match.ts";
import { contains } from "../../src/advisories/ranges.ts";
import { loadAdvisoryDb } from "../../src/advisories/store.ts";

const db = loadAdvisoryDb({ userDir: null });
const match = createMatcher(db);
const memo = new Map<string, Set<string>>();
const affectedIds = (product: Product, version: string): Set<string> => {
  const key = `${product}@${version}`;
  let hit = memo.get(key);
  if (!hit) {
    hit = new Set(match({ product, version }).affected.map((m) => m.id));
    memo.set(key, hit);
  }
  return hit;
};

// [product, version, advisory, expected affected?]
const TABLE: [Product, string, string, boolean][] = [
  // CVE-2026-25253: clawdbot-only GHSA, < 2026.1.29; the rename line carries it to moltbot/openclaw builds.
  ["clawdbot", "2.0.0-beta5", "GHSA-g8p2-7wf7-98mq", true],
  ["clawdbot", "2026.1.5", "GHSA-g8p2-7wf7-98mq", true],
  ["clawdbot", "2026.1.24", "GHSA-g8p2-7wf7-98mq", true],
  ["clawdbot", "2026.1.24-3", "GHSA-g8p2-7wf7-98mq", true],
  ["moltbot", "2026.1.27-beta.1", "GHSA-g8p2-7wf7-98mq", true],
  ["openclaw", "2026.1.29-beta.7", "GHSA-g8p2-7wf7-98mq", true],
  ["openclaw", "2026.1.29", "GHSA-g8p2-7wf7-98mq", false],
  ["openclaw", "2026.1.29-1", "GHSA-g8p2-7wf7-98mq", false],
  ["openclaw", "2026.1.30", "GHSA-g8p2-7wf7-98mq", false],
  // config.apply RCE: < 2026.1.20 (fixed before the rename).
  ["clawdbot", "2026.1.17-1", "GHSA-g55j-c2v4-pjcg", true],
  ["clawdbot", "2026.1.20-beta.1", "GHSA-g55j-c2v4-pjcg", true],
  ["clawdbot", "2026.1.20", "GHSA-g55j-c2v4-pjcg", false],
  ["clawdbot", "2026.1.24-3", "GHSA-g55j-c2v4-pjcg", false],
  // introduced 2026.1.14-1 (a rebuild), fixed 2026.2.12.
  ["clawdbot", "2026.1.14", "GHSA-qw99-grcx-4pvm", false],
  ["clawdbot", "2026.1.14-1", "GHSA-qw99-grcx-4pvm", true],
  ["clawdbot", "2026.1.14-2", "GHSA-qw99-grcx-4pvm", true],
  ["openclaw", "2026.2.9", "GHSA-qw99-grcx-4pvm", true],
  ["openclaw", "2026.2.12-beta.1", "GHSA-qw99-grcx-4pvm", true],
  ["openclaw", "2026.2.12", "GHSA-qw99-grcx-4pvm", false],
  // introduced 2026.2.17, fixed 2026.2.25.
  ["openclaw", "2026.2.16", "GHSA-qj22-xqjr-v83v", false],
  ["openclaw", "2026.2.17-beta.1", "GHSA-qj22-xqjr-v83v", false],
  ["openclaw", "2026.2.17", "GHSA-qj22-xqjr-v83v", true],
  ["openclaw", "2026.2.24", "GHSA-qj22-xqjr-v83v", true],
  ["openclaw", "2026.2.25-beta.1", "GHSA-qj22-xqjr-v83v", true],
  ["openclaw", "2026.2.25", "GHSA-qj22-xqjr-v83v", false],
  // fixed 2026.2.22: the 2026.2.21-N rebuilds are still affected, 2026.2.22-1 is not.
  ["openclaw", "2026.2.21-2", "GHSA-5847-rm3g-23mw", true],
  ["openclaw", "2026.2.22-beta.1", "GHSA-5847-rm3g-23mw", true],
  ["openclaw", "2026.2.22", "GHSA-5847-rm3g-23mw", false],
  ["openclaw", "2026.2.22-1", "GHSA-5847-rm3g-23mw", false],
  // fixed 2026.2.21: a rebuild of the fixed release is fixed too.
  ["openclaw", "2026.2.19-2", "GHSA-2rgf-hm63-5qph", true],
  ["openclaw", "2026.2.21", "GHSA-2rgf-hm63-5qph", false],
  ["openclaw", "2026.2.21-1", "GHSA-2rgf-hm63-5qph", false],
  // last_affected 2026.2.24 (tracker range confirmed by the fix commit).
  ["openclaw", "2026.2.24", "GHSA-jmmg-jqc7-5qf4", true],
  ["openclaw", "2026.2.24-1", "GHSA-jmmg-jqc7-5qf4", false],
  ["openclaw", "2026.2.25", "GHSA-jmmg-jqc7-5qf4", false],
  // advisory says < 2026.3.11; the CHANGELOG and fix commit put it in 2026.3.12.
  ["openclaw", "2026.3.11", "GHSA-vmhq-cqm9-6p7q", true],
  ["openclaw", "2026.3.12", "GHSA-vmhq-cqm9-6p7q", false],
  ["openclaw", "2026.3.13", "GHSA-vmhq-cqm9-6p7q", false],
  // fixed moved from the unreleased 2026.3.25 to 2026.3.26 by the fix commit's position.
  ["openclaw", "2026.3.24", "GHSA-xq8g-hgh6-87hv", true],
  ["openclaw", "2026.3.25", "GHSA-xq8g-hgh6-87hv", true],
  ["openclaw", "2026.3.26", "GHSA-xq8g-hgh6-87hv", false],
  ["openclaw", "2026.3.28", "GHSA-xq8g-hgh6-87hv", false],
  // introduced at a pre-CalVer version (2.0.0-beta3).
  ["clawdbot", "2.0.0-beta2", "GHSA-hv93-r4j3-q65f", false],
  ["clawdbot", "2.0.0-beta3", "GHSA-hv93-r4j3-q65f", true],
  ["clawdbot", "2026.1.24-3", "GHSA-hv93-r4j3-q65f", true],
  ["openclaw", "2026.2.12", "GHSA-hv93-r4j3-q65f", false],
  // Browser relay /cdp: openclaw >= 2026.1.20 < 2026.2.1, moltbot build inside it.
  ["clawdbot", "2026.1.19", "GHSA-mr32-vwc2-5j6h", false],
  ["clawdbot", "2026.1.20", "GHSA-mr32-vwc2-5j6h", true],
  ["moltbot", "2026.1.27-beta.1", "GHSA-mr32-vwc2-5j6h", true],
  ["openclaw", "2026.1.30", "GHSA-mr32-vwc2-5j6h", true],
  ["openclaw", "2026.2.1", "GHSA-mr32-vwc2-5j6h", false],
  // Window advisory: >= 2026.4.7 < 2026.4.14.
  ["openclaw", "2026.4.5", "GHSA-g2hm-779g-vm32", false],
  ["openclaw", "2026.4.7", "GHSA-g2hm-779g-vm32", true],
  ["openclaw", "2026.4.12", "GHSA-g2hm-779g-vm32", true],
  ["openclaw", "2026.4.14", "GHSA-g2hm-779g-vm32", false],
  // Late fix.
  ["openclaw", "2026.5.31-beta.4", "GHSA-9c3v-684m-579c", true],
  ["openclaw", "2026.6.1", "GHSA-9c3v-684m-579c", true],
  ["openclaw", "2026.6.5", "GHSA-9c3v-684m-579c", false],
];

describe("advisory version table (shipped data)", () => {
  it.each(TABLE)("%s %s -> %s affected=%s", (product, version, id, expected) => {
    expect(db.byId.has(id), `${id} is in data/advisories`).toBe(true);
    expect(affectedIds(product, version).has(id)).toBe(expected);
  });

  it("lists nothing for the newest release and for the placeholder packages", () => {
    expect(match({ product: "openclaw", version: "2026.9.6" }).affected).toEqual([]);
    const placeholder = match({ product: "openclaw", version: "0.0.1" });
    expect(placeholder.affected).toEqual([]);
    expect(placeholder.notes.join(" ")).toMatch(/placeholder/);
    expect(match({ product: "moltbot", version: "0.1.0" }).affected).toEqual([]);
  });

  it("treats the three names as one line: same version, same advisories", () => {
    for (const v of ["2026.1.24-3", "2026.1.27-beta.1", "2026.2.3"]) {
      const a = affectedIds("clawdbot", v);
      expect(affectedIds("moltbot", v)).toEqual(a);
      expect(affectedIds("openclaw", v)).toEqual(a);
    }
  });

  it("agrees with every range of every record at its boundaries (generated)", () => {
    let checked = 0;
    for (const a of db.advisories) {
      for (const iv of a.intervals) {
        const probes: [string, boolean][] = [];
        if (iv.introduced) {
          probes.push([iv.introduced, true]);
          const p = parseCalVer(iv.introduced)!;
          if (!p.pre) probes.push([`${iv.introduced}-beta.1`, false]);
        }
        if (iv.fixed) {
          probes.push([iv.fixed, false]);
          const p = parseCalVer(iv.fixed)!;
          if (!p.pre && !p.rebuild) probes.push([`${iv.fixed}-1`, false]);
          const beta = `${p.year}.${p.month}.${p.day}-beta.1`;
          if (!p.pre && (!iv.introduced || compareVersions(beta, iv.introduced) >= 0))
            probes.push([beta, true]);
        }
        if (iv.lastAffected) {
          probes.push([iv.lastAffected, true]);
          const p = parseCalVer(iv.lastAffected)!;
          if (!p.pre) probes.push([`${p.year}.${p.month}.${p.day}-${p.rebuild + 1}`, false]);
        }
        for (const [v, inThis] of probes) {
          // Only assert "not affected" when no other range of the same advisory covers v.
          const expected = inThis || a.intervals.some((other) => other !== iv && contains(other, v));
          expect(affectedIds("openclaw", v).has(a.id), `${a.id} at ${v} (${JSON.stringify(iv)})`).toBe(
            expected,
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
