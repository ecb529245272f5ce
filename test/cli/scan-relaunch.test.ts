// A scan large enough to relaunch itself with heap flags (src/scan/relaunch.ts) behaves as
// one process to its user: targets read from stdin reach the child, and output and exit code
// come from it. In process (a test runner calling the CLI), a scan never relaunches.
import { describe, expect, it } from "vitest";
import { canRelaunchWithHeapFlags, RELAUNCH_FROM } from "../../src/scan/relaunch.ts";
import { runClawpatrol } from "../support/cli.ts";

describe("scan relaunch for large target sets", () => {
  it("never relaunches a process that is not the clawpatrol CLI", () => {
    expect(canRelaunchWithHeapFlags()).toBe(false);
  });

  it("hands targets read from stdin on to the relaunched scan", async () => {
    // A /18 on one port is RELAUNCH_FROM endpoints; nothing listens on 127.254.0.0/18.
    expect(RELAUNCH_FROM).toBe(16_384n);
    const r = await runClawpatrol(
      ["scan", "-", "-p", "18789", "--json", "--rate", "0", "--fail-on", "none"],
      {
        input: "127.254.0.0/18\n",
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^16384 endpoints swept, 0 open/m);
  }, 60_000);
});
