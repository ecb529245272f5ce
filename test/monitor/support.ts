// Test helpers for the monitor: a fleet of replay gateways on fixed 127.x addresses (started,
// stopped and swapped between runs), and real receivers on 127.0.0.1 for every sink: a webhook
// server that checks the HMAC signature, syslog listeners (UDP, TCP, TLS) that parse RFC 5424
// framing and the CEF line inside, and a throwaway self-signed certificate for TLS.
import dgram from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { verifySignature } from "../../src/monitor/sinks/webhook.ts";
import { selfSigned } from "../hostile/certs.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";

const ZOO = new URL("../fixtures/zoo/local/", import.meta.url);

export function transcript(name: string) {
  return transcriptFromJson(readFileSync(new URL(`${name}.json`, ZOO), "utf8"));
}

/** Gateways replaying recorded transcripts, one per address, all on one port. */
export class Fleet {
  readonly port: number;
  readonly #servers = new Map<string, ReplayServer>();

  private constructor(port: number) {
    this.port = port;
  }

  /** Find a port free on every address (the first one picks it). */
  static async start(gateways: Record<string, string>): Promise<Fleet> {
    const [first, ...rest] = Object.entries(gateways);
    const s = await startReplayServer(transcript(first![1]), first![0], 0);
    const fleet = new Fleet(s.port);
    fleet.#servers.set(first![0], s);
    for (const [ip, name] of rest) await fleet.up(ip, name);
    return fleet;
  }

  async up(ip: string, name: string): Promise<void> {
    await this.down(ip);
    this.#servers.set(ip, await startReplayServer(transcript(name), ip, this.port));
  }

  async down(ip: string): Promise<void> {
    const s = this.#servers.get(ip);
    this.#servers.delete(ip);
    await s?.close();
  }

  async close(): Promise<void> {
    for (const ip of [...this.#servers.keys()]) await this.down(ip);
  }
}

export interface WebhookHit {
  body: string;
  json: Record<string, any>;
  headers: http.IncomingHttpHeaders;
  verified: boolean;
}

/** A webhook receiver on 127.0.0.1 that checks the signature of every request it gets. */
export class WebhookReceiver {
  /** Every request, signed correctly or not. */
  readonly requests: WebhookHit[] = [];
  /** The requests it accepted (2xx and a valid signature): what counts as delivered. */
  readonly hits: WebhookHit[] = [];
  /** Status codes to answer with, in order; 200 once they run out. */
  script: number[] = [];
  /** Milliseconds to wait before answering (to provoke a timeout). */
  delayMs = 0;
  readonly secret: string;
  #server!: http.Server;
  port = 0;

  constructor(secret: string) {
    this.secret = secret;
  }

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const status = this.script.shift() ?? 200;
        const verified = verifySignature(
          this.secret,
          {
            signature: req.headers["x-clawpatrol-signature"] as string | undefined,
            timestamp: req.headers["x-clawpatrol-timestamp"] as string | undefined,
          },
          body,
        );
        const hit = { body, json: JSON.parse(body), headers: req.headers, verified };
        this.requests.push(hit);
        const answer = () => {
          if (status >= 200 && status < 300 && verified) this.hits.push(hit);
          res.writeHead(verified ? status : 401).end();
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/clawpatrol`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

export interface SyslogLine {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: string;
  msg: string;
  cef: Cef;
}

export interface Cef {
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: number;
  ext: Record<string, string>;
}

/** Split a CEF:0 line into its seven header fields and its key=value extension (escapes undone). */
export function parseCef(line: string): Cef {
  const header: string[] = [];
  let i = 0;
  let cur = "";
  while (header.length < 7 && i < line.length) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) {
      cur += line[i + 1];
      i += 2;
      continue;
    }
    if (c === "|") {
      header.push(cur);
      cur = "";
    } else cur += c;
    i++;
  }
  if (header.length < 7) throw new Error(`not a CEF line: ${line}`);
  const rest = line.slice(i);
  const ext: Record<string, string> = {};
  // A key starts after a space (or at the start) and ends at an unescaped "=".
  const re = /(?:^| )([A-Za-z0-9_]+)=((?:\\.|[^\\=])*?)(?= [A-Za-z0-9_]+=|$)/gs;
  for (const m of rest.matchAll(re))
    ext[m[1]!] = m[2]!.replace(/\\(.)/g, (_x, ch: string) => (ch === "n" ? "\n" : ch === "r" ? "\r" : ch));
  const [version, vendor, product, deviceVersion, signatureId, name, severity] = header as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { version, vendor, product, deviceVersion, signatureId, name, severity: Number(severity), ext };
}

/** Parse one RFC 5424 message (no framing) whose MSG is a CEF line. */
export function parseSyslog(text: string): SyslogLine {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\]) (.*)$/s.exec(text);
  if (!m) throw new Error(`not an RFC 5424 message: ${text.slice(0, 200)}`);
  return {
    pri: Number(m[1]),
    version: Number(m[2]),
    timestamp: m[3]!,
    hostname: m[4]!,
    appName: m[5]!,
    procId: m[6]!,
    msgId: m[7]!,
    sd: m[8]!,
    msg: m[9]!,
    cef: parseCef(m[9]!),
  };
}

/** Read RFC 6587 octet-counted frames from a stream: "<len> <msg>". */
function octetFrames(onFrame: (msg: string) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const sp = buf.indexOf(0x20);
      if (sp < 0) return;
      const lenText = buf.subarray(0, sp).toString("ascii");
      if (!/^[1-9]\d{0,7}$/.test(lenText)) throw new Error(`bad octet count "${lenText}"`);
      const len = Number(lenText);
      if (buf.length < sp + 1 + len) return;
      onFrame(buf.subarray(sp + 1, sp + 1 + len).toString("utf8"));
      buf = buf.subarray(sp + 1 + len);
    }
  };
}

export class SyslogListener {
  readonly messages: SyslogLine[] = [];
  readonly raw: string[] = [];
  port = 0;
  readonly transport: "udp" | "tcp" | "tls";
  #close: () => Promise<void> = async () => {};

  constructor(transport: "udp" | "tcp" | "tls") {
    this.transport = transport;
  }

  #take = (msg: string) => {
    this.raw.push(msg);
    this.messages.push(parseSyslog(msg));
  };

  async start(cert?: { key: Buffer; cert: Buffer }): Promise<this> {
    if (this.transport === "udp") {
      const sock = dgram.createSocket("udp4");
      sock.on("message", (m) => this.#take(m.toString("utf8")));
      await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
      this.port = sock.address().port;
      this.#close = () => new Promise((r) => sock.close(() => r()));
      return this;
    }
    const onSocket = (s: net.Socket) => {
      s.on("error", () => {});
      s.on("data", octetFrames(this.#take));
    };
    const server =
      this.transport === "tls"
        ? tls.createServer({ key: cert!.key, cert: cert!.cert }, onSocket)
        : net.createServer(onSocket);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    this.port = (server.address() as net.AddressInfo).port;
    this.#close = () => new Promise((r) => server.close(() => r()));
    return this;
  }

  /** Wait until `n` messages arrived (UDP has no acknowledgement to wait for). */
  async waitFor(n: number, ms = 5000): Promise<SyslogLine[]> {
    const until = Date.now() + ms;
    while (this.messages.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.messages;
  }

  close(): Promise<void> {
    return this.#close();
  }
}

export const OPENSSL = ["/usr/bin/openssl", "/usr/local/bin/openssl"].find((p) => existsSync(p)) ?? null;

/** A throwaway self-signed certificate for 127.0.0.1 (and its PEM path, to use as the CA). */
export function selfSignedCert(): { key: Buffer; cert: Buffer; certPath: string; cleanup: () => void } {
  if (!OPENSSL) throw new Error("openssl not found");
  const dir = mkdtempSync(join(tmpdir(), "clawpatrol-monitor-tls-"));
  const made = selfSigned(dir, "syslog", [
    "-subj",
    "/CN=clawpatrol test syslog",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  return {
    ...made,
    certPath: join(dir, "syslog.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Lines of an NDJSON file as objects ([] when it does not exist). */
export function readNdjson(path: string): Record<string, any>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}
