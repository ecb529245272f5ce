// The scan's text table and summary, from real recorded gateways: NOTES name every finding,
// rows sort worst first then by address (IPv4 before IPv6, numerically), counts agree in number.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { scanAdvisor } from "../../src/scan/advise.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { progressLine, ScanTable, summaryLine, tableRow } from "../../src/scan/render.ts";

const seen = (vantage: string, name: string, advise = NO_ADVISORIES): Observation =>
  observe(
    transcriptFromJson(
      readFileSync(new URL(`../fixtures/zoo/${vantage}/${name}.json`, import.meta.url), "utf8"),
    ),
    advise,
  );

const notesOf = (row: string) => row.split(/ (?:critical|high|medium|low|info) +/)[1] ?? "";

describe("scan text", () => {
  it("NOTES name every finding, also when no advisory applies", () => {
    const relayed = seen("remote", "oc96-noauth-relayed");
    const token = seen("remote", "oc96-lan-token");
    expect(relayed.advisories).toEqual([]);
    expect(relayed.findings.map((f) => f.ruleId).sort()).toEqual([
      "CP-SCAN-001",
      "CP-SCAN-002",
      "CP-SCAN-003",
    ]);
    // Worst finding first (ties in the order the assessment gave them).
    const phrase: Record<string, string> = {
      "CP-SCAN-001": "reachable over the network",
      "CP-SCAN-002": "accepts clients without credentials",
      "CP-SCAN-003": "treats remote clients as local",
    };
    const rank = ["info", "low", "medium", "high", "critical"];
    const expected = [...relayed.findings]
      .sort((a, b) => rank.indexOf(b.severity) - rank.indexOf(a.severity))
      .map((f) => phrase[f.ruleId]);
    expect(notesOf(tableRow(relayed)).split("; ")).toEqual(expected);
    expect(token.findings.length).toBeGreaterThan(0);
    expect(notesOf(tableRow(token))).toBe("reachable over the network");
    // A row that names its advisories says no more (AUTH and REMOTE=LOCAL show the rest).
    const old = seen("remote", "cb124-lan-token", scanAdvisor());
    expect(old.findings.map((f) => f.ruleId)).toContain("CP-SCAN-001");
    expect(notesOf(tableRow(old))).toMatch(/^advisories: .*; upgrade to \S+$/);
  });

  it("rows sort by severity, then address numerically with IPv4 before IPv6, then port", () => {
    const high = seen("remote", "oc96-noauth-relayed");
    const medium = seen("remote", "oc96-lan-token");
    expect([high.severity, medium.severity]).toEqual(["critical", "medium"]);
    const at = (o: Observation, ip: string, port: number): Observation => ({ ...o, host: ip, ip, port });
    const table = new ScanTable();
    for (const o of [
      at(medium, "::1", 5),
      at(medium, "10.0.0.10", 1),
      at(high, "fe80::2", 1),
      at(medium, "10.0.0.9", 2),
      at(medium, "10.0.0.9", 1),
      at(high, "192.168.0.1", 1),
      { ...at(medium, "", 18789), host: "gone.invalid", error: "cannot resolve: ENOTFOUND" },
      at(medium, "9.255.255.255", 1),
    ])
      table.add(o);
    const targets = table
      .render()
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/)[0]);
    expect(targets).toEqual([
      "192.168.0.1:1",
      "[fe80::2]:1",
      "9.255.255.255:1",
      "10.0.0.9:1",
      "10.0.0.9:2",
      "10.0.0.10:1",
      "[::1]:5",
      "gone.invalid:18789",
    ]);
  });

  it("counts agree in number in the summary and the progress line", () => {
    const one = { swept: 1, open: 1, probed: 1, gateways: 1, inFlight: 0 };
    expect(summaryLine(one, { noAuth: 1, remoteLocal: 0 }, 0.1)).toBe(
      "1 endpoint swept, 1 open, 1 OpenClaw-family gateway (1 without auth, 0 treating remote clients as local) in 0.1 s",
    );
    const two = { swept: 2, open: 2, probed: 2, gateways: 0, inFlight: 0 };
    expect(summaryLine(two, { noAuth: 0, remoteLocal: 0 }, 1, { unreadable: 1, unresolved: 0 })).toBe(
      "2 endpoints swept, 2 open, 0 OpenClaw-family gateways (0 without auth, 0 treating remote clients as local) in 1.0 s; 1 target not scanned (1 not a valid target)",
    );
    expect(progressLine(one, 4n, 1)).toMatch(/, 1 gateway, /);
    expect(progressLine(two, 4n, 1)).toMatch(/, 0 gateways, /);
  });
});
