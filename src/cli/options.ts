// Shared option parsers: each turns a flag's text into a checked value or a UsageError.

import { UsageError } from "../core/errors.ts";

export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new UsageError(`${name} must be a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

/** Durations like 5000, 5000ms, 5s. Returns milliseconds. */
export function durationOption(name: string, minMs: number, maxMs: number): (value: string) => number {
  return (value: string) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
    if (!m) throw new UsageError(`${name} must be a duration like 5000, 5000ms or 5s, got "${value}"`);
    const ms = Math.round(Number(m[1]) * (m[2] === "s" ? 1000 : 1));
    if (ms < minMs || ms > maxMs) throw new UsageError(`${name} must be between ${minMs} ms and ${maxMs} ms`);
    return ms;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
