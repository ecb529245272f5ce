// DNS-SD browsing over multicast DNS (multicast-dns): ask for the PTR records of each service
// type, ask again twice (mDNS drops packets by design), ask an instance's SRV and TXT when its
// PTR came alone, and keep every record heard until the deadline. Bounded: at most MAX_RECORDS
// records are kept, a malformed packet is dropped by the library (a "warning"), and a flood
// cannot grow memory past the cap. What the records mean is mdns-services.ts's job.
import { networkInterfaces } from "node:os";
import makeMdns from "multicast-dns";
import { RunError, UsageError } from "../core/errors.ts";
import { GATEWAY_SERVICE_TYPES, type RawRecord } from "./mdns-services.ts";

export const MAX_RECORDS = 20_000;
/** When the PTR queries go out, in ms from the start (before the deadline). */
const QUERY_AT = [0, 1000, 2500];

export interface BrowseOptions {
  /** IPv4 address of the interface to browse on (undefined: the system's default). */
  interfaceAddress?: string;
  timeoutMs: number;
  types?: readonly string[];
  /** For tests: another port and group than 5353 / 224.0.0.251. */
  port?: number;
  group?: string;
}

export interface BrowseResult {
  records: RawRecord[];
  packets: number;
  /** More records arrived than were kept. */
  capped: boolean;
}

/** `--interface`: an interface name (its first IPv4 address) or an IPv4 address. */
export function interfaceAddressOf(value: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return value;
  const addrs = networkInterfaces()[value];
  const v4 = addrs?.find((a) => a.family === "IPv4");
  if (!addrs) throw new UsageError(`--interface: no network interface named "${value}"`);
  if (!v4) throw new UsageError(`--interface: interface "${value}" has no IPv4 address`);
  return v4.address;
}

function toRecords(list: unknown, from: string): RawRecord[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((a): a is { name: unknown; type: unknown; data: unknown } => a !== null && typeof a === "object")
    .filter((a) => typeof a.name === "string" && typeof a.type === "string")
    .map((a) => ({ name: a.name as string, type: a.type as string, data: a.data, from }));
}

export async function browseMdns(opts: BrowseOptions): Promise<BrowseResult> {
  const types = opts.types ?? GATEWAY_SERVICE_TYPES;
  const records: RawRecord[] = [];
  let packets = 0;
  let capped = false;
  const mdns = makeMdns({
    ...(opts.port ? { port: opts.port } : {}),
    ...(opts.group ? { ip: opts.group } : {}),
    ...(opts.interfaceAddress ? { interface: opts.interfaceAddress } : {}),
    // A socket bound to the interface's own address would not receive multicast on Linux.
    bind: "0.0.0.0",
    reuseAddr: true,
  });
  const asked = new Set<string>();
  return await new Promise<BrowseResult>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (err?: Error) => {
      for (const t of timers) clearTimeout(t);
      mdns.removeAllListeners("response");
      mdns.destroy();
      if (err) reject(err);
      else resolve({ records, packets, capped });
    };
    mdns.on("error", (err: NodeJS.ErrnoException) =>
      finish(
        new RunError(
          `mDNS socket: ${err.code ?? err.message} (needs UDP port ${opts.port ?? 5353} and multicast)`,
        ),
      ),
    );
    mdns.on("warning", () => {
      // a malformed packet: dropped, the browse goes on
    });
    mdns.on("response", (packet, rinfo) => {
      packets++;
      const heard = [
        ...toRecords(packet.answers, rinfo.address),
        ...toRecords(packet.additionals, rinfo.address),
      ];
      for (const r of heard) {
        if (records.length >= MAX_RECORDS) {
          capped = true;
          break;
        }
        records.push(r);
      }
      // An instance named by a PTR without its SRV/TXT alongside: ask for them once.
      const wanted = new Set(types.map((t) => t.toLowerCase()));
      for (const r of heard) {
        if (r.type !== "PTR" || typeof r.data !== "string" || !wanted.has(r.name.toLowerCase())) continue;
        const instance = r.data;
        if (asked.has(instance) || asked.size >= 256) continue;
        if (heard.some((h) => h.name === instance && h.type === "SRV")) continue;
        asked.add(instance);
        mdns.query({
          questions: [
            { name: instance, type: "SRV" },
            { name: instance, type: "TXT" },
          ],
        });
      }
    });
    mdns.on("ready", () => {
      for (const at of QUERY_AT.filter((t) => t < opts.timeoutMs))
        timers.push(
          setTimeout(
            () => mdns.query({ questions: types.map((name) => ({ name, type: "PTR" as const })) }),
            at,
          ),
        );
      timers.push(setTimeout(() => finish(), opts.timeoutMs));
    });
  });
}
