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
  /** Connections accepted so far. */
  connections(): number;
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
  // As Node's HTTP server (the gateways') does: no Nagle delay, which would hold back the
  // second of two pipelined answers until the client's delayed ACK.
  socket.setNoDelay(true);
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
    // Requests one after another on a kept-alive connection (never more than one in flight
    // from clawpatrol, but a pipelined client is served in order too).
    while (!upgraded && !socket.writableEnded) {
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
      const bodyLength = Number(header("content-length") ?? 0) || 0;
      if (buf.length < end + 4 + bodyLength) return;
      buf = buf.subarray(end + 4 + bodyLength);
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
      const raw = matches[n % matches.length]!.raw;
      // The connection stays open only where the recording shows the gateway kept it open:
      // asked to, and answered with one whole, cleanly framed HTTP/1.1 message.
      const clientKeeps = !/^close$/i.test(header("connection") ?? "");
      if (clientKeeps && isWholeKeptAliveMessage(raw)) socket.write(raw);
      else socket.end(raw);
    }
  });
}

/** The recorded bytes are exactly one HTTP/1.1 response, framed by length or chunks, not "close". */
export function isWholeKeptAliveMessage(raw: Buffer): boolean {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const [status = "", ...lines] = raw.subarray(0, end).toString("latin1").split("\r\n");
  if (!status.startsWith("HTTP/1.1 ")) return false;
  const value = (name: string) =>
    lines
      .find((l) => l.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  if (/\bclose\b/i.test(value("connection") ?? "")) return false;
  const body = raw.subarray(end + 4);
  if (/chunked/i.test(value("transfer-encoding") ?? "")) return body.toString("latin1").endsWith("0\r\n\r\n");
  const length = value("content-length");
  return length !== undefined && /^\d+$/.test(length) && Number(length) === body.length;
}

export function startReplayServer(t: Transcript, host = "127.0.0.1", port = 0): Promise<ReplayServer> {
  const counters = new Map<string, number>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    handleReplayConnection(t, socket, counters);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        host,
        port: addr.port,
        connections: () => connections,
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
