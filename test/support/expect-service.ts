// The assertions an n8n or Flowise zoo record must meet (test/support/service-zoo.ts), shared
// by the replay tests and the live suite: product, exact version, auth state, the facts the
// case names and exactly its finding rules, with evidence.
import { expect } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import { SCAN_RULES } from "../../src/scan/rules.ts";
import type { ServiceCase } from "./service-zoo.ts";

export function expectServiceObservation(o: Observation, c: ServiceCase): void {
  const e = c.expect;
  expect(o.product, c.name).toBe(c.instance.service.product);
  expect(o.version, c.name).toBe(e.version);
  expect(o.auth, c.name).toBe(e.auth);
  for (const [k, value] of Object.entries(e.facts)) expect(o.facts?.[k], `${c.name} ${k}`).toEqual(value);
  expect(o.exposure, c.name).toBe("network");
  // The product's own rules exactly; advisory findings depend on the shipped advisory data
  // (none in the replays, which use no advisor), so they are not the case's to fix.
  const advisory = new Set([SCAN_RULES.advisory.id, SCAN_RULES.preAuthAdvisory.id]);
  const own = o.findings.map((f) => f.ruleId).filter((id) => !advisory.has(id));
  expect(own.sort(), c.name).toEqual([...e.rules].sort());
  expect(o.evidence.length, c.name).toBeGreaterThan(0);
  // Tested against the running product: the confidence of a live-tested fingerprint.
  expect(o.confidence.product, c.name).toBeGreaterThanOrEqual(0.9);
}
