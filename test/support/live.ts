// Live suites (the real zoo, PostgreSQL, Chromium, namespaces) run when their service is
// present and otherwise skip with a one-line reason. With CLAWPATROL_REQUIRE_LIVE=1 a
// missing service is a failure instead.
import { describe, it } from "vitest";

export const REQUIRE_LIVE = process.env.CLAWPATROL_REQUIRE_LIVE === "1";

/**
 * `reason` is null when the service is available, else why it is not.
 */
export function describeLive(name: string, reason: string | null, body: () => void): void {
  if (reason === null) {
    describe(name, body);
    return;
  }
  if (REQUIRE_LIVE) {
    describe(name, () => {
      it("has its live service (CLAWPATROL_REQUIRE_LIVE=1)", () => {
        throw new Error(`live service missing: ${reason}`);
      });
    });
    return;
  }
  process.stderr.write(`[live] skipping ${name}: ${reason}\n`);
  describe.skip(`${name} (skipped: ${reason})`, body);
}
