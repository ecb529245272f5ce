// One run of one monitor profile: open the store, scan (a scan run with the profile's scope and
// name), turn the run's asset events into alerts (deduplicated, flapping folded), deliver every
// alert still owed to a sink, close the store. Nothing here throws: a run that cannot happen
// (store down, scan error) comes back as a report with status `failed` and the reason, and the
// next tick tries again.
import type { Severity } from "../findings/model.ts";
import { openStore, type Store } from "../store/db.ts";
import {
  assetContexts,
  type Db,
  endMonitorRun,
  eventsOfRun,
  flipsBetween,
  handledKeys,
  markAlerted,
  openDeliveries,
  queueDeliveries,
  recordDelivery,
  runsAwaitingAlerts,
  startMonitorRun,
} from "./alert-log.ts";
import {
  type AdvisoryLookup,
  type Alert,
  type AssetEvent,
  addressOf,
  alertForEvent,
  flappingAlert,
  orderAlert,
  routeTakes,
} from "./alerts.ts";
import type { MonitorConfig, Profile } from "./config.ts";
import { runMonitorScan } from "./run-scan.ts";
import { createSink } from "./sinks/index.ts";
import { errorText } from "./sinks/types.ts";
import { slaAlerts } from "./sla.ts";

export const RUN_SCHEMA = "clawpatrol.monitor-run/v1";

export interface ReportedEvent {
  kind: AssetEvent["kind"];
  address: string;
  ip: string;
  port: number;
  product: string | null;
  version: string | null;
  auth: string;
  changes: Record<string, unknown>;
}

export interface ReportedAlert {
  id: string;
  key: string;
  kind: Alert["kind"];
  severity: Severity;
  title: string;
  summary: string;
  address: string;
  runId: string;
  /** Per sink: sent, failed (retried next run), or suppressed (already sent within the dedupe window). */
  sinks: Record<string, "sent" | "failed" | "suppressed" | "pending">;
  errors?: Record<string, string>;
}

export interface RunReport {
  schema: typeof RUN_SCHEMA;
  profile: string;
  runId: string | null;
  status: "complete" | "interrupted" | "failed";
  startedAt: string;
  finishedAt: string;
  seconds: number;
  endpoints: number;
  open: number;
  gateways: number;
  /** This run's asset events: the diff against the previous picture of its scope. */
  events: ReportedEvent[];
  eventCounts: { new: number; closed: number; reopened: number; changed: number };
  /** Alerts made in this run (from its events, and from earlier runs caught up now). */
  alerts: ReportedAlert[];
  deliveries: { sent: number; failed: number; suppressed: number; retried: number; expired: number };
  /** Earlier runs of the profile whose events were alerted only now (interrupted, or alerting failed). */
  caughtUp: string[];
  /** Per sink that failed a delivery in this run: the first reason it gave. */
  sinkErrors: Record<string, string>;
  error: string | null;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** How to open the store; defaults to DATABASE_URL or the PGlite store under CLAWPATROL_HOME. */
  open?: () => Promise<Store>;
  /** The clock service levels are timed by (tests pin it). */
  now?: () => Date;
}

type Matcher = (q: { product: string; version: string }) => {
  upgradeTo: string | null;
  lookup: AdvisoryLookup;
};

/** Advisory data for alerts, loaded on first use (a run without events never loads it). */
async function advisoryMatcher(): Promise<Matcher> {
  const { defaultAdvisoryDb, matchAdvisories } = await import("../advisories/match.ts");
  const db = defaultAdvisoryDb();
  const fromDb: AdvisoryLookup = (id) => {
    const a = db.byId.get(id);
    return a ? { id: a.id, aliases: a.aliases, severity: a.severity, summary: a.summary, fixed: null } : null;
  };
  const cache = new Map<string, ReturnType<Matcher>>();
  return ({ product, version }) => {
    const k = `${product}@${version}`;
    const hit = cache.get(k);
    if (hit) return hit;
    let answer: ReturnType<Matcher> = { upgradeTo: null, lookup: fromDb };
    if (["openclaw", "clawdbot", "moltbot"].includes(product)) {
      const m = matchAdvisories({ product: product as "openclaw", version });
      const byId = new Map([...m.affected, ...m.possiblyAffected].map((a) => [a.id, a]));
      answer = {
        upgradeTo: m.upgradeTo,
        lookup: (id) => {
          const a = byId.get(id);
          return a
            ? { id: a.id, aliases: a.aliases, severity: a.severity, summary: a.summary, fixed: a.fixed }
            : fromDb(id);
        },
      };
    }
    cache.set(k, answer);
    return answer;
  };
}

function emptyReport(profile: string): RunReport {
  return {
    schema: RUN_SCHEMA,
    profile,
    runId: null,
    status: "failed",
    startedAt: new Date().toISOString(),
    finishedAt: "",
    seconds: 0,
    endpoints: 0,
    open: 0,
    gateways: 0,
    events: [],
    eventCounts: { new: 0, closed: 0, reopened: 0, changed: 0 },
    alerts: [],
    deliveries: { sent: 0, failed: 0, suppressed: 0, retried: 0, expired: 0 },
    caughtUp: [],
    sinkErrors: {},
    error: null,
  };
}

const reportedEvent = (e: AssetEvent): ReportedEvent => ({
  kind: e.kind,
  address: addressOf(e.ip, e.port),
  ip: e.ip,
  port: e.port,
  product: e.product,
  version: e.version,
  auth: e.auth,
  changes: e.changes,
});

/**
 * Dedupe alerts against the log (and within this list), queue each for the sinks its profile's
 * routes send it to, and note them in the run's report.
 */
async function routeAlerts(
  tx: Db,
  alerts: readonly Alert[],
  profile: Profile,
  report: RunReport,
  byId: Map<string, ReportedAlert>,
  now: string,
  W: number,
): Promise<void> {
  const handled = await handledKeys(
    tx,
    alerts.map((a) => a.key),
    now,
    W,
  );
  const queue: { alert: Alert; sink: string }[] = [];
  for (const alert of alerts) {
    const reported: ReportedAlert = {
      id: alert.id,
      key: alert.key,
      kind: alert.kind,
      severity: alert.severity,
      title: alert.title,
      summary: alert.summary,
      address: alert.asset.address,
      runId: alert.runId,
      sinks: {},
    };
    for (const route of profile.alerts) {
      if (!routeTakes(route, alert) || reported.sinks[route.sink]) continue;
      const k = `${alert.key}\u0000${route.sink}`;
      if (handled.has(k)) {
        reported.sinks[route.sink] = "suppressed";
        report.deliveries.suppressed++;
        continue;
      }
      handled.add(k);
      queue.push({ alert, sink: route.sink });
      reported.sinks[route.sink] = "pending";
    }
    report.alerts.push(reported);
    byId.set(alert.id, reported);
  }
  await queueDeliveries(tx, queue, now);
}

/**
 * The policy's exposure service levels (monitor --policy): breaches that began since the last
 * cycle and breaches that closed, as alerts through the same routes (sla.ts).
 */
async function queueSlaAlerts(
  store: Store,
  config: MonitorConfig,
  profile: Profile,
  runId: string,
  report: RunReport,
  byId: Map<string, ReportedAlert>,
  now: Date,
): Promise<void> {
  if (!config.policy) return;
  const policy = config.policy.policy;
  await store.db.transaction(async (tx) => {
    const alerts = await slaAlerts(tx, policy, { profile: profile.name, runId, now });
    await routeAlerts(tx, alerts, profile, report, byId, now.toISOString(), config.dedupeWindowMs);
  });
}

/** Turn the events of every run still owed alerts into queued deliveries (deduplicated). */
async function queueAlerts(
  store: Store,
  config: MonitorConfig,
  profile: Profile,
  runId: string,
  report: RunReport,
): Promise<Map<string, ReportedAlert>> {
  const byId = new Map<string, ReportedAlert>();
  const now = new Date().toISOString();
  const since = new Date(Date.parse(now) - config.retryForMs).toISOString();
  const W = config.dedupeWindowMs;
  let matcher: Matcher | null = null;
  for (const r of await runsAwaitingAlerts(store.db, profile.name, since)) {
    const events = await eventsOfRun(store.db, r.runId);
    if (r.runId === runId) {
      report.events = events.map(reportedEvent);
      for (const e of events) report.eventCounts[e.kind]++;
    } else if (events.length > 0) report.caughtUp.push(r.runId);
    if (events.length > 0) matcher ??= await advisoryMatcher();
    await store.db.transaction(async (tx) => {
      const contexts = await assetContexts(tx, events);
      const alerts: Alert[] = [];
      for (const ev of events) {
        const ctx = contexts.get(`${ev.ip}|${ev.port}`) ?? { remoteLooksLocal: false, preauthAdvisories: [] };
        const adv =
          ev.product && ev.version
            ? matcher!({ product: ev.product, version: ev.version })
            : { upgradeTo: null, lookup: matcher!({ product: "-", version: "-" }).lookup };
        const meta = {
          profile: profile.name,
          runId: r.runId,
          upgradeTo: ev.kind === "closed" ? null : adv.upgradeTo,
        };
        let alert = alertForEvent(ev, ctx, adv.lookup, meta);
        if ((ev.kind === "closed" || ev.kind === "reopened") && W > 0) {
          const from = new Date(Date.parse(ev.at) - W).toISOString();
          const flap = await flipsBetween(tx, ev, from, ev.at);
          if (flap.flips >= config.flapThreshold)
            alert = flappingAlert(ev, ctx, adv.lookup, meta, {
              flips: flap.flips,
              windowStart: flap.first ?? from,
              quietUntil: new Date(Date.parse(now) + W).toISOString(),
            });
        }
        alerts.push(alert);
      }
      await routeAlerts(tx, alerts, profile, report, byId, now, W);
      await markAlerted(tx, r.runId, now);
    });
  }
  return byId;
}

/** Send every delivery the profile still owes (this run's and earlier failures), sinks in parallel. */
async function deliver(
  store: Store,
  config: MonitorConfig,
  profile: Profile,
  report: RunReport,
  made: Map<string, ReportedAlert>,
): Promise<void> {
  const now = new Date().toISOString();
  const { open, expired } = await openDeliveries(store.db, profile.name, now, config.retryForMs);
  report.deliveries.expired = expired;
  const bySink = new Map<string, typeof open>();
  for (const d of open) {
    const list = bySink.get(d.sink) ?? [];
    list.push(d);
    bySink.set(d.sink, list);
  }
  await Promise.all(
    [...bySink].map(async ([name, list]) => {
      const cfg = config.sinks.get(name);
      const results = cfg
        ? await createSink(name, cfg)
            .deliver(list.map((d) => orderAlert(d.alert)))
            .catch((err) => list.map(() => ({ ok: false as const, error: errorText(err) })))
        : list.map(() => ({ ok: false as const, error: `sink "${name}" is no longer in the config` }));
      const at = new Date().toISOString();
      for (let i = 0; i < list.length; i++) {
        const d = list[i]!;
        const r = results[i] ?? { ok: false as const, error: "no result from the sink" };
        await recordDelivery(store.db, d, r, at);
        if (r.ok) report.deliveries.sent++;
        else {
          report.deliveries.failed++;
          report.sinkErrors[name] ??= r.error;
        }
        const mine = made.get(d.alertId);
        if (mine) {
          mine.sinks[name] = r.ok ? "sent" : "failed";
          if (!r.ok) mine.errors = { ...mine.errors, [name]: r.error };
        } else report.deliveries.retried++;
      }
    }),
  );
}

/** Run one profile once. Never throws: failures come back in the report. */
export async function runProfile(
  config: MonitorConfig,
  profile: Profile,
  options: RunOptions = {},
): Promise<RunReport> {
  const t0 = performance.now();
  const report = emptyReport(profile.name);
  const done = () => {
    report.finishedAt = new Date().toISOString();
    report.seconds = Math.round(performance.now() - t0) / 1000;
    return report;
  };
  let store: Store;
  try {
    store = await (options.open ?? (() => openStore()))();
  } catch (err) {
    report.error = `cannot open the store: ${errorText(err)}`;
    return done();
  }
  const stackTraceLimit = Error.stackTraceLimit;
  try {
    // Every refused connect builds an Error; stacks cost a tenth of a sweep's CPU (as in `scan`).
    Error.stackTraceLimit = 0;
    const scan = await runMonitorScan(store.db, profile, {
      ...(options.signal ? { signal: options.signal } : {}),
      onStart: (runId, startedAt) => {
        report.runId = runId;
        report.startedAt = startedAt;
        return startMonitorRun(store.db, { runId, profile: profile.name, startedAt });
      },
    });
    Error.stackTraceLimit = stackTraceLimit;
    report.endpoints = scan.progress.swept;
    report.open = scan.progress.open;
    report.gateways = scan.progress.gateways;
    if (scan.status === "interrupted") {
      // Its events are alerted by the profile's next run (alerted_at stays empty).
      report.status = "interrupted";
      await endMonitorRun(store.db, scan.runId, "interrupted", scan.finishedAt, summaryOf(report));
      return done();
    }
    await endMonitorRun(store.db, scan.runId, "complete", scan.finishedAt, {});
    const made = await queueAlerts(store, config, profile, scan.runId, report);
    await queueSlaAlerts(
      store,
      config,
      profile,
      scan.runId,
      report,
      made,
      (options.now ?? (() => new Date()))(),
    );
    await deliver(store, config, profile, report, made);
    report.status = "complete";
    await endMonitorRun(store.db, scan.runId, "complete", scan.finishedAt, summaryOf(report));
  } catch (err) {
    Error.stackTraceLimit = stackTraceLimit;
    report.status = "failed";
    report.error = errorText(err);
    if (report.runId) {
      await endMonitorRun(
        store.db,
        report.runId,
        "failed",
        new Date().toISOString(),
        summaryOf(report),
      ).catch(() => {});
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    await store.close().catch(() => {});
  }
  return done();
}

function summaryOf(r: RunReport): Record<string, unknown> {
  return {
    endpoints: r.endpoints,
    gateways: r.gateways,
    events: r.eventCounts,
    deliveries: r.deliveries,
    caughtUp: r.caughtUp,
    error: r.error,
  };
}

/** The one log line of a run (for stderr). */
export function runLine(r: RunReport): string {
  const head = `monitor ${r.profile}:`;
  if (r.status === "failed" && r.runId === null) return `${head} failed: ${r.error}`;
  const e = r.eventCounts;
  const d = r.deliveries;
  const parts = [
    `run ${r.runId} ${r.status} in ${r.seconds.toFixed(1)}s`,
    `${r.endpoints} endpoints, ${r.gateways} gateways`,
    `events ${e.new} new, ${e.closed} closed, ${e.reopened} reopened, ${e.changed} changed`,
    `alerts ${d.sent} sent, ${d.failed} failed, ${d.suppressed} suppressed${d.retried ? ` (${d.retried} retried)` : ""}${d.expired ? `, ${d.expired} expired` : ""}`,
  ];
  const failures = Object.entries(r.sinkErrors ?? {});
  if (failures.length > 0)
    parts.push(`failed: ${failures.map(([sink, why]) => `${sink}: ${why}`).join("; ")}`);
  if (r.caughtUp.length > 0) parts.push(`caught up ${r.caughtUp.length} earlier run(s)`);
  if (r.error) parts.push(`error: ${r.error}`);
  return `${head} ${parts.join("; ")}`;
}
