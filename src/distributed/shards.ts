// A campaign's scope cut into shards: aligned address blocks (the --shard-size prefix) crossed
// with groups of ports. A shard keeps only the parts of its block that are in scope (excludes and
// blocklists already cut out), as inclusive ranges. Shards are numbered in a permuted order of
// their blocks, as a single scan permutes its endpoints, so consecutive shards (taken at the same
// moment by different workers) land on networks far apart.
import { UsageError } from "../core/errors.ts";
import { type Family, formatIp, type Interval, intervalSize } from "../targets/ip.ts";
import { Permutation } from "../targets/permutation.ts";

export interface Shard {
  /** Position in the campaign's order (0-based); the job that scans it is keyed by it. */
  index: number;
  family: Family;
  /** Inclusive address ranges inside one aligned block, as text ("10.0.0.0", "10.0.15.255"). */
  ranges: [string, string][];
  ports: number[];
  /** Endpoints in this shard: addresses x ports. */
  endpoints: number;
}

/** Ports per shard: a wide port list is split so one shard stays a bounded amount of work. */
export const PORTS_PER_SHARD = 64;
/** More shards than this is a usage error (pick a larger --shard-size). */
export const MAX_SHARDS = 4_000_000;

/** Parse --shard-size: "/20" or "20" (an IPv4 prefix length; IPv6 blocks hold as many addresses). */
export function parseShardSize(text: string): number {
  const m = /^\/?(\d{1,2})$/.exec(text.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 8 && n <= 32))
    throw new UsageError(`--shard-size must be a prefix length from /8 to /32 (got "${text}")`);
  return n;
}

interface Block {
  family: Family;
  ranges: Interval[];
}

/** Group normalised intervals by aligned block of 2^hostBits addresses. */
function blocksOf(intervals: readonly Interval[], hostBits: bigint): Block[] {
  const blocks: Block[] = [];
  const size = 1n << hostBits;
  for (const iv of intervals) {
    let start = iv.start;
    while (start <= iv.end) {
      const blockStart = (start >> hostBits) << hostBits;
      const end = blockStart + size - 1n < iv.end ? blockStart + size - 1n : iv.end;
      const last = blocks[blocks.length - 1];
      const piece = { family: iv.family, start, end };
      if (last && last.family === iv.family && last.ranges[0]!.start >> hostBits === blockStart >> hostBits)
        last.ranges.push(piece);
      else blocks.push({ family: iv.family, ranges: [piece] });
      if (blocks.length > MAX_SHARDS)
        throw new UsageError(`the scope makes more than ${MAX_SHARDS} shards: use a larger --shard-size`);
      start = end + 1n;
    }
  }
  return blocks;
}

/**
 * Cut `intervals` (normalised, excludes removed) x `ports` into shards, numbered in the order of
 * a permutation seeded with `seed`.
 */
export function planShards(
  intervals: readonly Interval[],
  ports: readonly number[],
  v4Prefix: number,
  seed: number,
): Shard[] {
  const hostBits = BigInt(32 - v4Prefix);
  const blocks = blocksOf(intervals, hostBits);
  const portGroups: number[][] = [];
  for (let i = 0; i < ports.length; i += PORTS_PER_SHARD)
    portGroups.push(ports.slice(i, i + PORTS_PER_SHARD));
  const total = blocks.length * portGroups.length;
  if (total > MAX_SHARDS)
    throw new UsageError(
      `the scope makes ${total} shards (more than ${MAX_SHARDS}): use a larger --shard-size`,
    );
  if (total === 0) return [];
  const order = new Permutation(BigInt(total), BigInt(seed));
  const shards: Shard[] = [];
  for (let index = 0; index < total; index++) {
    const k = order.atNumber(index);
    const block = blocks[k % blocks.length]!;
    const group = portGroups[Math.floor(k / blocks.length)]!;
    let addresses = 0n;
    for (const r of block.ranges) addresses += intervalSize(r);
    shards.push({
      index,
      family: block.family,
      ranges: block.ranges.map((r) => [formatIp(r.family, r.start), formatIp(r.family, r.end)]),
      ports: group,
      endpoints: Number(addresses) * group.length,
    });
  }
  return shards;
}
