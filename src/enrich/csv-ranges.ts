// Address-range tables read from the "-num" CSV files of the ip-location-db packages: one range
// a line, "start,end,value..." with start and end as decimal integers, values CSV-quoted when
// they hold a comma ("Cloudflare, Inc."). Kept as sorted columns and searched by binary search.
import { readFileSync } from "node:fs";

/** The fields of one CSV line (RFC 4180 quoting). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = line.length;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      i++; // the comma
    } else {
      const c = line.indexOf(",", i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/** A sorted, non-overlapping range table over IPv4 (numbers) or IPv6 (bigints). */
export interface RangeTable {
  /** Numbers for IPv4, bigints for IPv6. */
  starts: ArrayLike<number | bigint>;
  ends: ArrayLike<number | bigint>;
  /** Index of each range's values in `values`. */
  value: Uint32Array;
  values: string[][];
}

/** Reads a -num CSV file; rows with the same values share one entry of `values`. */
export function readRangeTable(path: string, family: 4 | 6): RangeTable {
  const text = readFileSync(path, "utf8");
  const starts: (number | bigint)[] = [];
  const ends: (number | bigint)[] = [];
  const valueIndex: number[] = [];
  const values: string[][] = [];
  const seen = new Map<string, number>();
  let from = 0;
  while (from < text.length) {
    let nl = text.indexOf("\n", from);
    if (nl < 0) nl = text.length;
    const line = text.slice(from, nl).replace(/\r$/, "");
    from = nl + 1;
    if (line === "") continue;
    const c1 = line.indexOf(",");
    const c2 = line.indexOf(",", c1 + 1);
    if (c1 < 0 || c2 < 0) continue;
    const rest = line.slice(c2 + 1);
    let idx = seen.get(rest);
    if (idx === undefined) {
      idx = values.length;
      values.push(csvFields(rest));
      seen.set(rest, idx);
    }
    const a = line.slice(0, c1);
    const b = line.slice(c1 + 1, c2);
    starts.push(family === 4 ? Number(a) : BigInt(a));
    ends.push(family === 4 ? Number(b) : BigInt(b));
    valueIndex.push(idx);
  }
  return {
    starts: family === 4 ? Uint32Array.from(starts as number[]) : starts,
    ends: family === 4 ? Uint32Array.from(ends as number[]) : ends,
    value: Uint32Array.from(valueIndex),
    values,
  };
}

/** The values of the range holding `v`, or null when no range does. */
export function lookupRange(t: RangeTable, v: number | bigint): string[] | null {
  let lo = 0;
  let hi = t.starts.length - 1;
  if (hi < 0 || v < t.starts[0]!) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.starts[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return v <= t.ends[lo]! ? t.values[t.value[lo]!]! : null;
}
