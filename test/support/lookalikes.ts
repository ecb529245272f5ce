// Generic lookalikes: servers that are no product clawpatrol knows, some of them deliberately
// similar to one (a page titled "OpenClaw Control", an OpenClaw-shaped 401, an SPA that
// answers every path, a WebSocket server that greets with JSON). Shared by the scan-level
// false-positive test and the cross-product fingerprinter test.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export const LOOKALIKES: Record<string, Handler> = {
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

export const GENERIC_WS = "a generic WebSocket server";

export interface Lookalikes {
  /** Port -> lookalike name, all on 127.0.0.1. */
  ports: Map<number, string>;
  close(): void;
}

/** Start every lookalike (and the generic WebSocket server) on 127.0.0.1. */
export async function startLookalikes(): Promise<Lookalikes> {
  const servers: http.Server[] = [];
  const ports = new Map<number, string>();
  const listen = async (s: http.Server, name: string) => {
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    ports.set((s.address() as AddressInfo).port, name);
  };
  for (const [name, handler] of Object.entries(LOOKALIKES)) await listen(http.createServer(handler), name);
  const wsHttp = http.createServer((_req, res) => res.end("ws here"));
  const wss = new WebSocketServer({ server: wsHttp });
  wss.on("connection", (socket) => {
    socket.send(JSON.stringify({ type: "event", event: "welcome", payload: { nonce: "x" } }));
    socket.on("message", (m) => socket.send(m.toString()));
  });
  await listen(wsHttp, GENERIC_WS);
  return {
    ports,
    close() {
      for (const s of servers) s.close();
    },
  };
}
