// Hostnames to addresses, once per name, before a scan starts: so every name that does not
// resolve is known (and reported) up front, and a scan where nothing resolved can stop
// before it opens its output.
import { parseIp } from "./ip.ts";
import type { Resolution, TargetPlan } from "./spec.ts";

export type Resolver = (name: string) => Promise<{ address: string; family: number }[]>;

/**
 * The system resolver, except for names under `.invalid`: RFC 6761 reserves that domain to
 * never resolve, so no query is sent for it. node:dns is loaded on first use: setting up its
 * resolver costs ~10 ms at start-up, and a scan of addresses never needs it.
 */
export const defaultResolver: Resolver = async (name) => {
  if (/(^|\.)invalid\.?$/i.test(name)) throw new Error(`${name} is under .invalid, which never resolves`);
  const { lookup } = await import("node:dns/promises");
  return lookup(name, { all: true, verbatim: true });
};

/** A name that did not resolve: what the user named it in, and why. */
export interface NameFailure {
  name: string;
  error: string;
}

/** Why a lookup failed, in a few words (the resolver's code, e.g. ENOTFOUND, when it has one). */
export function failureText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return `cannot resolve: ${e?.code ?? (e instanceof Error ? e.message : String(err))}`;
}

/** Every hostname of the plan (names, host:port names, URL hosts that are not addresses), each once. */
export function planNames(plan: TargetPlan): string[] {
  const names = new Set<string>(plan.hostnames);
  for (const e of plan.endpoints) if (e.family === null) names.add(e.host);
  for (const u of plan.urls) if (parseIp(u.hostname) === null) names.add(u.hostname);
  return [...names];
}

/**
 * Resolves every name of the plan (`concurrency` lookups at a time) and returns the plan with
 * the answers attached, plus the names that did not resolve (in the order they were given).
 */
export async function resolveNames(
  plan: TargetPlan,
  resolve: Resolver = defaultResolver,
  concurrency = 16,
): Promise<{ plan: TargetPlan; failures: NameFailure[] }> {
  const names = planNames(plan);
  const resolved = new Map<string, Resolution>();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < names.length) {
      const name = names[next++]!;
      try {
        const addresses = await resolve(name);
        resolved.set(
          name,
          addresses.length > 0 ? { addresses } : { error: "cannot resolve: the name has no address" },
        );
      } catch (err) {
        resolved.set(name, { error: failureText(err) });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  const failures: NameFailure[] = [];
  for (const name of names) {
    const r = resolved.get(name)!;
    if ("error" in r) failures.push({ name, error: r.error });
  }
  return { plan: { ...plan, resolved }, failures };
}
