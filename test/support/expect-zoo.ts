// The assertions shared by replay and live tests: one zoo instance seen from one vantage.
import { expect } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import type { Vantage, ZooExpectation } from "./zoo.ts";

export function expectZooObservation(o: Observation, z: ZooExpectation, vantage: Vantage): void {
  const label = `${z.name} (${vantage})`;
  expect(o.product, `${label} product`).toBe(z.product);
  expect(o.version, `${label} version`).toBe(z.version);
  expect(o.versionRange, `${label} versionRange`).toBeNull();
  expect(o.auth, `${label} auth`).toBe(z.auth);
  expect(o.remoteLooksLocal, `${label} remoteLooksLocal`).toBe(
    vantage === "remote" ? z.remoteLooksLocal : false,
  );
  expect(o.conflicts, `${label} conflicts`).toEqual([]);
  expect(o.confidence.product, `${label} product confidence`).toBeGreaterThanOrEqual(0.9);
  expect(o.confidence.version, `${label} version confidence`).toBeGreaterThanOrEqual(0.9);
  expect(o.confidence.auth, `${label} auth confidence`).toBeGreaterThanOrEqual(0.9);
  expect(o.protocol, `${label} protocol`).toBe(z.version >= "2026.5" ? 4 : 3);
  expect(o.evidence.length, `${label} evidence`).toBeGreaterThan(0);
  if (vantage === "remote") expect(o.exposure).toBe("network");
  // Findings follow from the verdict.
  const ids = o.findings.map((f) => f.ruleId);
  if (z.auth === "not-required") expect(ids, `${label} no-auth finding`).toContain("CP-SCAN-002");
  if (vantage === "remote" && z.remoteLooksLocal)
    expect(ids, `${label} remote-local finding`).toContain("CP-SCAN-003");
  if (vantage === "remote") expect(ids, `${label} exposure finding`).toContain("CP-SCAN-001");
}
