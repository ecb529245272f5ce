// How versions compare in each OSV ecosystem a product's advisories are written in: npm
// (SemVer), Go (SemVer, `v` prefix optional) and PyPI (PEP 440). One ordering per ecosystem,
// so a range from the advisory and a version from a scan are compared by the same rules.
import { comparePep440, parsePep440 } from "./pep440.ts";
import { compareSemVer, parseSemVer } from "./semver-order.ts";

export interface EcosystemOrder {
  ecosystem: string;
  /** Is `v` a version of this ecosystem? */
  valid(v: string): boolean;
  /** Negative, zero or positive; both must be valid. */
  compare(a: string, b: string): number;
}

function order<T>(ecosystem: string, parse: (v: string) => T | null, compare: (a: T, b: T) => number) {
  // Matching compares the same few versions over and over: parse each once.
  const cache = new Map<string, T | null>();
  const get = (v: string): T | null => {
    let p = cache.get(v);
    if (p === undefined) {
      p = parse(v);
      if (cache.size > 10_000) cache.clear();
      cache.set(v, p);
    }
    return p;
  };
  return {
    ecosystem,
    valid: (v: string) => get(v) !== null,
    compare: (a: string, b: string) => {
      const x = get(a);
      const y = get(b);
      if (x === null || y === null) throw new Error(`not a ${ecosystem} version: ${x === null ? a : b}`);
      return compare(x, y);
    },
  } satisfies EcosystemOrder;
}

const ORDERS: Record<string, EcosystemOrder> = {
  npm: order("npm", (v) => (v.startsWith("v") ? null : parseSemVer(v)), compareSemVer),
  Go: order("Go", parseSemVer, compareSemVer),
  PyPI: order("PyPI", parsePep440, comparePep440),
};

/** The ordering of an OSV ecosystem, or null when clawpatrol cannot compare its versions. */
export function ecosystemOrder(ecosystem: string): EcosystemOrder | null {
  return ORDERS[ecosystem] ?? null;
}

export const ORDERED_ECOSYSTEMS = Object.keys(ORDERS);
