// masscan's four outputs: -oJ (a JSON array, one host object per element), -oL (list lines
// "open tcp PORT IP TIME"), -oX (nmap-style XML, read by nmap.ts) and -oG (grepable, with a
// Timestamp field before Host).
import { address, claim, entry, isObject, malformed, portOf, skipped, text, timeOf } from "./fields.ts";
import { jsonValues } from "./json-values.ts";
import { TOO_LONG } from "./lines.ts";
import { grepableHost, grepablePorts } from "./nmap.ts";
import type { ExportItem, NumberedLine } from "./types.ts";

/** masscan before 1.3 ended -oJ with this (not JSON) instead of closing the array. */
const OLD_END = /^\{\s*finished:\s*1\s*\}$/;

export async function* masscanJson(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const v of jsonValues(lines)) {
    if ("malformed" in v) {
      yield v;
      continue;
    }
    if (OLD_END.test(v.text.trim())) continue;
    const o = v.value;
    if (!isObject(o)) {
      yield malformed(v.line, "not a JSON object");
      continue;
    }
    const ip = address(o.ip);
    if (!ip || !Array.isArray(o.ports)) {
      yield malformed(v.line, "not a masscan host (needs ip and ports)");
      continue;
    }
    const seenAt = timeOf(o.timestamp);
    for (const p of o.ports) {
      const port = isObject(p) ? portOf(p.port) : null;
      if (!isObject(p) || port === null) yield malformed(v.line, "port without a port number");
      else if (p.proto !== "tcp") yield skipped(v.line, `${String(p.proto ?? "unknown")} port`);
      else if (p.status !== undefined && p.status !== "open")
        yield skipped(v.line, `port ${String(p.status)}`);
      else {
        const service = isObject(p.service) ? text(p.service.name) : null;
        yield entry(v.line, ip, port, claim("masscan-json", { service, seenAt }));
      }
    }
  }
}

export async function* masscanList(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const { n, text: line } of lines) {
    if (line === TOO_LONG) {
      yield malformed(n, "line too long");
      continue;
    }
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const f = t.split(/\s+/);
    if (f[0] === "banner") {
      yield skipped(n, "banner line");
      continue;
    }
    const port = portOf(f[2]);
    const ip = address(f[3]);
    if (f.length < 4 || port === null || ip === null) {
      yield malformed(n, "not a masscan list line (state proto port ip time)");
      continue;
    }
    if (f[1] !== "tcp") yield skipped(n, `${f[1]} port`);
    else if (f[0] !== "open") yield skipped(n, `port ${f[0]}`);
    else yield entry(n, ip, port, claim("masscan-list", { seenAt: timeOf(f[4]) }));
  }
}

export async function* masscanGrepable(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const { n, text: line } of lines) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const { ip, hostname, fields } = grepableHost(line);
    const ports = fields.get("Ports");
    if (!ip || ports === undefined) {
      yield malformed(n, "not a masscan grepable line (Host: and Ports:)");
      continue;
    }
    yield* grepablePorts("masscan-grep", n, ip, hostname, ports, timeOf(fields.get("Timestamp")));
  }
}
