// Transcript replay: what the real zoo gateways sent (recorded by scripts/record-zoo.ts)
// must fingerprint exactly, both from the recorded bytes directly and through the full
// network path against a server that replays them. The probe is the scan's: every
// registered fingerprinter, so another product's plan adding requests to an OpenClaw
// gateway would show here.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { probeEndpoint } from "../../src/fingerprints/probe-endpoint.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import { expectZooObservation } from "../support/expect-zoo.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { type Vantage, ZOO, ZOO_EXTRA, ZOO_SIDE_PORTS } from "../support/zoo.ts";

const fixture = (vantage: string, name: string) =>
  new URL(`../fixtures/zoo/${vantage}/${name}.json`, import.meta.url);
const load = (vantage: string, name: string) =>
  transcriptFromJson(readFileSync(fixture(vantage, name), "utf8"));

const cases: { vantage: Vantage; z: (typeof ZOO)[number] }[] = [];
for (const z of [...ZOO, ...ZOO_EXTRA]) {
  cases.push({ vantage: "local", z });
  if (z.remote) cases.push({ vantage: "remote", z });
}

describe("zoo transcripts, fingerprinted from the recorded bytes", () => {
  it("has a fixture for every zoo instance and vantage", () => {
    for (const { vantage, z } of cases)
      expect(existsSync(fixture(vantage, z.name)), `${vantage}/${z.name}`).toBe(true);
  });
  for (const { vantage, z } of cases) {
    it(`${z.name} from the ${vantage} vantage`, () => {
      expectZooObservation(observe(load(vantage, z.name), NO_ADVISORIES), z, vantage);
    });
  }
  for (const port of ZOO_SIDE_PORTS) {
    it(`side port ${port} is not reported as a gateway`, () => {
      const o = observe(load("local", `side-${port}`), NO_ADVISORIES);
      expect(o.product).toBeNull();
      expect(o.findings).toEqual([]);
    });
  }
});

describe("zoo transcripts, replayed over real sockets", () => {
  const servers: ReplayServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  for (const { vantage, z } of cases) {
    it(`${z.name} from the ${vantage} vantage`, async () => {
      const recorded = load(vantage, z.name);
      const server = await startReplayServer(recorded);
      servers.push(server);
      const endpoint = {
        ...recorded.endpoint,
        ip: server.host,
        port: server.port,
      };
      let connections = 0;
      const t = await probeEndpoint(
        endpoint,
        {
          limits: limitsForTimeout(3000),
          beforeConnect: async () => {
            connections++;
          },
        },
        recorded.viaLoopback,
      );
      // Every gateway keeps HTTP connections alive and names itself on its page, so the
      // follow-ups are pipelined on the root page's connection and the WebSocket upgrade
      // follows on it: one connection for the whole probe.
      expect(connections).toBe(1);
      // The probe asked exactly what was recorded: the plan is deterministic given the answers.
      expect(t.http.map((x) => `${x.request.method} ${x.request.path}`).sort()).toEqual(
        recorded.http.map((x) => `${x.request.method} ${x.request.path}`).sort(),
      );
      expect(t.ws[0]?.acceptValid).toBe(true);
      expectZooObservation(observe(t, NO_ADVISORIES), z, vantage);
    });
  }
});

describe("a gateway whose page does not name it (UI off or behind another app)", () => {
  it("is recognised by its WebSocket first; the follow-ups then go pipelined on a new connection", async () => {
    const recorded = load("local", "oc96-lan-token");
    // The same gateway, with a root page that says nothing about OpenClaw.
    const plain = Buffer.from(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    );
    const t = {
      ...recorded,
      http: recorded.http.map((x) => (x.request.path === "/" ? { ...x, raw: plain, response: null } : x)),
    };
    const server = await startReplayServer(t);
    let connections = 0;
    const probed = await probeEndpoint(
      { ...recorded.endpoint, ip: server.host, port: server.port },
      {
        limits: limitsForTimeout(3000),
        beforeConnect: async () => {
          connections++;
        },
      },
      true,
    );
    await server.close();
    // The WebSocket took the page's connection; the follow-ups needed one more.
    expect(probed.ws[0]?.frames.some((f) => f.dir === "in" && f.text?.includes("connect.challenge"))).toBe(
      true,
    );
    expect(probed.http.map((x) => x.request.path)).toContain("/tools/invoke");
    expect(probed.http).toHaveLength(recorded.http.length);
    expect(connections).toBe(2);
    const o = observe(probed, NO_ADVISORIES);
    expect(o.product).toBe("openclaw");
    expect(o.auth).toBe("required");
  });
});
