// withStore: open, work, close whatever happens; a store that cannot be opened is the one-line
// RunError every command prints ("cannot open the store: ...").
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { RunError } from "../../src/core/errors.ts";
import { withStore } from "../../src/store/db.ts";

const root = mkdtempSync(join(tmpdir(), "cp-with-store-"));
const saved = { home: process.env.CLAWPATROL_HOME, url: process.env.DATABASE_URL };
afterEach(() => {
  process.env.CLAWPATROL_HOME = saved.home;
  process.env.DATABASE_URL = saved.url;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("withStore", () => {
  it("closes the store (its lock is gone) even when the work throws", async () => {
    process.env.CLAWPATROL_HOME = join(root, "a");
    process.env.DATABASE_URL = "";
    await expect(
      withStore(async (store) => {
        expect(existsSync(join(store.location, "clawpatrol.lock"))).toBe(true);
        throw new Error("work failed");
      }),
    ).rejects.toThrow("work failed");
    expect(existsSync(join(root, "a", "db", "clawpatrol.lock"))).toBe(false);
  });

  it("a store held by another process is a RunError naming it", async () => {
    const home = join(root, "b");
    mkdirSync(join(home, "db"), { recursive: true });
    const holder = spawn("sleep", ["30"]);
    try {
      writeFileSync(join(home, "db", "clawpatrol.lock"), String(holder.pid));
      process.env.CLAWPATROL_HOME = home;
      process.env.DATABASE_URL = "";
      const err = await withStore(async () => "never").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunError);
      expect((err as Error).message).toMatch(/^cannot open the store: .*in use by process/);
    } finally {
      holder.kill();
    }
  });
});
