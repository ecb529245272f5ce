// The assertions a product zoo record must meet, shared by the replay tests and the live suite.
import { expect } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import type { ProductInstance } from "./product-zoo.ts";

export function expectProductObservation(o: Observation, z: ProductInstance): void {
  const e = z.expect;
  expect(o.product, z.name).toBe(z.product);
  expect(o.auth, z.name).toBe(e.auth);
  expect(o.facts?.transport, z.name).toBe(e.transport);
  if (e.serverName !== undefined) expect(o.facts?.serverName, z.name).toBe(e.serverName);
  if (e.version !== undefined) expect(o.version, z.name).toBe(e.version);
  if (e.stateful !== undefined) expect(o.facts?.stateful, z.name).toBe(e.stateful);
  expect(o.facts?.toolsListed, z.name).toBe(e.toolsListed);
  // Every conclusion names the exchange that decided it.
  expect(o.evidence.length, z.name).toBeGreaterThan(0);
  const rules = o.findings.map((f) => f.ruleId);
  if (o.exposure === "network") expect(rules, z.name).toContain("CP-SCAN-101");
  if (e.auth === "not-required") expect(rules, z.name).toContain("CP-SCAN-102");
  else expect(rules, z.name).not.toContain("CP-SCAN-102");
}
