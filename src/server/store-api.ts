// The store API: what `inventory`, `export`, `runs`, `import` and `scan --store` do to the
// store, for when they run while this dashboard holds the PGlite store (src/store/remote.ts is
// the other side). Only for the Bearer secret serve wrote into the data directory (mode 600):
// neither the dashboard token nor a browser session reaches these routes.
//   GET  /api/store/assets?network&product&version&auth&advisory&state&since&until
//   GET  /api/store/runs?limit=N            GET /api/store/runs/:id   GET /api/store/runs/:id/summary
//   GET  /api/store/records?run&since (NDJSON)                        GET /api/store/findings?since
//   GET  /api/store/gateways (the STIX picture's gateway assets)
//   POST /api/store/runs (RunInfo)   POST /api/store/runs/:id/records ([{seq, observation}])
//   POST /api/store/runs/:id/complete ({finishedAt})
import { isIP } from "node:net";
import type { Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { stream } from "hono/streaming";
import type { StoreDb } from "../store/db.ts";
import { listGateways } from "../store/gateways.ts";
import { checkRecord } from "../store/import.ts";
import { type AssetFilter, listAssets, listFindings, streamRecords } from "../store/query.ts";
import { listRunSummaries, runExists, runSummary } from "../store/runs.ts";
import { beginRun, completeRun, type Numbered, type RunKind, writeBatch } from "../store/write.ts";
import type { SecurityEnv } from "./security.ts";

/** A batch of records may be large (a record carries its evidence); every other body is small. */
export const MAX_RECORDS_BODY = 64 * 1024 * 1024;
export const isRecordsPath = (path: string) => /^\/api\/store\/runs\/[^/]+\/records$/.test(path);

const bad = (message: string) => new HTTPException(400, { message });

function instant(name: string, v: string | undefined): string | undefined {
  if (v === undefined || v === "") return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw bad(`${name}: not a date and time`);
  return new Date(ms).toISOString();
}

async function jsonBody(c: Context): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? ""))
    throw new HTTPException(415, { message: "send the body as Content-Type: application/json" });
  try {
    return JSON.parse(await c.req.text());
  } catch {
    throw bad("the body is not valid JSON");
  }
}

const KINDS: readonly RunKind[] = ["scan", "audit", "skills"];
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export function registerStoreApi(app: Hono<SecurityEnv>, db: StoreDb): void {
  app.use("/api/store/*", async (c, next) => {
    if (!c.get("auth").store)
      return c.json({ error: "the store API is for clawpatrol commands on this machine" }, 403);
    await next();
  });

  app.get("/api/store/assets", async (c) => {
    const q = c.req.query();
    const filter: AssetFilter = {};
    for (const k of ["network", "product", "version", "auth", "advisory", "country", "asn"] as const)
      if (q[k] !== undefined && q[k] !== "") filter[k] = q[k];
    if (q.state !== undefined && q.state !== "") {
      if (q.state !== "open" && q.state !== "closed") throw bad("state: open or closed");
      filter.state = q.state;
    }
    const since = instant("since", q.since);
    const until = instant("until", q.until);
    if (since) filter.since = since;
    if (until) filter.until = until;
    try {
      return c.json(await listAssets(db, filter));
    } catch (err) {
      if (filter.network && /cidr|inet/i.test((err as Error).message)) throw bad("network: not a valid CIDR");
      throw err;
    }
  });

  app.get("/api/store/runs", async (c) => {
    const v = c.req.query("limit") ?? "50";
    if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw bad("limit: a whole number from 1");
    return c.json(await listRunSummaries(db, Number(v)));
  });
  app.get("/api/store/runs/:id", async (c) => c.json({ exists: await runExists(db, c.req.param("id")) }));
  app.get("/api/store/runs/:id/summary", async (c) => c.json(await runSummary(db, c.req.param("id"))));

  app.get("/api/store/records", (c) => {
    const run = c.req.query("run");
    const since = instant("since", c.req.query("since"));
    const country = c.req.query("country");
    const asn = c.req.query("asn");
    c.header("Content-Type", "application/x-ndjson");
    return stream(c, async (s) => {
      let lines: string[] = [];
      for await (const r of streamRecords(db, {
        ...(run ? { runId: run } : {}),
        ...(since ? { since } : {}),
        ...(country ? { country } : {}),
        ...(asn ? { asn } : {}),
      })) {
        lines.push(`${JSON.stringify(r)}\n`);
        if (lines.length >= 200) {
          await s.write(lines.join(""));
          lines = [];
        }
      }
      if (lines.length > 0) await s.write(lines.join(""));
    });
  });

  app.get("/api/store/findings", async (c) => {
    const since = instant("since", c.req.query("since"));
    return c.json(await listFindings(db, since ? { since } : {}));
  });

  app.get("/api/store/gateways", async (c) => c.json(await listGateways(db)));

  app.post("/api/store/runs", async (c) => {
    const b = await jsonBody(c);
    if (!isObject(b)) throw bad("the body must be a run (a JSON object)");
    if (typeof b.id !== "string" || !/^[\w.:-]{1,200}$/.test(b.id)) throw bad("id: a run id");
    if (!KINDS.includes(b.kind as RunKind)) throw bad(`kind: one of ${KINDS.join(", ")}`);
    const startedAt = instant("startedAt", typeof b.startedAt === "string" ? b.startedAt : "");
    if (!startedAt) throw bad("startedAt: a date and time");
    const state = await beginRun(db, {
      id: b.id,
      kind: b.kind as RunKind,
      startedAt,
      source: typeof b.source === "string" ? b.source : null,
      options: isObject(b.options) ? b.options : {},
      targets: Array.isArray(b.targets) ? b.targets.filter((t): t is string => typeof t === "string") : [],
      scope: scopeOf(b.scope),
      profile: typeof b.profile === "string" ? b.profile : null,
    });
    return c.json({ state });
  });

  app.post("/api/store/runs/:id/records", async (c) => {
    const runId = c.req.param("id");
    if (!(await runExists(db, runId))) return c.json({ error: "no such run" }, 404);
    const b = await jsonBody(c);
    if (!Array.isArray(b)) throw bad("the body must be a list of {seq, observation}");
    const batch: Numbered[] = [];
    for (const [i, item] of b.entries()) {
      if (!isObject(item) || !Number.isInteger(item.seq) || (item.seq as number) < 0)
        throw bad(`[${i}].seq: a whole number`);
      const r = checkRecord(item.observation);
      if (!r.ok) throw bad(`[${i}].observation: ${r.reason}`);
      batch.push({ seq: item.seq as number, observation: r.value });
    }
    await writeBatch(db, runId, batch);
    return c.json({ written: batch.length });
  });

  app.post("/api/store/runs/:id/complete", async (c) => {
    const runId = c.req.param("id");
    if (!(await runExists(db, runId))) return c.json({ error: "no such run" }, 404);
    const b = await jsonBody(c);
    const finishedAt = instant(
      "finishedAt",
      isObject(b) && typeof b.finishedAt === "string" ? b.finishedAt : "",
    );
    if (!finishedAt) throw bad("finishedAt: a date and time");
    await completeRun(db, runId, finishedAt);
    return c.json(await runSummary(db, runId));
  });
}

/** A run scope as sent: address ranges and ports, or null. */
function scopeOf(v: unknown): { ranges: [string, string][]; ports: number[] } | null {
  if (!isObject(v) || !Array.isArray(v.ranges) || !Array.isArray(v.ports)) return null;
  const ranges = v.ranges.filter(
    (r): r is [string, string] =>
      Array.isArray(r) &&
      r.length === 2 &&
      typeof r[0] === "string" &&
      typeof r[1] === "string" &&
      isIP(r[0]) !== 0 &&
      isIP(r[1]) === isIP(r[0]),
  );
  const ports = v.ports.filter((p): p is number => Number.isInteger(p) && p >= 0 && p <= 65535);
  if (ranges.length !== v.ranges.length || ports.length !== v.ports.length)
    throw bad("scope: ranges and ports");
  return { ranges, ports };
}
