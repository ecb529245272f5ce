// Live: the service zoo (test/support/service-zoo.ts): real n8n and Flowise from npm, each in
// a network namespace of this test's own and offline, scanned by the CLI from a second
// namespace over a veth. Phase 1 scans them as started (a fresh n8n, its public API on by
// default; a Flowise without an account); then each instance's own first-run setup makes
// an owner / the first account, and phase 2 scans again. The records must say what the
// recorded transcripts say (the same assertions as test/fingerprints/services.test.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import { observationSchema } from "../../src/scan/record-schema.ts";
import { netnsUnavailable } from "../firewall/support/netns.ts";
import { expectServiceObservation } from "../support/expect-service.ts";
import { describeLive, REQUIRE_LIVE } from "../support/live.ts";
import {
  FLOWISE,
  installedMs,
  installService,
  N8N,
  type RunningServiceZoo,
  SERVICE_CASES,
  scanServices,
  setUpPhase,
  startServiceZoo,
} from "../support/service-zoo.ts";

function unavailable(): string | null {
  const why = netnsUnavailable();
  if (why) return why;
  for (const s of [N8N, FLOWISE]) {
    if (installedMs(s) !== null) continue;
    // CI installs them first (.ci/run); a developer's run says how.
    if (!REQUIRE_LIVE)
      return `${s.pkg}@${s.version} is not installed (node scripts/install-service-zoo.ts; about 15 minutes)`;
    const r = installService(s);
    if ("error" in r) return r.error;
  }
  return null;
}

describeLive("service zoo (n8n and Flowise from npm, scanned over a veth)", unavailable(), () => {
  let zoo: RunningServiceZoo;
  let work: string;
  const scans: Record<1 | 2, ReturnType<typeof scanServices> | null> = { 1: null, 2: null };
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "clawpatrol-services-"));
    zoo = await startServiceZoo(work);
    scans[1] = scanServices(zoo);
    await setUpPhase(zoo, 2);
    scans[2] = scanServices(zoo);
  }, 600_000);
  afterAll(() => {
    zoo?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("each scan exits 0 (--fail-on none) with one valid record per instance", () => {
    for (const phase of [1, 2] as const) {
      const s = scans[phase]!;
      expect(s.status, s.stderr).toBe(0);
      expect(s.records.map((r) => r.port).sort()).toEqual(zoo.running.map((r) => r.c.port).sort());
      for (const r of s.records) expect(observationSchema.safeParse(r).success).toBe(true);
    }
  });
  for (const c of SERVICE_CASES) {
    it(`${c.name} is identified as recorded`, () => {
      const r: Observation | undefined = scans[c.phase]!.records.find((o) => o.port === c.instance.port);
      expect(r, c.name).toBeDefined();
      expectServiceObservation(r!, c);
    });
  }
});
