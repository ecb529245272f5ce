import { describe, expect, it } from "vitest";
import { type Finding, reachesThreshold } from "../../src/findings/model.ts";
import { toSarif } from "../../src/findings/sarif.ts";

const fileFinding: Finding = {
  ruleId: "CP-TEST-001",
  severity: "high",
  title: "A test finding",
  asset: "/tmp/x",
  evidence: [{ source: "file", detail: "seen here", path: "skills/a/SKILL.md", line: 3, column: 7 }],
  remediation: "Fix it.",
  references: ["https://example.invalid/rule"],
};
const netFinding: Finding = {
  ...fileFinding,
  ruleId: "CP-TEST-002",
  severity: "low",
  asset: "127.0.0.1:18789",
  evidence: [],
};

describe("sarif", () => {
  it("maps findings to results with rules, levels and locations", () => {
    const log = toSarif([fileFinding, netFinding, fileFinding], {
      name: "clawpatrol",
      version: "0.1.0",
    }) as any;
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(["CP-TEST-001", "CP-TEST-002"]);
    expect(run.results).toHaveLength(3);
    expect(run.results[0].level).toBe("error");
    expect(run.results[1].level).toBe("note");
    expect(run.results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "skills/a/SKILL.md" },
      region: { startLine: 3, startColumn: 7 },
    });
    expect(run.results[1].locations[0].logicalLocations[0].fullyQualifiedName).toBe("127.0.0.1:18789");
    expect(run.results[2].ruleIndex).toBe(0);
  });

  it("applies --fail-on thresholds", () => {
    expect(reachesThreshold([netFinding], "medium")).toBe(false);
    expect(reachesThreshold([netFinding, fileFinding], "high")).toBe(true);
    expect(reachesThreshold([], "info")).toBe(false);
  });
});
