// Hard limits for every exchange with a target. Targets are hostile ground: each read is
// capped in bytes and in time, so a tarpit or an endless body costs a bounded amount.

export interface ExchangeLimits {
  /** Milliseconds for the TCP (and TLS) connect. */
  connectTimeoutMs: number;
  /** Milliseconds for one whole exchange, connect included. */
  exchangeTimeoutMs: number;
  /** Bytes of response head (status line + headers). */
  maxHeaderBytes: number;
  maxHeaderCount: number;
  /** Bytes of response body kept; reading stops there. */
  maxBodyBytes: number;
  /** WebSocket: bytes of one frame payload, and frames read per exchange. */
  maxFrameBytes: number;
  maxFrames: number;
}

export const DEFAULT_LIMITS: ExchangeLimits = {
  connectTimeoutMs: 3000,
  exchangeTimeoutMs: 5000,
  maxHeaderBytes: 32 * 1024,
  maxHeaderCount: 128,
  maxBodyBytes: 256 * 1024,
  maxFrameBytes: 64 * 1024,
  maxFrames: 8,
};

export function limitsForTimeout(timeoutMs: number): ExchangeLimits {
  return {
    ...DEFAULT_LIMITS,
    connectTimeoutMs: Math.min(timeoutMs, DEFAULT_LIMITS.connectTimeoutMs),
    exchangeTimeoutMs: timeoutMs,
  };
}
