// The NDJSON line of a scan record is byte-for-byte JSON.stringify(record), also when a
// long advisory list is spliced in and target text imitates the splice point.
import { describe, expect, it } from "vitest";
import type { AdvisorySummary, Observation } from "../../src/scan/record.ts";
import { NOT_A_GATEWAY, SCAN_SCHEMA } from "../../src/scan/record.ts";
import { recordLine } from "../../src/scan/record-json.ts";

const advisories: AdvisorySummary[] = Array.from({ length: 40 }, (_, i) => ({
  id: `GHSA-test-${i}`,
  aliases: i % 2 ? [`CVE-2026-${1000 + i}`] : [],
  severity: "high",
  preAuth: i % 3 === 0,
  exposure: ["gateway"],
  fixed: "2026.9.6",
  certainty: "affected",
}));

function record(excerpt: string, list: AdvisorySummary[]): Observation {
  return {
    schema: SCAN_SCHEMA,
    host: "127.0.0.1",
    ip: "127.0.0.1",
    port: 18789,
    url: "http://127.0.0.1:18789/",
    exposure: "loopback",
    tls: null,
    ...NOT_A_GATEWAY,
    product: "openclaw",
    evidence: [{ source: "GET /", detail: "page", excerpt }],
    advisories: list,
    upgradeTo: "2026.9.6",
    findings: [],
    severity: "high",
    error: null,
    reachable: true,
    scannedAt: "2026-01-01T00:00:00.000Z",
    ms: 3,
  };
}

const lineBytes = (o: Observation) =>
  Buffer.concat(recordLine(o).map((p) => (typeof p === "string" ? Buffer.from(p) : p))).toString("utf8");

describe("recordLine", () => {
  it("equals JSON.stringify, for short and long (shared) advisory lists", () => {
    for (const list of [[], advisories.slice(0, 3), advisories]) {
      const o = record("<title>OpenClaw Control</title>", list);
      expect(lineBytes(o)).toBe(`${JSON.stringify(o)}\n`);
      expect(lineBytes(o)).toBe(`${JSON.stringify(o)}\n`);
    }
  });

  it("writes the line in pieces whose UTF-8 bytes are JSON.stringify's plus a newline", () => {
    for (const excerpt of ["plain", "2026.1.21–2026.2.14 … 🦞"]) {
      const o = record(excerpt, advisories);
      const parts = recordLine(o);
      // The long list is one shared, already-encoded piece.
      expect(parts.filter((p) => typeof p !== "string")).toHaveLength(1);
      expect(recordLine(record(excerpt, advisories))[1]).toBe(parts[1]);
      expect(lineBytes(o)).toBe(`${JSON.stringify(o)}\n`);
    }
    expect(lineBytes(record("x", []))).toBe(`${JSON.stringify(record("x", []))}\n`);
  });

  it("is not fooled by target text that looks like the splice point", () => {
    for (const excerpt of [
      '"advisories-',
      '"advisories":[]',
      "advisories-00000000-0000-0000-0000-000000000000",
    ]) {
      const o = record(excerpt, advisories);
      expect(lineBytes(o)).toBe(`${JSON.stringify(o)}\n`);
    }
  });
});
