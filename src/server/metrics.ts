// Prometheus metrics at /metrics (text exposition format, via prom-client). The gauges are
// read from the store on each scrape: the overview numbers (one daily_stats row, last week's
// events), live gateways by product and version, runs by kind and status, the last scan time.
// Request counters count what this process served, labelled by route pattern (never the raw
// path, so a scanner hitting random URLs cannot grow the series without bound).
import { Counter, Gauge, Registry } from "prom-client";
import type { StoreDb } from "../store/db.ts";
import { capText, escapeOneLine } from "../util/text.ts";
import { metricsSnapshot } from "./queries.ts";

/** At most this many product/version series (the largest groups). */
const VERSION_SERIES = 200;

/** A label value that came from a target: one line, no control bytes, short. */
const label = (v: string | null) => (v === null ? "" : escapeOneLine(capText(v, 100).text));

export interface Metrics {
  /** Count one answered request. */
  count(method: string, route: string, status: number): void;
  /** The exposition text, with the gauges read from the store now. */
  render(db: StoreDb, now: Date): Promise<string>;
  contentType: string;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const live = gauge(
    "clawpatrol_gateways_live",
    "Gateways seen by the latest scan that covered them (open).",
  );
  const unauth = gauge(
    "clawpatrol_gateways_unauthenticated",
    "Live gateways that answer without authentication.",
  );
  const vulnerable = gauge(
    "clawpatrol_gateways_vulnerable",
    "Live gateways on a version with an advisory usable without credentials.",
  );
  const everSeen = gauge(
    "clawpatrol_gateways_ever_seen",
    "Gateways ever seen, closed ones included (not a count of what is exposed now).",
  );
  const events = gauge("clawpatrol_gateway_events_7d", "Gateway events in the last 7 days, by kind.", [
    "kind",
  ]);
  const byVersion = gauge("clawpatrol_gateways_live_by_version", "Live gateways by product and version.", [
    "product",
    "version",
  ]);
  const runs = gauge("clawpatrol_runs", "Runs in the store, by kind and status.", ["kind", "status"]);
  const lastScan = gauge(
    "clawpatrol_last_scan_timestamp_seconds",
    "When the last complete scan run finished (Unix time; 0 before any).",
  );
  const requests = new Counter({
    name: "clawpatrol_http_requests_total",
    help: "Requests this dashboard answered, by method, route and status.",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  return {
    contentType: registry.contentType,
    count(method, route, status) {
      requests.inc({ method, route, status: String(status) });
    },
    async render(db, now) {
      const snap = await metricsSnapshot(db, now, VERSION_SERIES);
      const o = snap.overview;
      live.set(o.live);
      unauth.set(o.unauthenticated);
      vulnerable.set(o.vulnerable);
      everSeen.set(o.everSeen);
      for (const kind of ["new", "closed", "reopened", "changed"] as const)
        events.set({ kind }, o.week[kind]);
      byVersion.reset();
      // inc, not set: two versions that differ only past the label cap add up instead of hiding each other.
      for (const v of snap.byVersion)
        byVersion.inc({ product: label(v.product), version: label(v.version) }, v.live);
      runs.reset();
      for (const r of snap.runs) runs.set({ kind: r.kind, status: r.status }, r.n);
      lastScan.set(snap.lastScanFinishedAt === null ? 0 : Date.parse(snap.lastScanFinishedAt) / 1000);
      return registry.metrics();
    },
  };
}
