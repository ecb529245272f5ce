// A store for the dashboard tests, written the way real scans write it (beginRun / RunWriter /
// completeRun with a scope, so assets close, re-open and change, and daily_stats fill in):
// realistic records from the recorded zoo (test/store/records.ts) on 10.0.0.0/24 over ten days
// ending today, plus hostile records on 10.66.0.0/24 whose every target-controlled field carries
// HTML, script, javascript: URLs, terminal escapes or 100 KB of text. `model` recomputes the
// expected numbers from the plan alone (no SQL), so the dashboard is checked against it.
import type { Finding } from "../../src/findings/model.ts";
import type { AdvisorySummary, Observation } from "../../src/scan/record.ts";
import type { StoreDb } from "../../src/store/db.ts";
import type { RunScope } from "../../src/store/schema.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { synthetic, zooObservations } from "../store/records.ts";

export const DAY_MS = 86_400_000;
/** Days of scans: DAYS-1 days ago up to today. */
export const DAYS = 10;
/** Endpoints in the plan (4 addresses × 26 recorded zoo endpoints). */
export const ENDPOINTS = 104;

export const PREAUTH: AdvisorySummary = {
  id: "GHSA-test-0001-0001",
  aliases: ["CVE-2026-00001"],
  severity: "high",
  preAuth: true,
  exposure: ["gateway"],
  fixed: "2026.1.29",
  certainty: "affected",
};

/** Day d (0 = today, -9 = nine days ago): which planned endpoints the scan sees. */
export function sees(i: number, d: number): boolean {
  if (i >= 40 + 4 * (d + DAYS - 1)) return false; // the network grows by 4 endpoints a day
  if (i % 7 === 3 && d >= -3) return false; // gone for good three days ago
  if (i % 11 === 5 && d >= -6 && d <= -3) return false; // gone six days ago, back two days ago
  return true;
}

export const vulnerableAt = (i: number) => i % 4 === 1;
export const upgradedOn = (i: number, d: number) => i % 13 === 0 && d >= -1;

/** The planned endpoint i as scanned on day d. */
export function planned(i: number, d: number, scannedAt: string): Observation {
  const o = synthetic(i, 0);
  o.scannedAt = scannedAt;
  if (o.product !== null && vulnerableAt(i)) o.advisories = [PREAUTH];
  if (o.product !== null && upgradedOn(i, d) && o.version !== "2026.9.6") o.version = "2026.9.6";
  return o;
}

export const SCOPE: RunScope = {
  ranges: [["10.0.0.0", "10.0.0.255"]],
  ports: Array.from({ length: 26 }, (_, k) => 18789 + k),
};

// --- hostile values -----------------------------------------------------------------------------

export const PWN = {
  script: "<script>window.__pwned=1</script>",
  img: "<img src=x onerror=window.__pwned=2>",
  svg: '"><svg onload=window.__pwned=3>',
  jsUrl: "javascript:window.__pwned=4",
  /** The escape sequence the hostile harness uses for banners (OSC title, clear, SGR, OSC 8 link, CSI, RLO). */
  ansi: "\u001b]0;owned-title\u0007\u001b[2J\u001b[31;1m\u001b]8;;http://evil.test/\u0007click\u001b]8;;\u0007\u009b1m\u202egnp.exe",
  big: `BIG-START${"A".repeat(100 * 1024)}BIG-END`,
};

const HOSTILE_FINDING: Finding = {
  ruleId: `CP-SCAN-001${PWN.svg}`,
  severity: "critical",
  title: `Gateway answers without auth ${PWN.img}`,
  asset: "10.66.0.1:18789",
  evidence: [
    {
      source: "http",
      detail: `banner said ${PWN.svg}`,
      excerpt: `HTTP/1.1 200 OK\r\nServer: gw${PWN.ansi}\r\n\r\n${PWN.script}${PWN.big}`,
      location: PWN.jsUrl,
    },
  ],
  remediation: `Set auth ${PWN.script}`,
  references: [
    PWN.jsUrl,
    "data:text/html,<script>window.__pwned=5</script>",
    "https://docs.example.test/auth",
  ],
};

/** Records whose target-controlled fields are hostile (each a gateway on 10.66.0.0/24). */
export function hostileRecords(scannedAt: string): Observation[] {
  const base = zooObservations().find((o) => o.product === "openclaw" && o.auth === "not-required")!;
  const at = (n: number, patch: Partial<Observation>): Observation => {
    const ip = `10.66.0.${n}`;
    return {
      ...base,
      host: ip,
      ip,
      port: 18789,
      url: `http://${ip}:18789/`,
      exposure: "network",
      scannedAt,
      advisories: [],
      ...patch,
    };
  };
  return [
    at(1, {
      host: `gw${PWN.svg}.evil.test`,
      version: `2026.9.6${PWN.script}`,
      findings: [HOSTILE_FINDING],
      conflicts: [`startupz said ${PWN.img}`],
      versionRange: { min: `2026.1.1${PWN.svg}`, max: null, candidates: [PWN.script, "2026.9.6"] },
      tls: {
        protocol: "TLSv1.3",
        subject: `CN=${PWN.script}/O=${PWN.ansi}`,
        issuer: `CN=${PWN.img}`,
        subjectAltNames: [`DNS:${PWN.svg}`, `DNS:${PWN.jsUrl}`],
        validFrom: "Jan  1 00:00:00 2026 GMT",
        validTo: "Jan  1 00:00:00 2027 GMT",
        sha256: "ab".repeat(32),
      },
      evidence: [{ source: "ws", detail: `challenge ${PWN.ansi}`, excerpt: PWN.img }],
    }),
    at(2, { host: PWN.big, version: `${PWN.ansi}2026.3.13` }),
    at(3, { host: PWN.jsUrl, version: PWN.img }),
  ];
}

export const HOSTILE_SCOPE: RunScope = { ranges: [["10.66.0.0", "10.66.0.255"]], ports: [18789] };

// --- writing it -----------------------------------------------------------------------------------

async function writeRun(
  db: StoreDb,
  id: string,
  start: number,
  records: Observation[],
  scope: RunScope | null,
): Promise<void> {
  await beginRun(db, {
    id,
    kind: "scan",
    source: "test",
    startedAt: new Date(start).toISOString(),
    targets: ["10.0.0.0/24"],
    scope,
  });
  const w = new RunWriter(db, id, 50);
  for (const o of records) await w.add(o);
  await w.finish(new Date(start + 10 * 60_000).toISOString());
}

/**
 * The "now" of the fixture and of the app under test: the last UTC noon, so every run of one day
 * falls on the same UTC day whatever the time of the test.
 */
export function fixtureNow(): number {
  const t = Date.now();
  const noon = Math.floor(t / DAY_MS) * DAY_MS + DAY_MS / 2;
  return noon <= t ? noon : noon - DAY_MS;
}

/** When day d's scan starts: d days before `now`, half an hour before that instant. */
export const runStart = (now: number, d: number) => now + d * DAY_MS - 30 * 60_000;

/**
 * Write the plan into `db`: one scan a day for DAYS days, then the hostile run and any `extra`
 * records (e.g. observations of the real hostile harness) today, before today's planned run.
 */
export async function buildStore(db: StoreDb, now: number, extra: Observation[] = []): Promise<void> {
  for (let d = -(DAYS - 1); d <= 0; d++) {
    const start = runStart(now, d);
    const seenAt = new Date(start + 60_000).toISOString();
    if (d === 0) {
      await writeRun(db, "hostile", start - 20 * 60_000, hostileRecords(seenAt), HOSTILE_SCOPE);
      if (extra.length > 0) await writeRun(db, "extra", start - 15 * 60_000, extra, null);
    }
    const seen: Observation[] = [];
    for (let i = 0; i < ENDPOINTS; i++) if (sees(i, d)) seen.push(planned(i, d, seenAt));
    await writeRun(db, `day${d + DAYS - 1}`, start, seen, SCOPE);
  }
}

// --- what the dashboard must show, from the plan alone ----------------------------------------------

export interface Expected {
  live: number;
  unauthenticated: number;
  vulnerable: number;
  everSeen: number;
  week: { new: number; closed: number; reopened: number; changed: number };
  /** Live gateways per "product version". */
  versions: Map<string, number>;
  /** Per day (oldest first): live gateways. */
  liveByDay: number[];
  everByDay: number[];
}

const isGateway = (o: Observation) => o.product !== null;
const isVulnerable = (o: Observation) => o.advisories.some((a) => a.preAuth && a.certainty === "affected");

export function model(extra: Observation[] = []): Expected {
  const zoo = (i: number) => planned(i, -(DAYS - 1), "2026-01-01T00:00:00Z");
  const state = new Map<number, { open: boolean; version: string | null }>();
  const week = { new: 0, closed: 0, reopened: 0, changed: 0 };
  const liveByDay: number[] = [];
  const everByDay: number[] = [];
  const hostile = hostileRecords("2026-01-01T00:00:00Z");
  const extraGateways = [...hostile, ...extra].filter(isGateway);
  for (let d = -(DAYS - 1); d <= 0; d++) {
    const inWeek = d >= -6;
    for (let i = 0; i < ENDPOINTS; i++) {
      if (!isGateway(zoo(i))) continue;
      const cur = state.get(i);
      const o = planned(i, d, "2026-01-01T00:00:00Z");
      if (sees(i, d)) {
        if (!cur) {
          if (inWeek) week.new++;
        } else {
          if (!cur.open && inWeek) week.reopened++;
          if (cur.version !== o.version && inWeek) week.changed++;
        }
        state.set(i, { open: true, version: o.version });
      } else if (cur?.open) {
        if (inWeek) week.closed++;
        state.set(i, { ...cur, open: false });
      }
    }
    const extraToday = d === 0 ? extraGateways.length : 0;
    if (d === 0) week.new += extraToday;
    liveByDay.push([...state.values()].filter((s) => s.open).length + extraToday);
    everByDay.push(state.size + extraToday);
  }
  const liveNow = [...state.entries()].filter(([, s]) => s.open).map(([i]) => planned(i, 0, ""));
  const live = [...liveNow, ...extraGateways];
  const versions = new Map<string, number>();
  for (const o of live)
    versions.set(`${o.product} ${o.version}`, (versions.get(`${o.product} ${o.version}`) ?? 0) + 1);
  return {
    live: live.length,
    unauthenticated: live.filter((o) => o.auth === "not-required").length,
    vulnerable: live.filter(isVulnerable).length,
    everSeen: state.size + extraGateways.length,
    week,
    versions,
    liveByDay,
    everByDay,
  };
}
