// IP address arithmetic on bigints, so IPv4 and IPv6 share one code path.
import { isIPv4, isIPv6 } from "node:net";

export type Family = 4 | 6;

export interface Interval {
  family: Family;
  /** First address, inclusive. */
  start: bigint;
  /** Last address, inclusive. */
  end: bigint;
}

export function parseIp(text: string): { family: Family; value: bigint } | null {
  if (isIPv4(text)) {
    const parts = text.split(".").map(Number);
    return {
      family: 4,
      value: BigInt(((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!),
    };
  }
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!isIPv6(bare) || bare.includes("%")) return null;
  return { family: 6, value: ipv6ToBigint(bare) };
}

function ipv6ToBigint(text: string): bigint {
  let head = text;
  let tailV4: number[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const p = v4[1]!.split(".").map(Number);
    tailV4 = [(p[0]! << 8) + p[1]!, (p[2]! << 8) + p[3]!];
    head = text.slice(0, -v4[1]!.length);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const [left, right] = head.includes("::") ? head.split("::") : [head, undefined];
  const l = left ? left.split(":").filter((s) => s !== "") : [];
  const r = right !== undefined ? right.split(":").filter((s) => s !== "") : [];
  const groups = [...l.map((g) => Number.parseInt(g, 16))];
  const rightGroups = [...r.map((g) => Number.parseInt(g, 16)), ...tailV4];
  const missing = 8 - groups.length - rightGroups.length;
  const all =
    right !== undefined ? [...groups, ...new Array(missing).fill(0), ...rightGroups] : [...groups, ...tailV4];
  let value = 0n;
  for (const g of all) value = (value << 16n) | BigInt(g);
  return value;
}

/** An IPv4 address (0 to 2^32 - 1, as a plain number) in dotted form. */
export function formatIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) return formatIpv4(Number(value));
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function cidrInterval(family: Family, base: bigint, prefix: number): Interval {
  const hostBits = BigInt(bits(family) - prefix);
  const mask = (1n << hostBits) - 1n;
  const start = base & ~mask & ((1n << BigInt(bits(family))) - 1n);
  return { family, start, end: start | mask };
}

export function intervalSize(i: Interval): bigint {
  return i.end - i.start + 1n;
}

export function isLoopback(family: Family, value: bigint): boolean {
  if (family === 4) return value >> 24n === 127n;
  if (value === 1n) return true;
  // IPv4-mapped loopback ::ffff:127.x.y.z
  return value >> 32n === 0xffffn && (value >> 24n) % 256n === 127n;
}

/** Sort and merge overlapping or adjacent intervals, per family. */
export function normalise(list: Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) =>
    a.family !== b.family ? a.family - b.family : a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
  );
  const out: Interval[] = [];
  for (const cur of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === cur.family && cur.start <= last.end + 1n) {
      if (cur.end > last.end) last.end = cur.end;
    } else {
      out.push({ ...cur });
    }
  }
  return out;
}

/** Remove every address of `cut` from `base` (both normalised). */
export function subtract(base: Interval[], cut: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const b of base) {
    let pieces: Interval[] = [{ ...b }];
    for (const c of cut) {
      if (c.family !== b.family) continue;
      const next: Interval[] = [];
      for (const p of pieces) {
        if (c.end < p.start || c.start > p.end) {
          next.push(p);
          continue;
        }
        if (c.start > p.start) next.push({ family: p.family, start: p.start, end: c.start - 1n });
        if (c.end < p.end) next.push({ family: p.family, start: c.end + 1n, end: p.end });
      }
      pieces = next;
    }
    out.push(...pieces);
  }
  return out;
}
