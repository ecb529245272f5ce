// `scan --store` writes through a store session on its own thread (PGlite's work overlaps the
// scan). The thread session must behave as the store itself: the run written through it is the
// run the store holds, and the store's own errors (a store held by another process) arrive as
// the same kind of error, on the first call, without a hang.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, StoreBusyError } from "../../src/store/db.ts";
import { listRuns } from "../../src/store/query.ts";
import { openThreadSession } from "../../src/store/session-thread.ts";
import { synthetic } from "./records.ts";

const root = mkdtempSync(join(tmpdir(), "cp-store-thread-"));
const saved = { home: process.env.CLAWPATROL_HOME, url: process.env.DATABASE_URL };
beforeAll(() => {
  process.env.DATABASE_URL = "";
});
afterAll(() => {
  process.env.CLAWPATROL_HOME = saved.home;
  process.env.DATABASE_URL = saved.url;
  rmSync(root, { recursive: true, force: true });
});

describe("store session on its own thread", () => {
  it("writes a run the store then holds, with its summary", async () => {
    process.env.CLAWPATROL_HOME = join(root, "home1");
    const session = await openThreadSession();
    expect(session.where).toContain(join(root, "home1", "db"));
    const runId = "scan-thread-test";
    await session.beginRun({
      id: runId,
      kind: "scan",
      source: "scan",
      startedAt: new Date().toISOString(),
      options: {},
      targets: ["10.0.0.0/24"],
      scope: null,
      profile: null,
    });
    const batch = Array.from({ length: 12 }, (_, i) => ({ seq: i, observation: synthetic(i) }));
    await session.writeBatch(runId, batch);
    const summary = await session.completeRun(runId, new Date().toISOString());
    expect(summary.records).toBe(12);
    await session.close();

    const store = await openStore({ dataDir: join(root, "home1", "db"), url: "" });
    try {
      const runs = await listRuns(store.db);
      expect(runs.map((r) => r.id)).toContain(runId);
    } finally {
      await store.close();
    }
  });

  it("a store held by another live process fails the open with StoreBusyError, and the thread ends", async () => {
    const home = join(root, "home2");
    mkdirSync(join(home, "db"), { recursive: true });
    const holder = spawn("sleep", ["30"]);
    try {
      writeFileSync(join(home, "db", "clawpatrol.lock"), String(holder.pid));
      process.env.CLAWPATROL_HOME = home;
      const started = Date.now();
      await expect(openThreadSession()).rejects.toBeInstanceOf(StoreBusyError);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      holder.kill();
    }
  });
});
