// A run's scope as the store keeps it: the address ranges and ports a scan covered, so that an
// asset it no longer found can be closed. Plain data, no database code: the scan computes it
// before the store is open.
import { formatIp, type Interval } from "../targets/ip.ts";
import type { RunScope } from "./schema.ts";

/** Scopes of more ranges than this are not kept (closing by absence would cost too much). */
export const MAX_SCOPE_RANGES = 5000;

/**
 * A scan's scope for the store: its address intervals (excludes already cut out) and ports.
 * Hostnames and URLs are left out (what they resolve to can change), so their assets are never
 * closed by absence; a scope too large to keep is none at all.
 */
export function scopeOf(intervals: readonly Interval[], ports: readonly number[]): RunScope | null {
  if (intervals.length === 0 || intervals.length > MAX_SCOPE_RANGES) return null;
  return {
    ranges: intervals.map((i) => [formatIp(i.family, i.start), formatIp(i.family, i.end)]),
    ports: [...ports],
  };
}
