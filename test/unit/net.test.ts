// The hand-written HTTP and WebSocket clients against raw TCP servers that misbehave in
// specific ways: every exchange must end within its deadline, within its byte caps, and
// say what happened.
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { httpExchange } from "../../src/net/http.ts";
import { DEFAULT_LIMITS, type ExchangeLimits } from "../../src/net/limits.ts";
import { acceptFor, wsExchange } from "../../src/net/websocket.ts";
import { loopbackTarget } from "../support/loopback-target.ts";

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function rawServer(onConnection: (socket: net.Socket, request: string) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    let buf = "";
    let fired = false;
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      if (!fired && buf.includes("\r\n\r\n")) {
        fired = true;
        onConnection(socket, buf);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as net.AddressInfo).port;
}

const limits: ExchangeLimits = { ...DEFAULT_LIMITS, exchangeTimeoutMs: 1500, connectTimeoutMs: 1000 };
const target = loopbackTarget;

describe("http client", () => {
  it("reads a content-length body and keeps the raw bytes", async () => {
    const port = await rawServer((s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello"));
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.response?.status).toBe(200);
    expect(x.response?.body.toString()).toBe("hello");
    expect(x.response?.headers).toContainEqual(["X-A", "b"]);
    expect(x.raw.toString()).toContain("hello");
    expect(x.error).toBeNull();
  });

  it("decodes chunked bodies", async () => {
    const port = await rawServer((s) =>
      s.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n"),
    );
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.response?.body.toString()).toBe("abcdefg");
    expect(x.response?.bodyTruncated).toBe(false);
  });

  it("cuts an endless body at the cap and says so", async () => {
    const port = await rawServer((s) => {
      s.write("HTTP/1.1 200 OK\r\n\r\n");
      const chunk = Buffer.alloc(64 * 1024, 97);
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(chunk)), 1);
    });
    const started = Date.now();
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.response?.body.length).toBe(limits.maxBodyBytes);
    expect(x.response?.bodyTruncated).toBe(true);
    expect(Date.now() - started).toBeLessThan(limits.exchangeTimeoutMs + 500);
  });

  it("gives up on a server that never answers, at the deadline", async () => {
    const port = await rawServer(() => {});
    const started = Date.now();
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.timedOut).toBe(true);
    expect(x.response).toBeNull();
    expect(Date.now() - started).toBeLessThan(limits.exchangeTimeoutMs + 500);
  });

  it("reports a head larger than the cap without buffering it all", async () => {
    const port = await rawServer((s) => {
      s.write(`HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(200_000)}`);
    });
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.response).toBeNull();
    expect(x.error).toMatch(/head larger than/);
  });

  it("keeps HTTP/0.9 or non-HTTP answers as bytes", async () => {
    const port = await rawServer((s) => s.end("SSH-2.0-OpenSSH_9.2\r\n"));
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.response).toBeNull();
    expect(x.nonHttp?.toString()).toContain("SSH-2.0");
    expect(x.error).toMatch(/not HTTP/);
  });

  it("refuses more headers than the cap", async () => {
    const headers = Array.from({ length: 500 }, (_, i) => `X-${i}: v`).join("\r\n");
    const port = await rawServer((s) => s.end(`HTTP/1.1 200 OK\r\n${headers}\r\nContent-Length: 0\r\n\r\n`));
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.error).toMatch(/more than 128 headers/);
  });

  it("reports a refused port", async () => {
    const port = await rawServer(() => {});
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const x = await httpExchange(target(port), { method: "GET", path: "/" }, limits);
    expect(x.error).toMatch(/^refused/);
  });
});

function upgradeReply(request: string): string {
  const key = /Sec-WebSocket-Key: (.*)\r\n/.exec(request)![1]!;
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`;
}

function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, len])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, len >> 8, len & 255]);
  return Buffer.concat([head, payload]);
}

describe("websocket client", () => {
  it("reads the first frame, sends one reply, reads the answer", async () => {
    let clientFrame: Buffer | null = null;
    const port = await rawServer((s, req) => {
      s.write(upgradeReply(req));
      s.write(frame(1, Buffer.from('{"hello":1}')));
      s.on("data", (d: Buffer) => {
        clientFrame ??= d;
        s.write(frame(1, Buffer.from('{"answer":2}')));
        s.end(frame(8, Buffer.from([0x03, 0xea, 0x62, 0x79, 0x65])));
      });
    });
    const x = await wsExchange(
      target(port),
      { path: "/", reply: () => "ping", stopAfterReply: false },
      limits,
    );
    expect(x.acceptValid).toBe(true);
    expect(x.frames.map((f) => [f.dir, f.text])).toEqual([
      ["in", '{"hello":1}'],
      ["out", "ping"],
      ["in", '{"answer":2}'],
      ["in", "bye"],
    ]);
    expect(x.close).toEqual({ code: 1002, reason: "bye" });
    expect(clientFrame![1]! & 0x80).toBe(0x80); // client frames are masked
    expect(x.rawSegments).toHaveLength(2);
  });

  it("closes at once when told a frame must not be acted on", async () => {
    const port = await rawServer((s, req) => {
      s.write(upgradeReply(req));
      s.write(frame(1, Buffer.from('{"type":"res","ok":true,"payload":{"type":"hello-ok"}}')));
    });
    const x = await wsExchange(
      target(port),
      { path: "/", mustClose: (t) => t.includes("hello-ok"), reply: () => "never" },
      limits,
    );
    expect(x.closedOnHelloOk).toBe(true);
    expect(x.frames.filter((f) => f.dir === "out")).toEqual([]);
  });

  it("refuses a frame announcing gigabytes", async () => {
    const port = await rawServer((s, req) => {
      s.write(upgradeReply(req));
      const head = Buffer.alloc(10);
      head[0] = 0x81;
      head[1] = 127;
      head.writeBigUInt64BE(4n * 1024n ** 3n, 2);
      s.write(head);
    });
    const x = await wsExchange(target(port), { path: "/" }, limits);
    expect(x.error).toMatch(/announces 4294967296 bytes/);
  });

  it("survives a ping flood within the frame budget", async () => {
    const port = await rawServer((s, req) => {
      s.write(upgradeReply(req));
      for (let i = 0; i < 1000; i++) s.write(frame(9, Buffer.from("p")));
    });
    const x = await wsExchange(target(port), { path: "/" }, limits);
    expect(x.error).toMatch(/more than 32 frames/);
  });

  it("bounds endless fragments", async () => {
    const port = await rawServer((s, req) => {
      s.write(upgradeReply(req));
      s.write(frame(1, Buffer.alloc(1000, 97), false));
      const timer = setInterval(
        () => (s.destroyed ? clearInterval(timer) : s.write(frame(0, Buffer.alloc(30_000, 97), false))),
        2,
      );
    });
    const x = await wsExchange(target(port), { path: "/" }, limits);
    expect(x.error).toMatch(/fragmented message over|more than 32 frames/);
  });

  it("reports a non-101 answer to the upgrade", async () => {
    const port = await rawServer((s) =>
      s.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"),
    );
    const x = await wsExchange(target(port), { path: "/" }, limits);
    expect(x.upgrade?.status).toBe(503);
    expect(x.frames).toEqual([]);
  });
});
