// A synthetic but realistic population for the store benchmark: gateways on 10.0.0.0/16 seen by
// one scan a day for N days. Each record is a real one (a recorded zoo transcript through the
// real fingerprint and advisory matcher), moved to its address and time. Day to day, some
// gateways go away and come back, some upgrade, new ones appear: the churn that makes new /
// closed / re-opened / changed non-trivial.
import { readdirSync, readFileSync } from "node:fs";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { scanAdvisor } from "../../src/scan/advise.ts";
import { observe } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";

const REMOTE = new URL("../../test/fixtures/zoo/remote/", import.meta.url);

/** The real records the population is made of (with their advisories), oldest releases first. */
export async function templates(): Promise<Observation[]> {
  const advisor = await scanAdvisor();
  return readdirSync(REMOTE)
    .filter((n) => n.endsWith(".json"))
    .sort()
    .map((f) => observe(transcriptFromJson(readFileSync(new URL(f, REMOTE), "utf8")), advisor))
    .filter((o) => o.product !== null);
}

/** A small deterministic PRNG (mulberry32), so every run of the bench writes the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Plan {
  days: number;
  /** Gateways alive on day 0; the population grows by `growth` a day. */
  initial: number;
  growth: number;
  /** Chance that a gateway is not seen on a given day (closed, or just down). */
  absent: number;
  /** Chance a day that a gateway moves to a newer template (an upgrade). */
  upgrade: number;
}

export const ipOf = (n: number) => `10.0.${(n >> 8) & 255}.${n & 255}`;

/** Observations of day `d` (0-based), with the scan's start and end. */
export function* day(
  plan: Plan,
  d: number,
  firstDay: number,
  tpl: readonly Observation[],
  state: Uint8Array,
): Generator<Observation> {
  const rand = prng(1000 + d);
  const alive = Math.min(plan.initial + plan.growth * d, 65_000);
  const dayStart = firstDay + d * 86_400_000;
  for (let n = 0; n < alive; n++) {
    if (state[n] === 0) state[n] = 1 + Math.floor(rand() * tpl.length);
    if (rand() < plan.upgrade && state[n]! < tpl.length) state[n]! += 1;
    if (rand() < plan.absent) continue;
    const base = tpl[state[n]! - 1]!;
    const ip = ipOf(n);
    const asset = `${ip}:18789`;
    yield {
      ...base,
      host: ip,
      ip,
      port: 18789,
      url: `http://${asset}/`,
      scannedAt: new Date(dayStart + 3_600_000 + Math.floor((n / alive) * 20 * 3_600_000)).toISOString(),
      findings: base.findings.map((f) => ({ ...f, asset })),
    };
  }
}
