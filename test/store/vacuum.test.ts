// A PGlite store reclaims dead rows (VACUUM) at most once a day on close, not on every close:
// a reclaim cost a quarter second of every inventory and small scan. The mark's mtime is when.
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, VACUUM_EVERY_MS, vacuumDue } from "../../src/store/db.ts";

const root = mkdtempSync(join(tmpdir(), "cp-vacuum-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("store reclaim on close", () => {
  it("reclaims on the first close, skips while the last reclaim is under a day old, reclaims again after", async () => {
    const dir = join(root, "db");
    const mark = join(dir, "clawpatrol.vacuumed");
    let store = await openStore({ dataDir: dir, url: "" });
    expect(vacuumDue(dir)).toBe(true);
    await store.close();
    expect(existsSync(mark)).toBe(true);
    expect(vacuumDue(dir)).toBe(false);

    // A day and a minute ago: due again.
    const old = (Date.now() - VACUUM_EVERY_MS - 60_000) / 1000;
    utimesSync(mark, old, old);
    expect(vacuumDue(dir)).toBe(true);
    store = await openStore({ dataDir: dir, url: "" });
    await store.close();
    expect(statSync(mark).mtimeMs).toBeGreaterThan(Date.now() - 60_000);

    // Fresh mark: the next close leaves it alone.
    const recent = (Date.now() - 3_600_000) / 1000;
    utimesSync(mark, recent, recent);
    store = await openStore({ dataDir: dir, url: "" });
    await store.close();
    expect(Math.round(statSync(mark).mtimeMs / 1000)).toBe(Math.round(recent));
  });

  it("an explicit maintain() always reclaims and moves the mark", async () => {
    const dir = join(root, "db2");
    const store = await openStore({ dataDir: dir, url: "" });
    await store.maintain();
    expect(vacuumDue(dir)).toBe(false);
    await store.close();
  });
});
