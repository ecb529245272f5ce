// Live: the product zoo (test/support/product-zoo.ts): real MCP servers installed from npm,
// in a network namespace of this test's own, scanned by the CLI from a second namespace over
// a veth. The records must say what the recorded transcripts say (same assertions), and
// every endpoint be identified.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import { observationSchema } from "../../src/scan/record-schema.ts";
import { expectProductObservation } from "../support/expect-product.ts";
import { describeLive } from "../support/live.ts";
import {
  clawpatrolInScanNs,
  installMcp,
  PRODUCT_ZOO,
  productZooUnavailable,
  type RunningZoo,
  startProductZoo,
} from "../support/product-zoo.ts";

let install: ReturnType<typeof installMcp> | null = null;
function unavailable(): string | null {
  const why = productZooUnavailable();
  if (why) return why;
  install = installMcp();
  return "error" in install ? install.error : null;
}

describeLive("product zoo (MCP servers from npm, scanned over a veth)", unavailable(), () => {
  let zoo: RunningZoo;
  let records: Observation[] = [];
  let scan: ReturnType<typeof clawpatrolInScanNs>;
  beforeAll(async () => {
    if (!install || "error" in install) throw new Error("no install");
    zoo = await startProductZoo(install.dir);
    scan = clawpatrolInScanNs(zoo.pair, [
      "scan",
      zoo.address,
      "-p",
      PRODUCT_ZOO.map((z) => z.port).join(","),
      "--json",
      "--fail-on",
      "critical",
    ]);
    records = scan.stdout
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Observation);
  }, 120_000);
  afterAll(() => zoo?.stop());

  it("exits 1 on the critical findings (--fail-on critical)", () => {
    expect(scan.stderr).not.toMatch(/Error|at /);
    expect(scan.status).toBe(1);
  });
  it("writes one valid record per instance", () => {
    expect(records.map((r) => r.port).sort()).toEqual(PRODUCT_ZOO.map((z) => z.port).sort());
    for (const r of records) expect(observationSchema.safeParse(r).success).toBe(true);
  });
  for (const z of PRODUCT_ZOO) {
    it(`${z.name} is identified as recorded`, () => {
      const r = records.find((r) => r.port === z.port);
      expect(r).toBeDefined();
      expect(r!.exposure).toBe("network");
      expectProductObservation(r!, z);
    });
  }
});
