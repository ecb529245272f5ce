// Zero false positives: servers that are not OpenClaw-family gateways, some of them
// deliberately similar, must come out with product null and no findings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { runScan } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { buildPlan } from "../../src/targets/spec.ts";
import { streamEndpoints } from "../../src/targets/stream.ts";
import { GENERIC_WS, LOOKALIKES, type Lookalikes, startLookalikes } from "../support/lookalikes.ts";

describe("servers that are not OpenClaw", () => {
  let lookalikes: Lookalikes;
  let ports = new Map<number, string>();
  let results: Observation[] = [];

  beforeAll(async () => {
    lookalikes = await startLookalikes();
    ports = lookalikes.ports;
    const plan = buildPlan(["127.0.0.1"], []);
    results = [];
    for await (const o of runScan(streamEndpoints(plan, [...ports.keys()], { seed: 3 }), {
      rate: 0,
      concurrency: 8,
      probeConcurrency: 8,
      perHost: 8,
      limits: limitsForTimeout(2000),
      includeClosed: false,
      advise: NO_ADVISORIES,
    })) {
      results.push(o);
    }
  });
  afterAll(() => {
    lookalikes.close();
  });

  it("reaches every server", () => {
    expect(results.map((r) => r.port).sort()).toEqual([...ports.keys()].sort());
  });

  for (const name of [...Object.keys(LOOKALIKES), GENERIC_WS]) {
    it(`does not call ${name} a gateway`, () => {
      const port = [...ports.entries()].find(([, n]) => n === name)![0];
      const o = results.find((r) => r.port === port)!;
      expect(o.reachable).toBe(true);
      expect(o.product).toBeNull();
      expect(o.version).toBeNull();
      expect(o.findings).toEqual([]);
      expect(o.severity).toBeNull();
    });
  }
});
