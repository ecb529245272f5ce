// Webhook sink: one POST of the alert's JSON per alert.
//   Content-Type: application/json
//   X-Clawpatrol-Delivery: <alert id>       (the same on a redelivery: sending is at-least-once)
//   X-Clawpatrol-Event: <kind>
//   X-Clawpatrol-Timestamp: <unix seconds>
//   X-Clawpatrol-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the secret>
// The timestamp is inside the signed text, so a receiver that checks the signature and refuses
// timestamps older than a few minutes cannot be fed a replayed request. Network errors, 408, 429
// and 5xx are retried with exponential backoff; other answers are final. Redirects are not
// followed (a signed body goes only where it was configured to go).
import { createHmac, timingSafeEqual } from "node:crypto";
import { VERSION } from "../../core/version.ts";
import type { Alert } from "../alerts.ts";
import type { WebhookSinkConfig } from "../config.ts";
import { type AlertSink, type DeliveryResult, errorText, skipped, sleep } from "./types.ts";

export const SIGNATURE_HEADER = "x-clawpatrol-signature";
export const TIMESTAMP_HEADER = "x-clawpatrol-timestamp";

/** `sha256=<hex>`: HMAC-SHA256 of `${timestamp}.${body}`. */
export function signBody(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * What a receiver does: recompute the signature (constant-time compare) and refuse a timestamp
 * more than `toleranceSeconds` away from its own clock.
 */
export function verifySignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const want = Buffer.from(signBody(secret, timestamp, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

export class WebhookSink implements AlertSink {
  readonly type = "webhook" as const;
  readonly name: string;
  readonly config: WebhookSinkConfig;

  constructor(name: string, config: WebhookSinkConfig) {
    this.name = name;
    this.config = config;
  }

  /** One alert, with retries; resolves to the final outcome. */
  async #post(alert: Alert): Promise<DeliveryResult> {
    const body = JSON.stringify(alert);
    const { retries, backoff, timeout, url } = this.config;
    let last = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1) * (1 + Math.random() * 0.2));
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        ...this.config.headers,
        "content-type": "application/json",
        "user-agent": `clawpatrol/${VERSION}`,
        "x-clawpatrol-delivery": alert.id,
        "x-clawpatrol-event": alert.kind,
        [TIMESTAMP_HEADER]: String(timestamp),
      };
      if (this.config.resolvedSecret)
        headers[SIGNATURE_HEADER] = signBody(this.config.resolvedSecret, timestamp, body);
      try {
        const res = await fetch(url, {
          method: "POST",
          body,
          headers,
          redirect: "manual",
          signal: AbortSignal.timeout(timeout),
        });
        await res.body?.cancel().catch(() => {});
        if (res.status >= 200 && res.status < 300) return { ok: true };
        last = `HTTP ${res.status}`;
        if (!RETRYABLE(res.status)) break;
      } catch (err) {
        last = (err as Error).name === "TimeoutError" ? `timed out after ${timeout} ms` : errorText(err);
      }
    }
    return { ok: false, error: `${last} (after ${retries + 1} attempt${retries === 0 ? "" : "s"})` };
  }

  async deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]> {
    const out: DeliveryResult[] = [];
    for (const a of alerts) {
      const r = await this.#post(a);
      out.push(r);
      if (!r.ok) {
        // The receiver is down or refusing: do not spend the retries on every other alert too.
        out.push(...skipped(alerts.length - out.length, `webhook failed earlier in this round (${r.error})`));
        break;
      }
    }
    return out;
  }
}
