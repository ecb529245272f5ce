// The fleet report intake: `POST /api/fleet/reports`, where each host's `audit --report-to`
// (and `skills scan --installed --report-to`) delivers its report with that host's token.
// It is authenticated by the host token alone (not the dashboard's token or a session), so it is
// registered ahead of the dashboard's own auth. Every report is size-capped, validated, and
// kept once; nothing is stored for a report that is refused:
//   401 no token, or an unknown or revoked one      403 the report names another host
//   413 larger than MAX_REPORT_BYTES                 415 not application/json
//   400 not a fleet report (envelope or report)      409 stale (a replay) or an id reused with other content
//   201 stored                                       200 the same report again (a retry): nothing new stored
import { createHash } from "node:crypto";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { parseResults, ResultsFileError } from "../findings/baseline-sources.ts";
import type { Finding } from "../findings/model.ts";
import type { StoreDb } from "../store/rows.ts";
import { HOST_NAME, hostOfToken, storeReport } from "./fleet-store.ts";

export const FLEET_REPORTS_PATH = "/api/fleet/reports";
export const FLEET_REPORT_SCHEMA = "clawpatrol.fleet-report/1";
/** An audit report of a busy host is tens of kilobytes; skills reports of many skills more. */
export const MAX_REPORT_BYTES = 8 * 1024 * 1024;
/** A report sent longer ago than this (or this far in the future) is refused as a replay. */
export const REPLAY_WINDOW_MS = 15 * 60 * 1000;

const Envelope = z.strictObject({
  schema: z.literal(FLEET_REPORT_SCHEMA),
  host: z.string().regex(HOST_NAME, "host must be a host name"),
  reportId: z.string().regex(/^[0-9a-f-]{36}$/, "reportId must be a UUID"),
  sentAt: z.iso.datetime({ offset: true }),
  kind: z.enum(["audit", "skills"]),
  report: z.record(z.string(), z.unknown()),
});

export type FleetEnvelope = z.infer<typeof Envelope>;

export interface IntakeOptions {
  db: StoreDb;
  now: () => Date;
  log: (line: string) => void;
}

/** The body, read up to the cap: null when it is larger (whatever Content-Length says). */
async function readCapped(c: Context): Promise<string | null> {
  const length = c.req.header("content-length");
  if (length !== undefined && /^\d+$/.test(length) && Number(length) > MAX_REPORT_BYTES) return null;
  const body = c.req.raw.body;
  if (!body) return "";
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_REPORT_BYTES) {
      await reader.cancel();
      return null;
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

function bearer(c: Context): string | null {
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(c.req.header("authorization") ?? "");
  return m ? m[1]! : null;
}

/** Canonical digest of what the report says (key order of the sender does not matter for retries). */
function digestOf(e: FleetEnvelope): string {
  return createHash("sha256")
    .update(JSON.stringify([e.host, e.kind, e.sentAt, e.report]))
    .digest("hex");
}

/** Findings of the report with the host in their asset, so two hosts' identical paths stay apart. */
function hostFindings(host: string, list: readonly Finding[]): Finding[] {
  return list.map((f) => ({ ...f, asset: `${host}:${f.asset}` }));
}

export function registerFleetIntake(app: Hono, opts: IntakeOptions): void {
  app.post(FLEET_REPORTS_PATH, async (c) => {
    const token = bearer(c);
    if (token === null) {
      c.header("WWW-Authenticate", 'Bearer realm="clawpatrol fleet"');
      return c.json({ error: "a host token is required (Authorization: Bearer ...)" }, 401);
    }
    const host = await hostOfToken(opts.db, token);
    if (host === null) return c.json({ error: "unknown or revoked host token" }, 401);
    if (!/^application\/json\b/i.test(c.req.header("content-type") ?? ""))
      return c.json({ error: "send the report as Content-Type: application/json" }, 415);
    const text = await readCapped(c);
    if (text === null) return c.json({ error: `report larger than ${MAX_REPORT_BYTES} bytes` }, 413);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return c.json({ error: "the body is not valid JSON" }, 400);
    }
    const env = Envelope.safeParse(value);
    if (!env.success) {
      const i = env.error.issues[0]!;
      return c.json({ error: `${i.path.join(".") || "(body)"}: ${i.message.split("\n")[0]}` }, 400);
    }
    const e = env.data;
    if (e.host !== host) return c.json({ error: `this token belongs to another host, not ${e.host}` }, 403);
    const now = opts.now();
    const skew = now.getTime() - Date.parse(e.sentAt);
    if (skew > REPLAY_WINDOW_MS || skew < -REPLAY_WINDOW_MS)
      return c.json(
        { error: "report sent too long ago or in the future: refused as a replay (check the clock)" },
        409,
      );
    let findings: Finding[];
    let startedAt: string;
    try {
      const parsed = parseResults(JSON.stringify(e.report), "report");
      if (parsed.kind !== e.kind)
        throw new ResultsFileError(`report: is a ${parsed.kind} report, not ${e.kind}`);
      if (parsed.kind === "audit") {
        findings = parsed.report.findings;
        startedAt = parsed.report.startedAt;
      } else if (parsed.kind === "skills") {
        findings = parsed.report.skills.flatMap((s) => s.findings.filter((f) => !f.suppressed));
        startedAt = parsed.report.generatedAt;
      } else throw new ResultsFileError("report: not an audit or skills report");
      if (Number.isNaN(Date.parse(startedAt))) throw new ResultsFileError("report: no start time");
    } catch (err) {
      if (err instanceof ResultsFileError) return c.json({ error: err.message }, 400);
      throw err;
    }
    const outcome = await storeReport(
      opts.db,
      {
        id: e.reportId,
        host,
        kind: e.kind,
        digest: digestOf(e),
        sentAt: new Date(e.sentAt).toISOString(),
        startedAt: new Date(startedAt).toISOString(),
        report: e.report,
        findings: hostFindings(host, findings),
      },
      now,
    );
    if ("conflict" in outcome)
      return c.json({ error: "this report id was already used for other content: refused as a replay" }, 409);
    if (!outcome.stored) return c.json({ stored: false, duplicate: true, runId: outcome.runId }, 200);
    opts.log(`fleet: ${host} reported ${e.kind} (${outcome.findings} findings) as ${outcome.runId}`);
    return c.json({ stored: true, runId: outcome.runId, findings: outcome.findings }, 201);
  });
}
