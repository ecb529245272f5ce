// Zero false positives: servers that are not OpenClaw-family gateways, some of them
// deliberately similar, must come out with product null and no findings.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { runScan } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { buildPlan } from "../../src/targets/spec.ts";
import { streamEndpoints } from "../../src/targets/stream.ts";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const LOOKALIKES: Record<string, Handler> = {
  "plain hello": (_req, res) => res.end("hello"),
  "a web app that talks about claws": (_req, res) => {
    res.setHeader("Content-Type", "text/html");
    res.end(
      "<html><head><title>ClawTracker - OpenClaw Control alternatives</title></head><body>openclaw clawdbot moltbot <claw-app></claw-app></body></html>",
    );
  },
  "a page with only the OpenClaw title": (_req, res) => {
    res.setHeader("Content-Type", "text/html");
    res.end("<!doctype html><html><head><title>OpenClaw Control</title></head><body>fan page</body></html>");
  },
  "an API that answers 401 like OpenClaw": (_req, res) => {
    res.statusCode = 401;
    res.setHeader("Content-Type", "application/json");
    res.end('{"error":{"message":"Unauthorized","type":"unauthorized"}}');
  },
  "a health endpoint like OpenClaw's": (req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(
      req.url === "/healthz" ? '{"ok":true,"status":"live"}' : '{"ready":true,"failing":[],"uptimeMs":5}',
    );
  },
  "an SPA that answers every path with the same page": (_req, res) => {
    res.setHeader("Content-Type", "text/html");
    res.end(
      '<!doctype html><html><head><script type="module" src="./assets/index-Zz9_notreal.js"></script></head><body><app-root></app-root></body></html>',
    );
  },
};

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as AddressInfo).port;
}

describe("servers that are not OpenClaw", () => {
  const servers: http.Server[] = [];
  const ports = new Map<number, string>();
  let results: Observation[] = [];

  beforeAll(async () => {
    for (const [name, handler] of Object.entries(LOOKALIKES)) {
      const s = http.createServer(handler);
      servers.push(s);
      ports.set(await listen(s), name);
    }
    // A generic WebSocket server that greets every client with JSON.
    const wsHttp = http.createServer((_req, res) => res.end("ws here"));
    const wss = new WebSocketServer({ server: wsHttp });
    wss.on("connection", (socket) => {
      socket.send(JSON.stringify({ type: "event", event: "welcome", payload: { nonce: "x" } }));
      socket.on("message", (m) => socket.send(m.toString()));
    });
    servers.push(wsHttp);
    ports.set(await listen(wsHttp), "a generic WebSocket server");

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
    for (const s of servers) s.close();
  });

  it("reaches every server", () => {
    expect(results.map((r) => r.port).sort()).toEqual([...ports.keys()].sort());
  });

  for (const name of [...Object.keys(LOOKALIKES), "a generic WebSocket server"]) {
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
