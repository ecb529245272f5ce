// Opening a TCP or TLS connection with a hard deadline. TLS certificates are never
// verified (we want to see what is there, not trust it); what they say is kept as evidence.
import { createHash } from "node:crypto";
import net from "node:net";
import type tls from "node:tls";
import { capText } from "../util/text.ts";
import { type ConnectFailure, classify } from "./failure.ts";

export interface TlsInfo {
  protocol: string | null;
  subject: string | null;
  issuer: string | null;
  subjectAltNames: string[];
  validFrom: string | null;
  validTo: string | null;
  /** SHA-256 over the leaf certificate's DER bytes, hex. */
  sha256: string | null;
}

export interface ConnectTarget {
  ip: string;
  port: number;
  tls: boolean;
  servername: string | null;
}

export type ConnectResult =
  | { ok: true; socket: net.Socket; tls: TlsInfo | null; ms: number }
  | { ok: false; error: ConnectFailure; detail: string; ms: number };

function dnString(dn: unknown): string | null {
  if (!dn || typeof dn !== "object") return null;
  const text = Object.entries(dn as Record<string, unknown>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : String(v)}`)
    .join(", ");
  return capText(text, 512).text;
}

const MAX_SANS = 64;

/** At most 64 names of 256 chars; a cut list ends with a visible marker entry, never silently. */
function altNames(list: string | undefined): string[] {
  if (!list) return [];
  const names = list.split(/,\s*/);
  const kept = names.slice(0, MAX_SANS).map((s) => capText(s, 256).text);
  return names.length > MAX_SANS ? [...kept, `…[truncated ${names.length - MAX_SANS} more]`] : kept;
}

function tlsInfoOf(socket: tls.TLSSocket): TlsInfo {
  const cert = socket.getPeerCertificate(false);
  const has = cert && Object.keys(cert).length > 0;
  return {
    protocol: socket.getProtocol() ?? null,
    subject: has ? dnString(cert.subject) : null,
    issuer: has ? dnString(cert.issuer) : null,
    subjectAltNames: has ? altNames(cert.subjectaltname) : [],
    validFrom: has ? (cert.valid_from ?? null) : null,
    validTo: has ? (cert.valid_to ?? null) : null,
    sha256: has && cert.raw ? createHash("sha256").update(cert.raw).digest("hex") : null,
  };
}

// Loaded at the first TLS target: node:tls costs ~4 ms of start-up, and most scans of
// port 18789 never speak TLS.
let tlsModule: typeof tls | null = null;
function tlsApi(): typeof tls {
  tlsModule ??= process.getBuiltinModule("node:tls");
  return tlsModule;
}

export function openConnection(target: ConnectTarget, timeoutMs: number): Promise<ConnectResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const socket: net.Socket = target.tls
      ? tlsApi().connect({
          host: target.ip,
          port: target.port,
          servername: target.servername ?? undefined,
          rejectUnauthorized: false,
          // Certificates of any size are accepted but the handshake still has our deadline.
          ALPNProtocols: ["http/1.1"],
        })
      : net.connect({ host: target.ip, port: target.port });
    // Exchanges write a request and then (WebSocket) one small frame: no Nagle delay between them.
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => finish({ ok: false, error: "timeout", detail: `no connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    function finish(r: { ok: true } | { ok: false; error: ConnectFailure; detail: string }): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      if (r.ok) {
        socket.removeAllListeners("error");
        resolve({ ok: true, socket, tls: target.tls ? tlsInfoOf(socket as tls.TLSSocket) : null, ms });
      } else {
        socket.destroy();
        resolve({ ...r, ms });
      }
    }
    socket.once(target.tls ? "secureConnect" : "connect", () => finish({ ok: true }));
    socket.once("error", (err: NodeJS.ErrnoException) =>
      finish({ ok: false, error: classify(err), detail: err.code ?? err.message }),
    );
    socket.once("close", () => finish({ ok: false, error: "reset", detail: "closed during connect" }));
  });
}
