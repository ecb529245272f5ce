// The monitor's config file (YAML or JSON): named alert sinks and scan profiles, each with a
// cron schedule, its targets and pacing, and the routes that send its alerts to sinks.
//
//   dedupeWindow: 24h          # the same alert (asset + kind + what changed) once per window per sink
//   flapThreshold: 2           # the Nth open/closed flip of an asset within the window becomes one "flapping" alert
//   retryFor: 7d               # failed deliveries are retried by later runs for this long
//   policy: policy.yml         # alert when its exposure service levels are breached (sla-breach, sla-resolved)
//   sinks:
//     soc: { type: webhook, url: https://hooks.example.net/clawpatrol, secretEnv: CLAWPATROL_WEBHOOK_SECRET }
//     siem: { type: syslog, transport: tls, host: siem.example.net, port: 6514, ca: /etc/ssl/siem-ca.pem }
//     file: { type: ndjson, path: /var/log/clawpatrol/alerts.ndjson }
//     pager: { type: command, argv: [/usr/local/bin/page-oncall, --team, security], timeout: 20s }
//   profiles:
//     - name: office
//       schedule: "*/30 * * * *"
//       targets: [10.0.0.0/22]
//       ports: extended
//       excludes: [10.0.3.0/24]
//       alerts:
//         - { sink: file }
//         - { sink: pager, minSeverity: high, kinds: [new, reopened, changed, flapping] }
//
// Every problem is reported as one line naming the file and the key (exit 2).
import { accessSync, constants, readFileSync, type Stats, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Cron } from "croner";
import YAML from "yaml";
import { z } from "zod";
import { UsageError } from "../core/errors.ts";
import { readTextFile } from "../core/text-file.ts";
import { SEVERITIES, type Severity } from "../findings/model.ts";
import { loadPolicy } from "../policy/load.ts";
import type { Policy } from "../policy/schema.ts";
import { parsePorts } from "../targets/ports.ts";
import { buildPlan, planIsEmpty, type TargetPlan } from "../targets/spec.ts";

/** The same scope guard as `scan --allow-large`. */
const MAX_ADDRESSES_WITHOUT_FLAG = 65_536n;

export const ALERT_KINDS = [
  "new",
  "closed",
  "reopened",
  "changed",
  "flapping",
  "sla-breach",
  "sla-resolved",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "30s", "5m", "24h", "7d" → milliseconds; null when not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

const duration = (min: number, max: number) =>
  z.string({ error: "must be a duration with a unit, e.g. 30s, 5m, 24h" }).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null) {
      ctx.addIssue({
        code: "custom",
        message: `"${v}" is not a duration (use e.g. 500ms, 30s, 5m, 24h, 7d)`,
      });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: "custom", message: `${v} is out of range (${fmtMs(min)} to ${fmtMs(max)})` });
      return z.NEVER;
    }
    return ms;
  });

/** A duration in the largest whole unit: 86400000 -> 1d, 90000 -> 90s. */
export function fmtMs(ms: number): string {
  for (const [unit, n] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const)
    if (ms >= n && ms % n === 0) return `${ms / n}${unit}`;
  return `${ms}ms`;
}

const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` });
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, '.', '_' or '-'");
const nonEmpty = z.string().trim().min(1, "must not be empty");

const webhookSchema = z.strictObject({
  type: z.literal("webhook"),
  url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }),
  /** HMAC-SHA256 key; prefer secretEnv so the file holds no secret. */
  secret: nonEmpty.optional(),
  secretEnv: nonEmpty.optional(),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "not a header name"), z.string()).optional(),
  timeout: duration(100, 120_000).default(10_000),
  retries: z.int().min(0).max(10).default(3),
  backoff: duration(0, 60_000).default(1000),
});

const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "audit",
  "alert",
  "clock",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;
export type Facility = (typeof FACILITIES)[number];
export const facilityCode = (f: Facility) => FACILITIES.indexOf(f);

const syslogSchema = z.strictObject({
  type: z.literal("syslog"),
  transport: z.enum(["udp", "tcp", "tls"], { error: "must be udp, tcp or tls" }).default("udp"),
  host: nonEmpty,
  port: z.int().min(1).max(65535).optional(),
  /** TLS: PEM file of the CA(s) that sign the collector's certificate (else the system store). */
  ca: nonEmpty.optional(),
  /** TLS client certificate and key (PEM files), for collectors that require them. */
  cert: nonEmpty.optional(),
  key: nonEmpty.optional(),
  /** TLS: the name to verify the collector's certificate against (default: host). */
  servername: nonEmpty.optional(),
  facility: z.enum(FACILITIES, { error: `must be one of ${FACILITIES.join(", ")}` }).default("local0"),
  appName: z
    .string()
    .regex(/^[!-~]{1,48}$/, "must be 1-48 printable ASCII characters without spaces")
    .default("clawpatrol"),
  hostname: z
    .string()
    .regex(/^[!-~]{1,255}$/, "must be printable ASCII without spaces")
    .optional(),
  timeout: duration(100, 120_000).default(10_000),
});

const ndjsonSchema = z.strictObject({
  type: z.literal("ndjson"),
  path: nonEmpty,
});

const commandSchema = z.strictObject({
  type: z.literal("command"),
  /** The program and its arguments; run directly, never through a shell. */
  argv: z.array(z.string()).min(1, "must name the program to run"),
  timeout: duration(100, 600_000).default(30_000),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "not an environment variable name"), z.string())
    .optional(),
});

const sinkSchema = z.discriminatedUnion("type", [webhookSchema, syslogSchema, ndjsonSchema, commandSchema], {
  error: "type must be one of webhook, syslog, ndjson, command",
});

const routeSchema = z.strictObject({
  sink: name,
  minSeverity: severity.default("info"),
  kinds: z
    .array(z.enum(ALERT_KINDS, { error: `must be one of ${ALERT_KINDS.join(", ")}` }))
    .min(1, "must list at least one kind")
    .optional(),
});

const stringList = z.union([nonEmpty.transform((s) => [s]), z.array(nonEmpty)], {
  error: "must be a string or a list of strings",
});

const profileSchema = z.strictObject({
  name,
  schedule: nonEmpty,
  timezone: nonEmpty.optional(),
  targets: stringList.refine((l) => l.length > 0, "must name at least one target"),
  excludes: stringList.default([]),
  ports: z
    .union([z.string(), z.int(), z.array(z.int())], { error: "must be a port, a list or a preset" })
    .default("default"),
  rate: z.int().min(0).max(1_000_000).default(2000),
  concurrency: z.int().min(1).max(20_000).default(512),
  probeConcurrency: z.int().min(1).max(2000).default(64),
  perHost: z.int().min(1).max(16).default(2),
  timeout: duration(100, 120_000).default(5000),
  allowLarge: z.boolean().default(false),
  alerts: z.array(routeSchema).default([]),
});

const fileSchema = z.strictObject({
  version: z.literal(1, { error: "must be 1" }).optional(),
  dedupeWindow: duration(0, 90 * 86_400_000).default(86_400_000),
  flapThreshold: z.int().min(1).max(1000).default(2),
  retryFor: duration(0, 90 * 86_400_000).default(7 * 86_400_000),
  sinks: z.record(name, sinkSchema).default({}),
  /** A policy file (relative to this config) whose exposure service levels each run checks. */
  policy: nonEmpty.optional(),
  profiles: z.array(profileSchema).min(1, "must list at least one profile"),
});

export type WebhookSinkConfig = z.infer<typeof webhookSchema> & { resolvedSecret: string | null };
export type SyslogSinkConfig = z.infer<typeof syslogSchema>;
export type NdjsonSinkConfig = z.infer<typeof ndjsonSchema>;
export type CommandSinkConfig = z.infer<typeof commandSchema>;
export type SinkConfig = WebhookSinkConfig | SyslogSinkConfig | NdjsonSinkConfig | CommandSinkConfig;

export interface AlertRoute {
  sink: string;
  minSeverity: Severity;
  kinds: AlertKind[];
}

export interface Profile {
  name: string;
  schedule: string;
  timezone: string | null;
  targets: string[];
  excludes: string[];
  /** The port list as written (a preset name or a list) and as numbers. */
  portSpec: string;
  ports: number[];
  plan: TargetPlan;
  rate: number;
  concurrency: number;
  probeConcurrency: number;
  perHost: number;
  timeoutMs: number;
  alerts: AlertRoute[];
}

export interface MonitorConfig {
  file: string;
  dedupeWindowMs: number;
  flapThreshold: number;
  retryForMs: number;
  sinks: Map<string, SinkConfig>;
  profiles: Profile[];
  /** The policy whose exposure service levels are alerted on (`policy:` or `monitor --policy`). */
  policy: { policy: Policy; file: string } | null;
}

/** $CLAWPATROL_HOME/monitor.yml, or ~/.clawpatrol/monitor.yml. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const home =
    env.CLAWPATROL_HOME && env.CLAWPATROL_HOME !== "" ? env.CLAWPATROL_HOME : join(homedir(), ".clawpatrol");
  return join(home, "monitor.yml");
}

/** A zod path as people write it: profiles[0].alerts[1].sink */
function keyPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

function issueText(issue: z.core.$ZodIssue): string {
  const where = keyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    return `${where ? `${where}: ` : ""}unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}`;
  }
  if (issue.code === "invalid_type" && issue.input === undefined) return `${where}: is required`;
  return `${where || "(top level)"}: ${issue.message}`;
}

/** The next `n` times a cron schedule fires after `from` (croner; 5 fields, or 6 with seconds). */
export function nextRuns(schedule: string, timezone: string | null, n: number, from = new Date()): Date[] {
  const job = new Cron(schedule, { paused: true, mode: "5-or-6-parts", ...(timezone ? { timezone } : {}) });
  return job.nextRuns(n, from);
}

/** Parse and check a config's text; `file` names it in every error. */
export function parseMonitorConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): MonitorConfig {
  const fail = (msg: string): never => {
    throw new UsageError(`${file}: ${msg}`);
  };
  let doc: unknown;
  if (/\.json$/i.test(file)) {
    try {
      doc = JSON.parse(text);
    } catch (err) {
      fail(`not valid JSON: ${(err as Error).message}`);
    }
  } else {
    try {
      doc = YAML.parse(text, { maxAliasCount: 100 });
    } catch (err) {
      const e = err as Error & { linePos?: { line: number; col: number }[] };
      const at = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : "";
      const why = String(e.message)
        .split("\n")[0]!
        .replace(/ at line \d+, column \d+:?$/, "");
      throw new UsageError(`${file}${at}: not valid YAML: ${why}`);
    }
  }
  if (doc === null || doc === undefined) fail("the file is empty (it needs at least one profile)");
  const parsed = fileSchema.safeParse(doc, { reportInput: true });
  if (!parsed.success) {
    // A misspelt key explains the "required" issue it causes: say that first.
    const issues = [...parsed.error.issues].sort(
      (x, y) => Number(y.code === "unrecognized_keys") - Number(x.code === "unrecognized_keys"),
    );
    fail(issueText(issues[0]!));
  }
  const data = parsed.data!;

  const sinks = new Map<string, SinkConfig>();
  for (const [sinkName, s] of Object.entries(data.sinks)) {
    const at = `sinks.${sinkName}`;
    if (s.type === "webhook") {
      if (s.secret && s.secretEnv) fail(`${at}: give one of secret and secretEnv`);
      let resolvedSecret: string | null = s.secret ?? null;
      if (s.secretEnv) {
        const v = env[s.secretEnv];
        if (v === undefined || v === "")
          fail(`${at}.secretEnv: environment variable ${s.secretEnv} is not set`);
        resolvedSecret = v!;
      }
      sinks.set(sinkName, { ...s, resolvedSecret });
    } else if (s.type === "syslog") {
      if (s.transport !== "tls" && (s.ca || s.cert || s.key || s.servername))
        fail(`${at}: ca, cert, key and servername need transport: tls`);
      if (Boolean(s.cert) !== Boolean(s.key)) fail(`${at}: cert and key go together`);
      for (const k of ["ca", "cert", "key"] as const) {
        const p = s[k];
        if (!p) continue;
        try {
          readFileSync(p);
        } catch (err) {
          fail(
            `${at}.${k}: cannot read "${p}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
          );
        }
      }
      sinks.set(sinkName, s);
    } else sinks.set(sinkName, s);
  }

  const seen = new Set<string>();
  const profiles: Profile[] = data.profiles.map((p, i) => {
    const at = `profiles[${i}]`;
    if (seen.has(p.name)) fail(`${at}.name: "${p.name}" is used by another profile`);
    seen.add(p.name);
    try {
      nextRuns(p.schedule, p.timezone ?? null, 1);
    } catch (err) {
      const why =
        String((err as Error).message)
          .replace(/^(CronPattern|CronDate|Cron):\s*/, "")
          .split(". Original error")[0] ?? "";
      fail(`${at}.${/timezone/i.test(why) && p.timezone ? "timezone" : "schedule"}: invalid: ${why}`);
    }
    const portSpec = Array.isArray(p.ports) ? p.ports.join(",") : String(p.ports);
    let ports: number[] = [];
    let plan: TargetPlan | null = null;
    try {
      ports = parsePorts(portSpec);
    } catch (err) {
      fail(`${at}.ports: ${(err as Error).message}`);
    }
    try {
      plan = buildPlan(p.targets, p.excludes);
    } catch (err) {
      const msg = (err as Error).message;
      fail(`${at}.${/exclude/.test(msg) ? "excludes" : "targets"}: ${msg}`);
    }
    if (plan!.addressCount > MAX_ADDRESSES_WITHOUT_FLAG && !p.allowLarge)
      fail(
        `${at}.targets: ${plan!.addressCount} addresses; more than ${MAX_ADDRESSES_WITHOUT_FLAG} needs allowLarge: true`,
      );
    if (planIsEmpty(plan!)) fail(`${at}.targets: nothing left to scan once the excludes are removed`);
    const alerts = p.alerts.map((r, j) => {
      if (!sinks.has(r.sink))
        fail(
          `${at}.alerts[${j}].sink: unknown sink "${r.sink}"${sinks.size > 0 ? ` (known: ${[...sinks.keys()].join(", ")})` : " (define it under sinks:)"}`,
        );
      return { sink: r.sink, minSeverity: r.minSeverity, kinds: r.kinds ?? [...ALERT_KINDS] };
    });
    return {
      name: p.name,
      schedule: p.schedule,
      timezone: p.timezone ?? null,
      targets: p.targets,
      excludes: p.excludes,
      portSpec,
      ports,
      plan: plan!,
      rate: p.rate,
      concurrency: p.concurrency,
      probeConcurrency: p.probeConcurrency,
      perHost: p.perHost,
      timeoutMs: p.timeout,
      alerts,
    };
  });

  return {
    file,
    dedupeWindowMs: data.dedupeWindow,
    flapThreshold: data.flapThreshold,
    retryForMs: data.retryFor,
    sinks,
    profiles,
    policy: data.policy ? policyFor(resolve(dirname(file), data.policy), `${file}: policy`) : null,
  };
}

/** The policy file a monitor config or `--policy` names, read and checked now (exit 2 on a problem). */
export function policyFor(path: string, named: string): { policy: Policy; file: string } {
  try {
    return { policy: loadPolicy(path), file: path };
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${named}: ${err.message}`);
    throw err;
  }
}

/**
 * What --dry-run checks beyond the config's shape: every NDJSON sink's file can be written
 * where it says (its directory exists and is writable; the path is no directory). The sink
 * would create a missing directory when it first delivers, but a typo in a path is better
 * caught now than as a directory nobody watches.
 */
export function checkSinkDestinations(config: MonitorConfig): void {
  for (const [name, sink] of config.sinks) {
    if (sink.type !== "ndjson") continue;
    const file = resolve(sink.path);
    const dir = dirname(file);
    const where = `sinks.${name}.path`;
    let st: Stats;
    try {
      st = statSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT")
        throw new UsageError(
          `${config.file}: ${where}: the directory ${dir} does not exist (create it, or fix the path)`,
        );
      throw new UsageError(`${config.file}: ${where}: cannot use the directory ${dir}: ${code}`);
    }
    if (!st.isDirectory()) throw new UsageError(`${config.file}: ${where}: ${dir} is not a directory`);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new UsageError(`${config.file}: ${where}: the directory ${dir} is not writable`);
    }
    try {
      if (statSync(file).isDirectory())
        throw new UsageError(`${config.file}: ${where}: ${file} is a directory`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
    }
  }
}

/** Read and check the config file (a missing or unreadable file is a usage error too). */
/** Far above any real monitor config; larger files are refused before they are read. */
const MAX_MONITOR_CONFIG_BYTES = 4 * 1024 * 1024;

export function loadMonitorConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MonitorConfig {
  const file = path ?? defaultConfigPath(env);
  let text: string;
  try {
    // bounded, and never blocks on a FIFO: a 64 MB file would exhaust the heap in the YAML parser
    text = readTextFile(file, MAX_MONITOR_CONFIG_BYTES).text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!path && code === "ENOENT")
      throw new UsageError(
        `no monitor config at ${file}: create it (see README, "clawpatrol monitor") or give --config FILE`,
      );
    throw new UsageError(`cannot read monitor config "${file}": ${code ?? (err as Error).message}`);
  }
  return parseMonitorConfig(text, file, env);
}
