// A run's report as text and as its one log line: a sink that failed says why, in both.
import { describe, expect, it } from "vitest";
import { reportText } from "../../src/monitor/plan.ts";
import { RUN_SCHEMA, type RunReport, runLine } from "../../src/monitor/runner.ts";

function report(): RunReport {
  return {
    schema: RUN_SCHEMA,
    profile: "lab",
    runId: "scan-1",
    status: "complete",
    startedAt: "2026-10-01T00:00:00.000Z",
    finishedAt: "2026-10-01T00:00:01.000Z",
    seconds: 1,
    endpoints: 3,
    open: 1,
    gateways: 1,
    events: [],
    eventCounts: { new: 1, closed: 0, reopened: 0, changed: 0 },
    alerts: [
      {
        id: "a1",
        key: "k1",
        kind: "new",
        severity: "high",
        title: "New gateway",
        summary: "openclaw 2026.1.29 at 10.0.0.1:18789",
        address: "10.0.0.1:18789",
        runId: "scan-1",
        sinks: { file: "failed", hook: "sent" },
        errors: { file: "/var/alerts/x.ndjson: EACCES: permission denied, open '/var/alerts/x.ndjson'" },
      },
    ],
    deliveries: { sent: 1, failed: 1, suppressed: 0, retried: 0, expired: 0 },
    caughtUp: [],
    sinkErrors: { file: "/var/alerts/x.ndjson: EACCES: permission denied, open '/var/alerts/x.ndjson'" },
    error: null,
  };
}

describe("monitor run report", () => {
  it("names the reason beside a failed sink, and the sent one as sent", () => {
    const text = reportText(report());
    expect(text).toContain("→ file:failed (/var/alerts/x.ndjson: EACCES: permission denied");
    expect(text).toContain(" hook:sent");
  });

  it("the run line says which sink failed and why", () => {
    const line = runLine(report());
    expect(line).toContain("alerts 1 sent, 1 failed, 0 suppressed");
    expect(line).toContain("failed: file: /var/alerts/x.ndjson: EACCES: permission denied");
    const ok = { ...report(), sinkErrors: {}, deliveries: { ...report().deliveries, failed: 0 } };
    expect(runLine(ok)).not.toContain("failed:");
  });
});
