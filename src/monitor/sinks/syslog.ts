// Syslog sink: each alert as an RFC 5424 message whose MSG is a CEF line, over
//   udp  one datagram per message (RFC 5426),
//   tcp  octet-counting framing, "<length> <message>" (RFC 6587),
//   tls  the same framing inside TLS (RFC 5425), the collector's certificate verified against
//        `ca` (or the system store), optionally with a client certificate.
// Over UDP "sent" means handed to the network: nothing acknowledges a datagram.
import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import net, { isIP } from "node:net";
import tls from "node:tls";
import type { Alert } from "../alerts.ts";
import { facilityCode, type SyslogSinkConfig } from "../config.ts";
import { octetCounted, type SyslogHeader, syslogHostname, syslogMessage } from "../format.ts";
import { type AlertSink, allFailed, type DeliveryResult, errorText } from "./types.ts";

const DEFAULT_PORT = { udp: 514, tcp: 514, tls: 6514 } as const;
/** Larger datagrams are fragmented or dropped on many paths; alerts stay well below this. */
const MAX_DATAGRAM = 8192;

export class SyslogSink implements AlertSink {
  readonly type = "syslog" as const;
  readonly name: string;
  readonly config: SyslogSinkConfig;
  readonly #header: SyslogHeader;

  constructor(name: string, config: SyslogSinkConfig) {
    this.name = name;
    this.config = config;
    this.#header = {
      facility: facilityCode(config.facility),
      appName: config.appName,
      hostname: config.hostname ?? syslogHostname(),
    };
  }

  get port(): number {
    return this.config.port ?? DEFAULT_PORT[this.config.transport];
  }

  deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]> {
    if (alerts.length === 0) return Promise.resolve([]);
    const messages = alerts.map((a) => syslogMessage(a, this.#header));
    return this.config.transport === "udp" ? this.#udp(messages) : this.#stream(messages);
  }

  async #udp(messages: string[]): Promise<DeliveryResult[]> {
    let address = this.config.host;
    let family = isIP(address);
    if (family === 0) {
      try {
        const r = await lookup(address);
        address = r.address;
        family = r.family;
      } catch (err) {
        return allFailed(messages.length, `cannot resolve ${this.config.host}: ${errorText(err)}`);
      }
    }
    const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
    socket.on("error", () => {});
    const out: DeliveryResult[] = [];
    try {
      for (const m of messages) {
        let buf = Buffer.from(m, "utf8");
        if (buf.length > MAX_DATAGRAM) buf = buf.subarray(0, MAX_DATAGRAM);
        const err = await new Promise<Error | null>((resolve) =>
          socket.send(buf, this.port, address, resolve),
        );
        out.push(err ? { ok: false, error: errorText(err) } : { ok: true });
      }
    } finally {
      socket.close();
    }
    return out;
  }

  /** TCP or TLS: one connection for the whole list, octet-counted frames, a clean close. */
  #stream(messages: string[]): Promise<DeliveryResult[]> {
    const { host, transport, timeout } = this.config;
    return new Promise((resolve) => {
      let done = false;
      let socket: net.Socket;
      const finish = (results: DeliveryResult[]) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(results);
      };
      const fail = (why: string) => finish(allFailed(messages.length, why));
      const timer = setTimeout(() => fail(`timed out after ${timeout} ms`), timeout);
      const send = () => {
        for (const m of messages) socket.write(octetCounted(m));
        // end() calls back once everything was flushed to the kernel and the write side closed.
        socket.end(() => finish(messages.map(() => ({ ok: true }))));
      };
      try {
        if (transport === "tls") {
          const readOpt = (p: string | undefined) => (p ? readFileSync(p) : undefined);
          const servername = this.config.servername ?? (isIP(host) === 0 ? host : undefined);
          socket = tls.connect(
            {
              host,
              port: this.port,
              ...(this.config.ca ? { ca: readOpt(this.config.ca) } : {}),
              ...(this.config.cert ? { cert: readOpt(this.config.cert), key: readOpt(this.config.key) } : {}),
              ...(servername ? { servername } : {}),
              rejectUnauthorized: true,
              minVersion: "TLSv1.2",
            },
            send,
          );
        } else {
          socket = net.connect({ host, port: this.port }, send);
        }
      } catch (err) {
        clearTimeout(timer);
        resolve(allFailed(messages.length, errorText(err)));
        return;
      }
      socket.on("error", (err) => fail(`${transport} ${host}:${this.port}: ${errorText(err)}`));
      // A collector that hangs up before everything was written has not taken the rest.
      socket.on("close", () => fail(`${transport} ${host}:${this.port}: connection closed early`));
    });
  }
}
