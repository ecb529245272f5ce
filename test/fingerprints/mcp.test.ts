// MCP servers: transcripts recorded from real servers (scripts/record-products.ts: the MCP
// reference server from npm in Streamable HTTP and SSE modes, a stateless SDK server, an
// SDK server behind the SDK's bearer-auth layer) fingerprint exactly, from the recorded
// bytes and over real sockets; and the readers survive hostile answers.
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintMcp } from "../../src/fingerprints/mcp/fingerprint.ts";
import { hasAnswer, jsonRpcMessages, serverInfoOf, sseEvents } from "../../src/fingerprints/mcp/signals.ts";
import { probeEndpoint } from "../../src/fingerprints/probe-endpoint.ts";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import type { HttpExchange } from "../../src/net/http.ts";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import { expectProductObservation } from "../support/expect-product.ts";
import { PRODUCT_ZOO } from "../support/product-zoo.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";

const load = (name: string): Transcript =>
  transcriptFromJson(readFileSync(new URL(`../fixtures/products/${name}.json`, import.meta.url), "utf8"));

const MCP = PRODUCT_ZOO.filter((z) => z.product === "mcp");

describe("MCP transcripts from real servers, fingerprinted from the recorded bytes", () => {
  for (const z of MCP) {
    it(z.name, () => {
      const t = load(z.name);
      expect(t.viaLoopback).toBe(false);
      expectProductObservation(observe(t, NO_ADVISORIES), z);
    });
  }
  it("a session the probe opened is closed again (DELETE with its id)", () => {
    const t = load("mcp-everything-streamable");
    const session = t.http[1]!.response!.headers.find(([k]) => k.toLowerCase() === "mcp-session-id")?.[1];
    expect(session).toBeTruthy();
    const del = t.http.find((x) => x.request.method === "DELETE");
    expect(del?.request.headers).toContainEqual(["Mcp-Session-Id", session]);
    expect(del?.response?.status).toBe(200);
  });
});

describe("MCP transcripts, replayed over real sockets", () => {
  const servers: ReplayServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  for (const z of MCP) {
    it(z.name, async () => {
      const recorded = load(z.name);
      const server = await startReplayServer(recorded);
      servers.push(server);
      const t = await probeEndpoint(
        { ...recorded.endpoint, ip: server.host, port: server.port },
        { limits: limitsForTimeout(3000), beforeConnect: async () => {} },
        false,
      );
      // The plan is deterministic given the answers: it asks exactly what was recorded.
      expect(t.http.map((x) => `${x.request.method} ${x.request.path}`)).toEqual(
        recorded.http.map((x) => `${x.request.method} ${x.request.path}`),
      );
      // The SSE stream never ends by itself: the probe left it after the endpoint event.
      expect(t.ms).toBeLessThan(2500);
      expectProductObservation(observe(t, NO_ADVISORIES), z);
    });
  }
});

function exchange(
  method: string,
  path: string,
  status: number,
  headers: [string, string][],
  body: string,
): HttpExchange {
  const b = Buffer.from(body);
  return {
    request: { method, path, headers: [] },
    response: { httpVersion: "1.1", status, reason: "", headers, body: b, bodyTruncated: false },
    nonHttp: null,
    raw: b,
    tls: null,
    error: null,
    timedOut: false,
    ms: 1,
  };
}

function transcriptOf(http: HttpExchange[]): Transcript {
  const base = load("mcp-sdk-stateless");
  return { ...base, http };
}

describe("what the probe sends an MCP server", () => {
  it("the handshake and one listing, never a tool call, a prompt or a resource read", async () => {
    // A stateless MCP server that notes each JSON-RPC method it is sent.
    const methods: string[] = [];
    const server = http.createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      if (req.method !== "POST" || req.url !== "/mcp") return res.writeHead(404).end();
      const msg = JSON.parse(body) as { id?: string; method: string };
      methods.push(msg.method);
      if (msg.id === undefined) return res.writeHead(202).end();
      const result =
        msg.method === "initialize"
          ? {
              protocolVersion: "2025-06-18",
              capabilities: { tools: {} },
              serverInfo: { name: "n", version: "1" },
            }
          : { tools: [{ name: "delete_everything", inputSchema: { type: "object" } }] };
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const t = await probeEndpoint(
        {
          host: "127.0.0.1",
          ip: "127.0.0.1",
          family: 4,
          port,
          tls: false,
          basePath: "",
          hostHeader: `127.0.0.1:${port}`,
          servername: null,
        },
        { limits: limitsForTimeout(3000), beforeConnect: async () => {} },
        true,
      );
      expect(methods).toEqual(["initialize", "notifications/initialized", "tools/list"]);
      const o = observe(t, NO_ADVISORIES);
      expect(o.product).toBe("mcp");
      expect(o.facts?.toolNames).toBe("delete_everything");
      // On loopback an open MCP server is how most run locally: noted, not an alarm.
      expect(o.severity).toBe("low");
    } finally {
      server.close();
    }
  });
});

describe("MCP signals on hostile or ambiguous answers", () => {
  it("a bare 401 on /mcp (any auth wall) does not name a product", () => {
    const t = transcriptOf([
      exchange("GET", "/", 404, [], "no"),
      exchange("POST", "/mcp", 401, [["WWW-Authenticate", 'Basic realm="x"']], "denied"),
      exchange("GET", "/.well-known/oauth-protected-resource/mcp", 401, [], "denied"),
    ]);
    expect(fingerprintMcp(t).product).toBeNull();
  });
  it("a JSON-RPC error from /mcp is an MCP server of unknown auth", () => {
    const t = transcriptOf([
      exchange(
        "POST",
        "/mcp",
        406,
        [["Content-Type", "application/json"]],
        '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Not Acceptable: Client must accept both application/json and text/event-stream"},"id":null}',
      ),
    ]);
    const v = fingerprintMcp(t);
    expect(v.product).toBe("mcp");
    expect(v.auth).toBe("unknown");
  });
  it("JSON that is not JSON-RPC 2.0 is nothing", () => {
    const t = transcriptOf([
      exchange(
        "POST",
        "/mcp",
        200,
        [["Content-Type", "application/json"]],
        '{"result":{"serverInfo":{"name":"x"}}}',
      ),
    ]);
    expect(fingerprintMcp(t).product).toBeNull();
  });
  it("control bytes and huge strings in serverInfo are stripped and capped", () => {
    const name = `evil\u001b[31m${"A".repeat(5000)}`;
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: "clawpatrol-init",
      result: { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name, version: "1\u0007.0" } },
    });
    const info = serverInfoOf(jsonRpcMessages(exchange("POST", "/mcp", 200, [], body).response)[0]);
    expect(info?.name).not.toContain("\u001b");
    expect(info!.name.length).toBeLessThan(200);
    expect(info?.version).toBe("1.0");
  });
  it("event streams: CRLF lines, several data lines, and only complete events", () => {
    expect(
      sseEvents('event: endpoint\r\ndata: /a\r\n\r\nevent: message\ndata: {"x":\ndata: 1}\n\ndata: partial'),
    ).toEqual([
      { event: "endpoint", data: "/a" },
      { event: "message", data: '{"x":\n1}' },
    ]);
    const answered = hasAnswer("clawpatrol-init");
    expect(
      answered(Buffer.from('event: message\ndata: {"jsonrpc":"2.0","id":"clawpatrol-init","result":{}}\n\n')),
    ).toBe(true);
    expect(
      answered(Buffer.from('event: message\ndata: {"jsonrpc":"2.0","id":"other","result":{}}\n\n')),
    ).toBe(false);
  });
});

describe("MCP rows in the scan table", () => {
  it("name the server, its transport and its tools, and leave REMOTE=LOCAL empty", async () => {
    const { ScanTable, summaryLine } = await import("../../src/scan/render.ts");
    const table = new ScanTable();
    table.add(observe(load("mcp-everything-streamable"), NO_ADVISORIES));
    const text = table.render();
    expect(text).toMatch(
      /mcp\s+2\.0\.0\s+not-required\s+-\s+critical\s+.*mcp-servers\/everything, streamable-http, 13 tools listed/,
    );
    expect(
      summaryLine(
        { swept: 3, open: 2, probed: 2, gateways: 1, services: 1, inFlight: 0 },
        { noAuth: 1, remoteLocal: 0 },
        1,
      ),
    ).toBe(
      "3 endpoints swept, 2 open, 1 OpenClaw-family gateway, 1 other agentic-AI service (1 without auth, 0 treating remote clients as local) in 1.0 s",
    );
  });
});
