// Live: the real clawpatrol CLI against the real zoo gateways, from the local vantage
// (inside the gateways' namespace, over loopback) and the remote one (a second namespace,
// gateways at 198.18.0.1). Same assertions as the replay tests.
import { execFileSync } from "node:child_process";
import { beforeAll, expect, it } from "vitest";
import type { Observation } from "../../src/scan/record.ts";
import { expectZooObservation } from "../support/expect-zoo.ts";
import { describeLive } from "../support/live.ts";
import {
  REPO_ROOT,
  ZOO,
  ZOO_EXTRA,
  ZOO_EXTRA_CATALOGUE,
  ZOO_SH,
  ZOO_SIDE_PORTS,
  zooUnavailable,
} from "../support/zoo.ts";

const ALL = [...ZOO, ...ZOO_EXTRA];

function scanIn(vantage: "exec" | "scan-exec", args: string[]): Observation[] {
  const out = execFileSync(
    ZOO_SH,
    [
      vantage,
      process.execPath,
      `${REPO_ROOT}/bin/clawpatrol.mjs`,
      "scan",
      "--json",
      "--fail-on",
      "none",
      "--no-progress",
      ...args,
    ],
    {
      encoding: "utf8",
      cwd: REPO_ROOT,
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ZOO_CATALOGUE_EXTRA: ZOO_EXTRA_CATALOGUE },
    },
  );
  return out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Observation);
}

describeLive("live zoo scan", zooUnavailable(ALL), () => {
  let local: Observation[] = [];
  let remote: Observation[] = [];

  beforeAll(() => {
    const localPorts = [...ALL.map((z) => z.local.port), ...ZOO_SIDE_PORTS].join(",");
    local = scanIn("exec", ["127.0.0.1", "127.0.0.52", "-p", localPorts]);
    // From the remote vantage, sweep a wide port range: only the exposed listeners may answer.
    remote = scanIn("scan-exec", ["198.18.0.1", "-p", "18700-29000", "--rate", "0"]);
  }, 300_000);

  for (const z of ALL) {
    it(`${z.name}: local vantage`, () => {
      const o = local.find((r) => r.host === z.local.host && r.port === z.local.port);
      expect(o, `no record for ${z.local.host}:${z.local.port}`).toBeDefined();
      expectZooObservation(o!, z, "local");
    });
    if (z.remote) {
      const where = z.remote;
      it(`${z.name}: remote vantage`, () => {
        const o = remote.find((r) => r.host === where.host && r.port === where.port);
        expect(o, `no record for ${where.host}:${where.port}`).toBeDefined();
        expectZooObservation(o!, z, "remote");
      });
    }
  }

  it("remote vantage: only the exposed listeners answer across 18700-29000", () => {
    const expected = ALL.filter((z) => z.remote)
      .map((z) => z.remote!.port)
      .sort();
    expect(remote.map((o) => o.port).sort()).toEqual(expected);
  });

  it("side ports are never reported as gateways", () => {
    for (const port of ZOO_SIDE_PORTS) {
      const o = local.find((r) => r.host === "127.0.0.1" && r.port === port);
      expect(o, `side port ${port}`).toBeDefined();
      expect(o!.product).toBeNull();
    }
  });

  it("matches advisories for the old clawdbot build (CVE-2026-25253)", () => {
    const o = remote.find((r) => r.port === 18909)!;
    expect(o.advisories.flatMap((a) => a.aliases)).toContain("CVE-2026-25253");
    expect(o.upgradeTo).not.toBeNull();
  });
});
