// Keep-alive lanes: requests one after another on one connection while the target frames
// every answer cleanly and keeps the connection open; anything else (a "close", an HTTP/1.0
// answer, a body framed by the close, bytes past the end, a connection dropped while idle)
// costs exactly one fresh connection and never mixes one answer into the next.
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { HttpLane, httpExchange } from "../../src/net/http.ts";
import { DEFAULT_LIMITS, type ExchangeLimits } from "../../src/net/limits.ts";
import { HeldSocket, Sweeper } from "../../src/net/sweep.ts";
import { acceptFor, wsExchange } from "../../src/net/websocket.ts";
import { loopbackTarget } from "../support/loopback-target.ts";
import { isWholeKeptAliveMessage } from "../support/replay-server.ts";

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

const limits: ExchangeLimits = { ...DEFAULT_LIMITS, exchangeTimeoutMs: 1500, connectTimeoutMs: 1000 };

interface Seen {
  port: number;
  /** Connection number (from 1) each request arrived on, in order. */
  requests: { connection: number; line: string; connectionHeader: string }[];
  /** The server's side of each connection. */
  sockets: net.Socket[];
}

/**
 * A server that answers each request (head only; these tests send no bodies) with
 * `answer(i)`, i counting requests from 0 across connections; `hangUp` closes after it.
 */
async function server(answer: (i: number) => { bytes: string; hangUp?: boolean }): Promise<Seen> {
  const seen: Seen = { port: 0, requests: [], sockets: [] };
  let connections = 0;
  const s = net.createServer((socket) => {
    const connection = ++connections;
    seen.sockets.push(socket);
    socket.on("error", () => {});
    let buf = "";
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      for (let end = buf.indexOf("\r\n\r\n"); end >= 0; end = buf.indexOf("\r\n\r\n")) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        seen.requests.push({
          connection,
          line: head.split("\r\n")[0]!,
          connectionHeader: /\r\nConnection: (.*)/i.exec(head)?.[1] ?? "",
        });
        const a = answer(seen.requests.length - 1);
        if (a.hangUp) socket.end(a.bytes);
        else socket.write(a.bytes);
      }
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  seen.port = (s.address() as net.AddressInfo).port;
  return seen;
}

const target = loopbackTarget;
const get = (path: string) => ({ method: "GET", path });
const framed = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

async function run(lane: HttpLane, port: number, paths: string[]) {
  const out = [];
  for (const p of paths) out.push(await lane.exchange(target(port), get(p), limits));
  lane.close();
  return out;
}

describe("HttpLane", () => {
  it("carries several requests on one connection when answers are framed by length or chunks", async () => {
    const s = await server((i) => ({
      bytes:
        i % 2 === 0
          ? framed(`answer ${i}`)
          : `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nchunk\r\n0\r\n\r\n`,
    }));
    const lane = new HttpLane();
    const xs = await run(lane, s.port, ["/a", "/b", "/c", "/d"]);
    expect(xs.map((x) => x.response?.body.toString())).toEqual(["answer 0", "chunk", "answer 2", "chunk"]);
    expect(xs.every((x) => x.error === null)).toBe(true);
    expect(s.requests.map((r) => r.connection)).toEqual([1, 1, 1, 1]);
    expect(s.requests.map((r) => r.connectionHeader)).toEqual(Array(4).fill("keep-alive"));
    expect(lane.opened).toBe(1);
  });

  it("starts on the sweep's held socket and keeps it", async () => {
    const s = await server((i) => ({ bytes: framed(`answer ${i}`) }));
    const sweeper = new Sweeper();
    const swept = await sweeper.connect("127.0.0.1", s.port, 1000);
    sweeper.close();
    if (!swept.ok) throw new Error(swept.error);
    const lane = new HttpLane(new HeldSocket(swept.socket));
    expect(lane.needsConnection(target(s.port))).toBe(false);
    const xs = await run(lane, s.port, ["/a", "/b"]);
    expect(xs.map((x) => x.response?.body.toString())).toEqual(["answer 0", "answer 1"]);
    expect(s.requests.map((r) => r.connection)).toEqual([1, 1]);
    expect(lane.opened).toBe(0);
  });

  const notReusable: [string, (i: number) => { bytes: string; hangUp?: boolean }][] = [
    ["answers Connection: close", (i) => ({ bytes: framed(`answer ${i}`, "Connection: close\r\n") })],
    ["answers HTTP/1.0", (i) => ({ bytes: `HTTP/1.0 200 OK\r\nContent-Length: 8\r\n\r\nanswer ${i}` })],
    ["ends the body by closing", (i) => ({ bytes: `HTTP/1.1 200 OK\r\n\r\nanswer ${i}`, hangUp: true })],
    ["sends bytes past the framed end", (i) => ({ bytes: `${framed(`answer ${i}`)}JUNK` })],
    [
      "cuts the body short of its length",
      (i) => ({ bytes: `HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nanswer ${i}`, hangUp: true }),
    ],
  ];
  for (const [what, answer] of notReusable) {
    it(`opens a fresh connection for each request when the target ${what}`, async () => {
      const s = await server(answer);
      const lane = new HttpLane();
      const xs = await run(lane, s.port, ["/a", "/b", "/c"]);
      expect(s.requests.map((r) => r.connection)).toEqual([1, 2, 3]);
      // Each exchange holds its own answer only: nothing of one leaks into the next.
      xs.forEach((x, i) => {
        expect(x.raw.toString("latin1")).toContain(`answer ${i}`);
        expect(x.raw.toString("latin1")).not.toContain(`answer ${i - 1}`);
      });
      expect(lane.opened).toBe(3);
    });
  }

  it("asks again on a fresh connection when the kept one was closed while idle", async () => {
    const s = await server((i) => ({ bytes: framed(`answer ${i}`) }));
    const lane = new HttpLane();
    const first = await lane.exchange(target(s.port), get("/a"), limits);
    expect(first.response?.status).toBe(200);
    // The target drops idle connections (its keep-alive timeout).
    for (const sock of s.sockets) sock.destroy();
    await new Promise((r) => setTimeout(r, 30));
    const second = await lane.exchange(target(s.port), get("/b"), limits);
    lane.close();
    expect(second.response?.body.toString()).toBe("answer 1");
    expect(second.error).toBeNull();
    expect(s.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it("does not take bytes that arrived unasked between two answers for the next answer", async () => {
    const s = await server((i) => ({ bytes: framed(`answer ${i}`) }));
    const lane = new HttpLane();
    await lane.exchange(target(s.port), get("/a"), limits);
    s.sockets[0]!.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale");
    await new Promise((r) => setTimeout(r, 30));
    const second = await lane.exchange(target(s.port), get("/b"), limits);
    lane.close();
    expect(second.response?.body.toString()).toBe("answer 1");
    expect(s.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it("needs a new connection for a TLS request on a plain one", async () => {
    const s = await server((i) => ({ bytes: framed(`answer ${i}`) }));
    const lane = new HttpLane();
    await lane.exchange(target(s.port), get("/a"), limits);
    expect(lane.needsConnection(target(s.port))).toBe(false);
    expect(lane.needsConnection(target(s.port, true))).toBe(true);
    lane.close();
  });

  describe("pipeline", () => {
    /** A lane whose connection the target kept open after a first answer. */
    async function keptOpen(s: Seen): Promise<HttpLane> {
      const lane = new HttpLane();
      await lane.exchange(target(s.port), get("/first"), limits);
      expect(lane.canPipeline(target(s.port))).toBe(true);
      return lane;
    }

    it("sends all requests at once on the kept connection and splits the answers exactly", async () => {
      const s = await server((i) => ({
        bytes:
          i === 2
            ? `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nanswer 2\r\n0\r\n\r\n`
            : framed(`answer ${i}`),
      }));
      const lane = await keptOpen(s);
      const xs = await lane.pipeline(target(s.port), [get("/a"), get("/b"), get("/c")], limits, 3000);
      lane.close();
      expect(xs.map((x) => x.request.path)).toEqual(["/a", "/b", "/c"]);
      expect(xs.map((x) => x.response?.body.toString())).toEqual(["answer 1", "answer 2", "answer 3"]);
      // Each exchange's evidence is its own message, byte for byte.
      expect(xs[0]!.raw.toString("latin1")).toBe(framed("answer 1"));
      expect(xs[1]!.raw.toString("latin1")).toMatch(
        /^HTTP\/1\.1 200 OK\r\nTransfer-Encoding: chunked[\s\S]*0\r\n\r\n$/,
      );
      expect(s.requests.map((r) => r.connection)).toEqual([1, 1, 1, 1]);
      expect(lane.opened).toBe(1);
    });

    it("returns only what was answered when the target closes part-way", async () => {
      // The second pipelined request is answered with Connection: close, then the target hangs up.
      const s = await server((i) =>
        i === 2
          ? { bytes: framed(`answer ${i}`, "Connection: close\r\n"), hangUp: true }
          : { bytes: framed(`answer ${i}`) },
      );
      const lane = await keptOpen(s);
      const xs = await lane.pipeline(target(s.port), [get("/a"), get("/b"), get("/c")], limits, 3000);
      expect(xs.map((x) => x.response?.body.toString())).toEqual(["answer 1", "answer 2"]);
      expect(lane.canPipeline(target(s.port))).toBe(false);
      lane.close();
    });

    it("returns nothing when the kept connection was closed while idle (the caller asks afresh)", async () => {
      const s = await server((i) => ({ bytes: framed(`answer ${i}`) }));
      const lane = await keptOpen(s);
      for (const sock of s.sockets) sock.destroy();
      await new Promise((r) => setTimeout(r, 30));
      const xs = await lane.pipeline(target(s.port), [get("/a"), get("/b")], limits, 3000);
      lane.close();
      expect(xs).toEqual([]);
    });

    it("keeps the answer that timed out, and stops there", async () => {
      const s = await server((i) => ({
        bytes: i <= 1 ? framed(`answer ${i}`) : "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\npart",
      }));
      const lane = await keptOpen(s);
      const quick = { ...limits, exchangeTimeoutMs: 200 };
      const xs = await lane.pipeline(target(s.port), [get("/a"), get("/b"), get("/c")], quick, 3000);
      lane.close();
      expect(xs.map((x) => x.timedOut)).toEqual([false, true]);
      expect(xs[1]!.response?.bodyTruncated).toBe(true);
    });
  });

  describe("WebSocket upgrade on the kept connection", () => {
    /** Answers GETs with framed bodies and an upgrade with a 101 and one text frame. */
    async function upgradeServer(): Promise<{
      port: number;
      connections: () => number;
      sockets: net.Socket[];
    }> {
      let connections = 0;
      const sockets: net.Socket[] = [];
      const s = net.createServer((socket) => {
        connections++;
        sockets.push(socket);
        socket.on("error", () => {});
        let buf = "";
        let upgraded = false;
        socket.on("data", (d) => {
          if (upgraded) return;
          buf += d.toString("latin1");
          for (let end = buf.indexOf("\r\n\r\n"); end >= 0 && !upgraded; end = buf.indexOf("\r\n\r\n")) {
            const head = buf.slice(0, end);
            buf = buf.slice(end + 4);
            const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(`${head}\r\n`)?.[1];
            if (!key) {
              socket.write(framed("page"));
              continue;
            }
            upgraded = true;
            const text = Buffer.from('{"hello":1}');
            socket.end(
              Buffer.concat([
                Buffer.from(
                  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
                ),
                Buffer.from([0x81, text.length]),
                text,
              ]),
            );
          }
        });
      });
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
      return { port: (s.address() as net.AddressInfo).port, connections: () => connections, sockets };
    }

    it("upgrades on the connection a page was fetched on", async () => {
      const s = await upgradeServer();
      const lane = new HttpLane();
      await lane.exchange(target(s.port), get("/"), limits);
      const kept = lane.takeForUpgrade(target(s.port));
      expect(kept).not.toBeNull();
      expect(lane.canPipeline(target(s.port))).toBe(false);
      const x = await wsExchange(target(s.port), { path: "/" }, limits, kept);
      lane.close();
      expect(x.acceptValid).toBe(true);
      expect(x.frames.map((f) => f.text)).toEqual(['{"hello":1}']);
      expect(s.connections()).toBe(1);
    });

    it("upgrades on a fresh connection when the kept one was closed while idle", async () => {
      const s = await upgradeServer();
      const lane = new HttpLane();
      await lane.exchange(target(s.port), get("/"), limits);
      for (const sock of s.sockets) sock.destroy();
      await new Promise((r) => setTimeout(r, 30));
      const x = await wsExchange(target(s.port), { path: "/" }, limits, lane.takeForUpgrade(target(s.port)));
      lane.close();
      expect(x.acceptValid).toBe(true);
      expect(x.error === null || /close/.test(x.error)).toBe(true);
      expect(x.frames.map((f) => f.text)).toEqual(['{"hello":1}']);
      expect(s.connections()).toBe(2);
    });
  });

  it("httpExchange stays one request per connection, asking the target to close", async () => {
    const s = await server((i) => ({ bytes: framed(`answer ${i}`) }));
    await httpExchange(target(s.port), get("/a"), limits);
    await httpExchange(target(s.port), get("/b"), limits);
    expect(s.requests.map((r) => [r.connection, r.connectionHeader])).toEqual([
      [1, "close"],
      [2, "close"],
    ]);
  });
});

describe("replay server keep-alive", () => {
  it("keeps a connection open only for a whole, length- or chunk-framed HTTP/1.1 answer", () => {
    const b = (s: string) => Buffer.from(s, "latin1");
    expect(isWholeKeptAliveMessage(b(framed("ok")))).toBe(true);
    expect(
      isWholeKeptAliveMessage(b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")),
    ).toBe(true);
    expect(isWholeKeptAliveMessage(b(framed("ok", "Connection: close\r\n")))).toBe(false);
    expect(isWholeKeptAliveMessage(b(framed("ok").slice(0, -1)))).toBe(false);
    expect(isWholeKeptAliveMessage(b("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"))).toBe(false);
    expect(isWholeKeptAliveMessage(b("HTTP/1.1 200 OK\r\n\r\nok"))).toBe(false);
  });
});
