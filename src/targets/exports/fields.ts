// Small checks every reader shares: an address, a port, a time, a bounded string.
import { isIP } from "node:net";
import type { ExportEntry, ExportFormat, ExportItem, SourceClaim, SourcePlace } from "./types.ts";

/** Strings from a source are capped: a claim is a label, not a banner dump. */
const MAX_CLAIM = 200;

export function text(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t === "" ? null : t.slice(0, MAX_CLAIM);
}

/** An IP literal as the source wrote it (IPv6 zone ids and brackets are refused). */
export function address(v: unknown): string | null {
  return typeof v === "string" && isIP(v) !== 0 ? v : null;
}

export function portOf(v: unknown): number | null {
  const n = typeof v === "string" && /^\d{1,5}$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/** Seconds since the epoch (masscan, nmap) or an ISO-ish date string, as ISO 8601; null if neither. */
export function timeOf(v: unknown): string | null {
  if (typeof v === "number" || (typeof v === "string" && /^\d{9,11}$/.test(v))) {
    const ms = Number(v) * 1000;
    return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
  }
  if (typeof v !== "string" || v.length > 64) return null;
  // Shodan writes UTC times without a zone ("2021-01-28T07:21:33.444507"); ZMap writes "+0000".
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(v) ? v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2") : `${v}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function claim(format: ExportFormat, c: Partial<Omit<SourceClaim, "format">> = {}): SourceClaim {
  return {
    format,
    product: c.product ?? null,
    version: c.version ?? null,
    service: c.service ?? null,
    seenAt: c.seenAt ?? null,
  };
}

export function entry(
  line: number,
  ip: string,
  port: number,
  c: SourceClaim,
  more: { hostname?: string | null; place?: SourcePlace | null } = {},
): ExportItem {
  const e: ExportEntry = {
    line,
    ip,
    port,
    hostname: more.hostname ?? null,
    claim: c,
    place: more.place ?? null,
    record: null,
  };
  return { entry: e };
}

export const malformed = (line: number, reason: string): ExportItem => ({ malformed: { line, reason } });
export const skipped = (line: number, reason: string): ExportItem => ({ skipped: { line, reason } });

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** "AS24940", "24940" or 24940 as a number; null otherwise. */
export function asnOf(v: unknown): number | null {
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.replace(/^AS/i, "") : "";
  if (!/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n <= 4_294_967_295 ? n : null;
}

/** An ISO 3166-1 alpha-2 code, upper case; null otherwise. */
export function countryOf(v: unknown): string | null {
  return typeof v === "string" && /^[A-Za-z]{2}$/.test(v) ? v.toUpperCase() : null;
}
