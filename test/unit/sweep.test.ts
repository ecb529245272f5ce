// The connect sweep and the socket it hands on: refused connects are reported and cost no
// new socket, an open port's socket carries the first exchange, and a held socket that
// cannot be used leaves the transcript exactly as a fresh connection would.
import net from "node:net";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { httpExchange } from "../../src/net/http.ts";
import { DEFAULT_LIMITS, type ExchangeLimits } from "../../src/net/limits.ts";
import { HeldSocket, HOLD_MS, Sweeper } from "../../src/net/sweep.ts";
import { loopbackTarget } from "../support/loopback-target.ts";

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const limits: ExchangeLimits = { ...DEFAULT_LIMITS, exchangeTimeoutMs: 1500, connectTimeoutMs: 1000 };

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** An HTTP-ish server; `answer(n)` decides what connection n (from 1) gets. */
async function countingServer(answer: (n: number, socket: net.Socket) => void): Promise<{
  port: number;
  connections: () => number;
}> {
  let n = 0;
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    answer(++n, socket);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as net.AddressInfo).port, connections: () => n };
}

const ok = (socket: net.Socket) =>
  socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

const target = loopbackTarget;

describe("Sweeper", () => {
  it("reports refused connects, reusing one socket for address after address", async () => {
    const sweeper = new Sweeper();
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    const sockets = new Set<unknown>();
    for (const port of ports) {
      const r = await sweeper.connect("127.0.0.1", port, 1000);
      expect(r).toMatchObject({ ok: false, error: "refused", detail: "ECONNREFUSED" });
      sockets.add((sweeper as unknown as { socket: unknown }).socket);
    }
    expect(sockets.size).toBe(1);
    sweeper.close();
  });

  it("hands an open port's socket on and starts a fresh one for the next address", async () => {
    const server = await countingServer(() => {});
    const sweeper = new Sweeper();
    const open = await sweeper.connect("127.0.0.1", server.port, 1000);
    expect(open.ok).toBe(true);
    if (!open.ok) return;
    expect(open.socket.destroyed).toBe(false);
    expect((sweeper as unknown as { socket: unknown }).socket).toBeNull();
    const refused = await sweeper.connect("127.0.0.1", await closedPort(), 1000);
    expect(refused.ok).toBe(false);
    expect(open.socket.destroyed).toBe(false);
    open.socket.destroy();
    sweeper.close();
  });
});

describe("HeldSocket", () => {
  async function held(port: number): Promise<HeldSocket> {
    const sweeper = new Sweeper();
    const r = await sweeper.connect("127.0.0.1", port, 1000);
    sweeper.close();
    if (!r.ok) throw new Error(`sweep failed: ${r.error}`);
    return new HeldSocket(r.socket);
  }

  it("carries the first exchange: the sweep and the GET share one connection", async () => {
    const server = await countingServer((_, s) => ok(s));
    const x = await httpExchange(
      target(server.port),
      { method: "GET", path: "/" },
      limits,
      await held(server.port),
    );
    expect(x.response?.status).toBe(200);
    expect(x.response?.body.toString()).toBe("ok");
    expect(server.connections()).toBe(1);
  });

  for (const [when, close] of [
    ["while it waits", (s: net.Socket) => s.destroy()],
    ["on the request", (s: net.Socket) => s.once("data", () => s.destroy())],
  ] as const) {
    it(`closed by the target ${when}, with no answer: asked again on a fresh connection, only that answer kept`, async () => {
      const server = await countingServer((n, s) => (n === 1 ? close(s) : ok(s)));
      const socket = await held(server.port);
      await new Promise((r) => setTimeout(r, 20));
      const x = await httpExchange(target(server.port), { method: "GET", path: "/" }, limits, socket);
      expect(x.response?.status).toBe(200);
      expect(x.raw.toString("latin1")).toBe("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      expect(x.error).toBeNull();
      expect(server.connections()).toBe(2);
    });
  }

  it("is not used once older than HOLD_MS, and is taken at most once", async () => {
    const server = await countingServer(() => {});
    const stale = await held(server.port);
    const now = performance.now();
    vi.spyOn(performance, "now").mockReturnValue(now + HOLD_MS + 1);
    expect(stale.take()).toBeNull();
    vi.restoreAllMocks();
    const fresh = await held(server.port);
    const socket = fresh.take();
    expect(socket).not.toBeNull();
    expect(fresh.take()).toBeNull();
    socket?.destroy();
  });
});
