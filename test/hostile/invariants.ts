// What must hold for every record, whatever a target sent: it validates against the v1
// schema, it is bounded, truncation is visible, and its terminal rendering carries no raw
// control or escape bytes.
import { expect } from "vitest";
import type { Transcript } from "../../src/fingerprints/transcript.ts";
import type { Observation } from "../../src/scan/record.ts";
import { observationSchema } from "../../src/scan/record-schema.ts";
import { tableRow } from "../../src/scan/render.ts";

/** C0 (but TAB/LF), DEL, C1, and the bidi overrides/isolates: never raw on a terminal. */
export const TERMINAL_UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The evidence excerpt cap of the fingerprint, and its marker. */
export const EXCERPT_CAP = 300;
export const TRUNCATION_MARKER = /…\[truncated \d+ chars\]$/;

/** A record's JSON stays small whatever the target sent. */
export const MAX_RECORD_BYTES = 32 * 1024;
/** No single string in a record is longer than this (excerpts, details, TLS names). */
export const MAX_FIELD_CHARS = 1024;

/**
 * Sequential exchange rounds of one endpoint: the root page (and its TLS retry), the
 * WebSocket, follow-ups two at a time, extra static files two at a time. Each round ends
 * by --timeout at the latest, so an endpoint ends by rounds × --timeout.
 */
export function endpointRounds(t: Transcript): number {
  const rootish = t.http.filter(
    (x) => x.request.path === `${t.endpoint.basePath}/` && x.request.method === "GET",
  ).length;
  const rest = t.http.length - rootish;
  return rootish + t.ws.length + Math.ceil(Math.min(rest, 6) / 2) + Math.ceil(Math.max(0, rest - 6) / 2);
}

/** Root, TLS retry, WebSocket, three rounds of follow-ups, one round of extra files. */
export const MAX_ROUNDS = 7;

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** The part of a record a target controls: everything but the matched advisories (our own data). */
function targetDerived(o: Observation): Observation {
  return {
    ...o,
    advisories: [],
    findings: o.findings.filter((f) => f.ruleId !== "CP-SCAN-004" && f.ruleId !== "CP-SCAN-005"),
  };
}

export function expectSafeRecord(o: Observation): void {
  const json = JSON.stringify(o);
  const label = `${o.ip}:${o.port}`;
  expect(() => observationSchema.parse(JSON.parse(json)), label).not.toThrow();
  const own = targetDerived(o);
  expect(Buffer.byteLength(JSON.stringify(own)), label).toBeLessThanOrEqual(MAX_RECORD_BYTES);
  for (const s of strings(own))
    expect(s.length, `${label}: ${s.slice(0, 80)}`).toBeLessThanOrEqual(MAX_FIELD_CHARS);
  for (const e of [...o.evidence, ...o.findings.flatMap((f) => f.evidence)]) {
    if (e.excerpt === undefined) continue;
    if (e.truncated) expect(e.excerpt, label).toMatch(TRUNCATION_MARKER);
    else expect(e.excerpt.length, label).toBeLessThanOrEqual(EXCERPT_CAP);
  }
  const row = tableRow(o);
  expect(row, label).not.toMatch(TERMINAL_UNSAFE);
  expect(row, label).not.toContain("\n");
}

/** Conflicts about the version (not about auth or local treatment) never come with an exact version. */
export const VERSION_CONFLICT =
  /version statements disagree|does not match the Control UI build|contradicts version|published as|brand signals disagree|version table:/;

export function expectHonestVersion(o: Observation): void {
  if (o.version === null) return;
  const label = `${o.ip}:${o.port} ${o.version}`;
  expect(
    o.conflicts.filter((c) => VERSION_CONFLICT.test(c)),
    label,
  ).toEqual([]);
  expect(o.confidence.version, label).toBeGreaterThan(0.3);
}
