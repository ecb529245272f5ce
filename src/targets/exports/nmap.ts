// nmap's XML (-oX) and grepable (-oG) output: every open TCP port of every host is an entry;
// closed, filtered and UDP ports are skipped with their state. The same XML reader serves
// masscan's -oX, which copies nmap's layout.
import { address, claim, entry, malformed, portOf, skipped, text, timeOf } from "./fields.ts";
import type { ExportFormat, ExportItem, NumberedLine } from "./types.ts";
import { xmlHosts } from "./xml-host.ts";

export function xmlReader(format: ExportFormat) {
  return async function* read(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
    for await (const item of xmlHosts(lines)) {
      if ("bad" in item) {
        yield malformed(item.bad.line, item.bad.reason);
        continue;
      }
      const h = item.host;
      const ip = h.addresses.map((a) => (a.type === "mac" ? null : address(a.addr))).find((a) => a) ?? null;
      if (!ip) {
        yield malformed(h.line, "<host> without an IPv4 or IPv6 <address>");
        continue;
      }
      if (h.ports.length === 0) {
        yield skipped(h.line, "host without ports");
        continue;
      }
      for (const p of h.ports) {
        const port = portOf(p.portid);
        if (port === null)
          yield malformed(h.line, `port ${JSON.stringify(p.portid.slice(0, 20))} is not a port`);
        else if (p.protocol !== "tcp") yield skipped(h.line, `${p.protocol || "unknown"} port`);
        else if (p.state !== "open") yield skipped(h.line, `port ${p.state ?? "without state"}`);
        else
          yield entry(
            h.line,
            ip,
            port,
            claim(format, {
              product: text(p.product),
              version: text(p.version),
              service: text(p.service),
              seenAt: timeOf(h.time),
            }),
            { hostname: h.hostnames[0] ?? null },
          );
      }
    }
  };
}

/**
 * A grepable line's ports: "18789/open/tcp//http//SimpleHTTPServer 0.6 (Python 3.11.7)/".
 * Fields: port, state, protocol, owner, service, rpc info, version; '/' inside a field is
 * written by nmap as '|'.
 */
export function grepablePorts(
  format: ExportFormat,
  n: number,
  ip: string,
  hostname: string | null,
  ports: string,
  seenAt: string | null,
): ExportItem[] {
  const out: ExportItem[] = [];
  for (const spec of ports.split(/,\s*/)) {
    if (spec.trim() === "") continue;
    const f = spec.trim().split("/");
    const port = portOf(f[0]);
    if (f.length < 3 || port === null)
      out.push(malformed(n, `not a port entry: ${JSON.stringify(spec.slice(0, 40))}`));
    else if (f[2] !== "tcp") out.push(skipped(n, `${f[2] || "unknown"} port`));
    else if (f[1] !== "open") out.push(skipped(n, `port ${f[1] || "without state"}`));
    else
      out.push(
        entry(n, ip, port, claim(format, { service: text(f[4]), product: text(f[6]), seenAt }), { hostname }),
      );
  }
  return out;
}

/** "Host: 10.0.0.2 (name)\tPorts: ..." → address, name and the rest of the fields. */
export function grepableHost(line: string): {
  ip: string | null;
  hostname: string | null;
  fields: Map<string, string>;
} {
  const fields = new Map<string, string>();
  for (const part of line.split("\t")) {
    const m = /^(\w[\w ]*):\s?(.*)$/.exec(part);
    if (m) fields.set(m[1]!, m[2]!);
  }
  const host = /^(\S+)\s*\(([^)]*)\)/.exec(fields.get("Host") ?? "");
  return { ip: host ? address(host[1]) : null, hostname: host?.[2] ? host[2] : null, fields };
}

export async function* nmapGrepable(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const { n, text: line } of lines) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const { ip, hostname, fields } = grepableHost(line);
    if (!fields.has("Host")) {
      yield malformed(n, "not a grepable line (no Host: field)");
      continue;
    }
    if (!ip) {
      yield malformed(n, "Host: is not an IP address");
      continue;
    }
    const ports = fields.get("Ports");
    if (ports === undefined) {
      yield skipped(n, fields.has("Status") ? "host status line" : "line without ports");
      continue;
    }
    yield* grepablePorts("nmap-grep", n, ip, hostname, ports, null);
  }
}
