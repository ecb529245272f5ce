// Benchmark: what `monitor --policy` adds to each run. A PGlite store holds the bench's churning
// population of real gateway records (bench/store/population.ts: recorded zoo transcripts moved
// to 10.0.x.y, one scan a day), then the policy's exposure service levels are timed on the last
// day's run three times: the first cycle records every breach (one row and one alert each), the
// next ones find them already alerted (the steady state of a monitor that runs every few
// minutes). Printed: gateways in the run, breaches, and milliseconds per cycle.
//   node bench/policy/sla.ts                 (CLAWPATROL_BENCH_GATEWAYS=5000 CLAWPATROL_BENCH_DAYS=3)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { slaAlerts } from "../../src/monitor/sla.ts";
import { parsePolicy } from "../../src/policy/load.ts";
import { openStore } from "../../src/store/db.ts";
import { scopeOf } from "../../src/store/scan-sink.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { cidrInterval, parseIp } from "../../src/targets/ip.ts";
import { day, type Plan, templates } from "../store/population.ts";

const GATEWAYS = Number(process.env.CLAWPATROL_BENCH_GATEWAYS ?? "5000");
const DAYS = Number(process.env.CLAWPATROL_BENCH_DAYS ?? "3");
const plan: Plan = { days: DAYS, initial: GATEWAYS, growth: 0, absent: 0.05, upgrade: 0.004 };
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const firstDay = today - (DAYS - 1) * 86_400_000;
const SCOPE = scopeOf([cidrInterval(4, parseIp("10.0.0.0")!.value, 16)], [18789]);
const policy = parsePolicy(
  "version: 1\norganisation: Bench\nexposure:\n  noAuthHours: 24\n  preAuthAdvisoryHours: 24\n",
  "bench-policy.yml",
);

const dir = mkdtempSync(join(tmpdir(), "clawpatrol-bench-sla-"));
const store = await openStore({ dataDir: join(dir, "db") });
try {
  const tpl = await templates();
  const state = new Uint8Array(65_536);
  let lastRun = "";
  let seen = 0;
  for (let d = 0; d < DAYS; d++) {
    lastRun = `bench-sla-${d}`;
    const dayStart = firstDay + d * 86_400_000;
    await beginRun(store.db, {
      id: lastRun,
      kind: "scan",
      startedAt: new Date(dayStart + 3_000_000).toISOString(),
      scope: SCOPE,
    });
    const writer = new RunWriter(store.db, lastRun, 500);
    seen = 0;
    for (const o of day(plan, d, firstDay, tpl, state)) {
      await writer.add(o);
      seen++;
    }
    await writer.finish(new Date(dayStart + 22 * 3_600_000).toISOString());
  }
  const now = new Date(today + 23 * 3_600_000);
  const cycles: { ms: number; alerts: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const alerts = await store.db.transaction((tx) =>
      slaAlerts(tx, policy, { profile: "bench", runId: lastRun, now }),
    );
    cycles.push({ ms: Math.round(performance.now() - t0), alerts: alerts.length });
  }
  process.stdout.write(
    `sla: ${seen} gateways in the run (${DAYS} daily runs in the store); ` +
      cycles.map((c, i) => `cycle ${i + 1}: ${c.ms} ms, ${c.alerts} alerts`).join("; ") +
      "\n",
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
