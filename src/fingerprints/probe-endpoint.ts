// Probes one open endpoint for every registered product and fingerprints the transcript.
// The root exchange is shared; fingerprinters whose triage claims it send their follow-ups;
// when none claims it, the others' discovery probes run in registry order until one
// recognises its product (see contract.ts).
import type { Endpoint } from "../targets/stream.ts";
import type { Fingerprinter } from "./contract.ts";
import { FINGERPRINTERS } from "./registry.ts";
import { type ProbeContext, ProbeSession } from "./session.ts";
import type { Transcript } from "./transcript.ts";
import { NOT_A_GATEWAY, type Verdict } from "./verdict.ts";

export async function probeEndpoint(
  endpoint: Endpoint,
  ctx: ProbeContext,
  viaLoopback: boolean,
  fingerprinters: readonly Fingerprinter[] = FINGERPRINTERS,
): Promise<Transcript> {
  const s = new ProbeSession(endpoint, ctx, viaLoopback);
  try {
    const root = await s.root();
    // Nothing HTTP answered (refused, reset, silent): nothing more to learn benignly.
    if (!root || (!root.response && !root.nonHttp)) return s.transcript();
    const triaged = fingerprinters.map((f) => ({ f, t: f.triage(root) }));
    const claims = triaged.filter((x) => x.t === "claim");
    if (claims.length > 0) {
      for (const { f } of claims) await f.probe(s, root, true);
    } else {
      for (const { f, t } of triaged) {
        if (t !== "maybe") continue;
        if (await f.probe(s, root, false)) break;
        if (s.msLeft() < 50) break;
      }
    }
    return s.transcript();
  } finally {
    s.close();
  }
}

/**
 * The verdict of the fingerprinter most sure of its product (ties: registry order). Each
 * fingerprinter only ever names its own products, so at most one normally answers.
 */
export function fingerprintTranscript(
  t: Transcript,
  fingerprinters: readonly Fingerprinter[] = FINGERPRINTERS,
): { verdict: Verdict; by: Fingerprinter | null } {
  let best: { verdict: Verdict; by: Fingerprinter | null } = { verdict: NOT_A_GATEWAY, by: null };
  let unknown: Verdict | null = null;
  for (const f of fingerprinters) {
    const v = f.fingerprint(t);
    if (v.product === null) {
      // The first fingerprinter's "not mine" carries how sure it is (OpenClaw's did before).
      unknown ??= v;
      continue;
    }
    if (best.by === null || v.confidence.product > best.verdict.confidence.product)
      best = { verdict: v, by: f };
  }
  return best.by ? best : { verdict: unknown ?? NOT_A_GATEWAY, by: null };
}
