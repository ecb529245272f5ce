// The parsed-data cache for shipped advisories must give exactly what a fresh, validated
// load gives, and must be ignored as soon as any shipped file changes.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMatcher } from "../../src/advisories/match.ts";
import { loadAdvisoryDb, SHIPPED_DIR } from "../../src/advisories/store.ts";

const cacheHome = mkdtempSync(join(tmpdir(), "clawpatrol-adv-cache-"));
const savedXdg = process.env.XDG_CACHE_HOME;
process.env.XDG_CACHE_HOME = cacheHome;
afterAll(() => {
  if (savedXdg === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedXdg;
  rmSync(cacheHome, { recursive: true, force: true });
});

describe("shipped advisory cache", () => {
  it("a cached load equals a fresh load, advisory for advisory and match for match", () => {
    const fresh = loadAdvisoryDb({ userDir: null });
    expect(readdirSync(join(cacheHome, "clawpatrol", "advisories"))).toHaveLength(1);
    const cached = loadAdvisoryDb({ userDir: null });
    expect(JSON.parse(JSON.stringify(cached.advisories))).toEqual(
      JSON.parse(JSON.stringify(fresh.advisories)),
    );
    const q = { product: "clawdbot" as const, version: "2026.1.24-3" };
    expect(createMatcher(cached)(q)).toEqual(createMatcher(fresh)(q));
  });

  it("a changed shipped file is read afresh, not taken from the cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "clawpatrol-adv-dir-"));
    try {
      cpSync(SHIPPED_DIR, dir, { recursive: true });
      const first = loadAdvisoryDb({ shippedDir: dir, userDir: null, cacheShipped: true });
      const victim = first.advisories.find((a) => a.id === "GHSA-g8p2-7wf7-98mq")!;
      const record = { ...victim.record, summary: "changed on disk" };
      writeFileSync(victim.file, JSON.stringify(record));
      const second = loadAdvisoryDb({ shippedDir: dir, userDir: null, cacheShipped: true });
      expect(second.byId.get("GHSA-g8p2-7wf7-98mq")?.summary).toBe("changed on disk");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
