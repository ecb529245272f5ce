import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    pool: "forks",
    // Tests compare stderr: the once-per-run warning about data older than 30 days would
    // appear there as the shipped data ages. The tests of that warning turn it back on.
    env: { CLAWPATROL_NO_DATA_AGE_WARNING: "1" },
  },
});
