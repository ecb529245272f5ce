// Censys host exports (JSON array or NDJSON): a host per value with its services. Both the
// Search 2.0 layout (ip, services[].port/service_name/transport_protocol/software,
// autonomous_system.asn/name, location.country_code, last_updated_at) and the Platform one
// (the same under `host` or `resource`, services[].protocol) are read. Each TCP service is
// an entry; UDP and QUIC services are skipped.
import {
  address,
  asnOf,
  claim,
  countryOf,
  entry,
  isObject,
  malformed,
  portOf,
  skipped,
  text,
  timeOf,
} from "./fields.ts";
import { jsonValues } from "./json-values.ts";
import type { ExportItem, NumberedLine } from "./types.ts";

function hostOf(v: Record<string, unknown>): Record<string, unknown> {
  if (isObject(v.host)) return v.host;
  if (isObject(v.resource)) return v.resource;
  return v;
}

export async function* censysJson(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const v of jsonValues(lines)) {
    if ("malformed" in v) {
      yield v;
      continue;
    }
    if (!isObject(v.value)) {
      yield malformed(v.line, "not a JSON object");
      continue;
    }
    const h = hostOf(v.value);
    const ip = address(h.ip);
    if (!ip || !Array.isArray(h.services)) {
      yield malformed(v.line, "not a Censys host (needs ip and services)");
      continue;
    }
    const as = isObject(h.autonomous_system) ? h.autonomous_system : {};
    const location = isObject(h.location) ? h.location : {};
    const place = {
      asn: asnOf(as.asn),
      org: text(as.name) ?? text(as.description),
      country: countryOf(location.country_code),
    };
    const names = Array.isArray(h.dns_names)
      ? h.dns_names
      : isObject(h.dns) && Array.isArray(h.dns.names)
        ? h.dns.names
        : [];
    if (h.services.length === 0) yield skipped(v.line, "host without services");
    for (const s of h.services) {
      const port = isObject(s) ? portOf(s.port) : null;
      if (!isObject(s) || port === null) {
        yield malformed(v.line, "service without a port");
        continue;
      }
      const transport = typeof s.transport_protocol === "string" ? s.transport_protocol.toLowerCase() : "tcp";
      if (transport !== "tcp") {
        yield skipped(v.line, `${transport} service`);
        continue;
      }
      const software = Array.isArray(s.software) ? s.software.find(isObject) : undefined;
      yield entry(
        v.line,
        ip,
        port,
        claim("censys", {
          product: software ? text(software.product) : null,
          version: software ? text(software.version) : null,
          service: text(s.service_name) ?? text(s.protocol),
          seenAt: timeOf(s.observed_at) ?? timeOf(h.last_updated_at),
        }),
        { hostname: text(names[0]), place },
      );
    }
  }
}
