// A raw TCP server on 127.0.0.1 that answers each connection with the next queued script:
// bytes written in the given segments (one event-loop turn apart, so the client sees them
// split), then FIN, a reset, or nothing (the socket stays open until the client leaves).
import net from "node:net";
import { afterAll, beforeAll } from "vitest";
import { acceptFor } from "../../src/net/websocket.ts";

export interface Script {
  /** Written in order, one turn apart. A function gets the request head (for WebSocket keys). */
  segments: Buffer[] | ((requestHead: string) => Buffer[]);
  end: "fin" | "reset" | "open";
  /** Wait for the request head first (default true). */
  waitForRequest?: boolean;
}

export interface ScriptedServer {
  port: number;
  push(script: Script): void;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const queue: Script[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
    const script = queue.shift();
    if (!script) {
      socket.destroy();
      return;
    }
    const play = (head: string) => {
      const segments = typeof script.segments === "function" ? script.segments(head) : script.segments;
      let i = 0;
      const next = () => {
        if (socket.destroyed) return;
        if (i < segments.length) {
          socket.write(segments[i++]!);
          setImmediate(next);
          return;
        }
        if (script.end === "fin") socket.end();
        else if (script.end === "reset") socket.resetAndDestroy();
      };
      next();
    };
    if (script.waitForRequest === false) {
      play("");
      return;
    }
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString("latin1");
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      play(buf.slice(0, end));
    };
    socket.on("data", onData);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    push: (s) => queue.push(s),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Split bytes at the given cut points (any numbers; taken modulo the length, deduplicated). */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const points = [...new Set(cuts.map((c) => c % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

export function upgradeHead(requestHead: string): Buffer {
  const key = /^sec-websocket-key:\s*(.*)$/im.exec(requestHead)?.[1]?.trim() ?? "";
  return Buffer.from(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
    "latin1",
  );
}

/** A deadline short enough to keep "server never finishes" cases cheap, and the slack allowed past it. */
export const DEADLINE = 150;
export const SLACK = 250;

/**
 * Start one scripted server for the test file (vitest hooks) and return a function giving
 * the connect target for it.
 */
export function useScriptedServer(): { server: () => ScriptedServer; target: () => ScriptedTarget } {
  let server: ScriptedServer | null = null;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const current = () => {
    if (!server) throw new Error("scripted server not started");
    return server;
  };
  return {
    server: current,
    target: () => ({
      ip: "127.0.0.1",
      port: current().port,
      tls: false,
      servername: null,
      hostHeader: `127.0.0.1:${current().port}`,
    }),
  };
}

export interface ScriptedTarget {
  ip: string;
  port: number;
  tls: boolean;
  servername: null;
  hostHeader: string;
}
