// What every alert sink does: deliver a list of alerts in order and say, per alert, whether the
// receiver took it. An alert counts as sent only when this says so; anything else is retried by
// the profile's next run.
import type { Alert } from "../alerts.ts";

export type DeliveryResult = { ok: true } | { ok: false; error: string };

export interface AlertSink {
  readonly name: string;
  readonly type: "webhook" | "syslog" | "ndjson" | "command";
  /** Deliver in order: one result per alert. A sink that breaks fails the rest of the list at once. */
  deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]>;
}

/** Results for alerts not tried because the sink already failed in this round. */
export function skipped(n: number, error: string): DeliveryResult[] {
  return Array.from({ length: n }, () => ({ ok: false as const, error: `not tried: ${error}` }));
}

/** The same failure for every alert of a list (the sink could not be reached at all). */
export function allFailed(n: number, error: string): DeliveryResult[] {
  return Array.from({ length: n }, () => ({ ok: false as const, error }));
}

/** A short, one-line description of an error (no stack, no newlines). */
export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.cause?.code ?? e?.code;
  const msg = String(e?.cause?.message ?? e?.message ?? err);
  const text = code && !msg.includes(code) ? `${code}: ${msg}` : msg;
  return text.replace(/\s+/g, " ").slice(0, 300);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
