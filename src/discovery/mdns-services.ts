// What DNS-SD answers say, assembled into services. Pure: the browser (mdns-browse.ts) only
// collects resource records; this module decides which belong to a browsed service type and
// reads them. Every byte came from whoever answered on the link, so everything is bounded:
// at most MAX_SERVICES services, MAX_TXT_KEYS keys each, names and values capped and stripped
// of control characters; a record that lies (a port out of range, a TXT port that is not a
// number) is kept as text and flagged, never trusted.
import { capText } from "../util/text.ts";

/** The service types clawpatrol browses: OpenClaw's gateway beacon and its earlier names. */
export const GATEWAY_SERVICE_TYPES = [
  "_openclaw-gw._tcp.local",
  "_clawdbot-gw._tcp.local",
  "_moltbot-gw._tcp.local",
  "_clawdbot-bridge._tcp.local",
] as const;

export const MAX_SERVICES = 1024;
export const MAX_TXT_KEYS = 64;
const MAX_NAME = 255;
const MAX_VALUE = 255;
const MAX_ADDRESSES = 16;

/** One resource record as the browser hands it over (dns-packet's decoded answer, loosely typed). */
export interface RawRecord {
  name: string;
  type: string;
  data: unknown;
  /** The address the packet came from. */
  from?: string;
}

export interface MdnsService {
  /** The service type, e.g. `_openclaw-gw._tcp.local`. */
  type: string;
  /** The instance label, e.g. `gw-host (OpenClaw)`. */
  instance: string;
  /** SRV target host and port (null until an SRV record names them). */
  host: string | null;
  port: number | null;
  /** A/AAAA addresses of the host, and the addresses the answers came from. */
  addresses: string[];
  /** TXT key/value pairs (keys lower-cased as DNS-SD says they compare). */
  txt: Record<string, string>;
  /** Things in the answers that were not what they claim to be (capped notes). */
  anomalies: string[];
}

export function clean(text: string, max: number): string {
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
  return capText(printable, max).text;
}

function nameOf(v: unknown): string | null {
  return typeof v === "string" ? clean(v, MAX_NAME).toLowerCase().replace(/\.$/, "") : null;
}

/** TXT data from dns-packet: an array of Buffers (or strings), each `key=value`. */
export function parseTxt(data: unknown, anomalies: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const items = Array.isArray(data) ? data : [data];
  let dropped = 0;
  for (const item of items) {
    const text = Buffer.isBuffer(item) ? item.toString("utf8") : typeof item === "string" ? item : null;
    if (text === null || text.length === 0) continue;
    if (Object.keys(out).length >= MAX_TXT_KEYS) {
      dropped++;
      continue;
    }
    const eq = text.indexOf("=");
    const key = clean(eq < 0 ? text : text.slice(0, eq), 64).toLowerCase();
    if (!key || key in out) continue;
    const raw = eq < 0 ? "" : text.slice(eq + 1);
    if (raw.length > MAX_VALUE || /[\u0000-\u001f\u007f]/.test(raw))
      anomalies.push(`TXT ${key}: control bytes or oversize value`);
    out[key] = clean(raw, MAX_VALUE);
  }
  if (dropped > 0) anomalies.push(`${dropped} TXT entries beyond ${MAX_TXT_KEYS} dropped`);
  return out;
}

function portOf(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 65535 ? v : null;
}

/** Assemble the services of the browsed types from every record seen. */
export function assembleServices(
  records: RawRecord[],
  types: readonly string[] = GATEWAY_SERVICE_TYPES,
): MdnsService[] {
  const wanted = new Set(types.map((t) => t.toLowerCase()));
  const services = new Map<string, MdnsService>();
  // 1. PTR: service type → instance full name.
  for (const r of records) {
    if (r.type !== "PTR") continue;
    const type = nameOf(r.name);
    const full = nameOf(r.data);
    if (!type || !full || !wanted.has(type) || !full.endsWith(`.${type}`)) continue;
    if (services.has(full) || services.size >= MAX_SERVICES) continue;
    const label = typeof r.data === "string" ? r.data.slice(0, r.data.length - type.length - 1) : "";
    services.set(full, {
      type,
      instance: clean(
        label.replace(/\\(\d{3})/g, (_m, d: string) => String.fromCharCode(Number(d))),
        128,
      ),
      host: null,
      port: null,
      addresses: [],
      txt: {},
      anomalies: [],
    });
  }
  // 2. SRV and TXT of each instance; the answering addresses.
  for (const r of records) {
    const s = services.get(nameOf(r.name) ?? "");
    if (!s) continue;
    if (r.from && s.addresses.length < MAX_ADDRESSES && !s.addresses.includes(r.from))
      s.addresses.push(clean(r.from, 64));
    if (r.type === "SRV" && s.host === null) {
      const d = r.data as { target?: unknown; port?: unknown } | null;
      s.host = nameOf(d?.target);
      s.port = portOf(d?.port);
      if (s.port === null) s.anomalies.push("SRV port out of range");
    } else if (r.type === "TXT" && Object.keys(s.txt).length === 0) {
      s.txt = parseTxt(r.data, s.anomalies);
    }
  }
  // 3. Host addresses.
  for (const s of services.values()) {
    if (!s.host) continue;
    for (const r of records) {
      if ((r.type !== "A" && r.type !== "AAAA") || nameOf(r.name) !== s.host) continue;
      const a = typeof r.data === "string" ? clean(r.data, 64) : null;
      if (a && s.addresses.length < MAX_ADDRESSES && !s.addresses.includes(a)) s.addresses.unshift(a);
    }
    // The TXT's own port claims must agree with SRV, or be flagged.
    const claimed = s.txt.gatewayport;
    if (claimed !== undefined && (!/^\d{1,5}$/.test(claimed) || Number(claimed) > 65535))
      s.anomalies.push("TXT gatewayPort is not a port number");
    const ssh = s.txt.sshport;
    if (ssh !== undefined && (!/^\d{1,5}$/.test(ssh) || Number(ssh) > 65535))
      s.anomalies.push("TXT sshPort is not a port number");
  }
  return [...services.values()];
}
