// Serves recorded transcripts back byte for byte, so unit tests and benchmarks exercise the
// real network path (sockets, parsers, deadlines) against what real gateways sent.
// One listener per transcript; HTTP requests are matched by method and path, WebSocket
// upgrades get the recorded upgrade response (with Sec-WebSocket-Accept recomputed for the
// client's key, the one byte-level change) and the recorded frames, in the recorded phases.
import net from "node:net";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { acceptFor } from "../../src/net/websocket.ts";

export interface ReplayServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

function fixAccept(segment: Buffer, key: string): Buffer {
  const text = segment.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return segment;
  const head = text
    .slice(0, end)
    .replace(/^(Sec-WebSocket-Accept:\s*)(.*)$/im, (_m, p1: string) => `${p1}${acceptFor(key)}`);
  return Buffer.concat([Buffer.from(head, "latin1"), segment.subarray(end)]);
}

export function handleReplayConnection(
  t: Transcript,
  socket: net.Socket,
  counters: Map<string, number>,
): void {
  let buf = Buffer.alloc(0);
  let upgraded = false;
  let sentAfter = false;
  socket.on("error", () => {});
  socket.on("data", (data: Buffer) => {
    if (upgraded) {
      // The client's one frame: answer with what the gateway sent after it, then hang up.
      const ws = (socket as net.Socket & { replayWs?: Transcript["ws"][number] }).replayWs;
      if (!sentAfter && ws?.rawSegments[1]) {
        sentAfter = true;
        socket.end(ws.rawSegments[1]);
      }
      return;
    }
    buf = Buffer.concat([buf, data]);
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = buf.subarray(0, end).toString("latin1");
    const [line = "", ...headerLines] = head.split("\r\n");
    const [method = "GET", path = "/"] = line.split(" ");
    const header = (name: string) =>
      headerLines
        .find((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        ?.slice(name.length + 1)
        .trim();
    if (header("upgrade")?.toLowerCase() === "websocket") {
      const ws = t.ws.find((w) => w.request.path === path) ?? t.ws[0];
      if (!ws?.rawSegments[0]) {
        socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      upgraded = true;
      (socket as net.Socket & { replayWs?: typeof ws }).replayWs = ws;
      const first = fixAccept(ws.rawSegments[0], header("sec-websocket-key") ?? "");
      if (ws.rawSegments.length > 1) socket.write(first);
      else socket.end(first);
      return;
    }
    const key = `${method} ${path}`;
    const matches = t.http.filter(
      (x) => x.request.method === method && x.request.path === path && x.raw.length > 0,
    );
    if (matches.length === 0) {
      socket.end(
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found",
      );
      return;
    }
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    socket.end(matches[n % matches.length]!.raw);
  });
}

export function startReplayServer(t: Transcript, host = "127.0.0.1", port = 0): Promise<ReplayServer> {
  const counters = new Map<string, number>();
  const server = net.createServer((socket) => handleReplayConnection(t, socket, counters));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        host,
        port: addr.port,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.unref();
          }),
      });
    });
  });
}

export function loadTranscript(text: string): Transcript {
  return transcriptFromJson(text);
}
