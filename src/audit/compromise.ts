// Signs that someone other than the owner used the gateway: log lines about
// connections and pairings from non-local addresses, paired devices and approved chat
// senders the owner should confirm, and security-relevant config keys that changed
// recently. Nothing here proves a compromise; it lists what to confirm.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import JSON5 from "json5";
import { escapeOneLine } from "../util/text.ts";
import { isLoopbackAddress } from "./bind.ts";
import { fileEvidence, mk } from "./checks/util.ts";
import { getString, isObject, type Json } from "./config.ts";
import type { AuditFinding, CheckContext } from "./types.ts";

const MAX_LOG_BYTES = 32 * 1024 * 1024;
const RECENT_MS = 7 * 24 * 3600 * 1000;

/** Log files of this gateway that were read, and the ones found but not tied to it. */
export interface LogSources {
  read: string[];
  skipped: { path: string; why: string }[];
}

/**
 * State dirs a gateway log names: every gateway start logs its cron store
 * (`"storePath":"<state dir>/cron/jobs.json"`, seen in clawdbot 2026.1.24-3 through openclaw 2026.9.6).
 */
export function stateDirsNamedInLog(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/storePath\\*"\s*:\s*\\*"([^"\\\n]+?)\/cron\/jobs\.json/g))
    out.add(resolve(m[1]!));
  return [...out];
}

/**
 * The logs this gateway writes. Its own: the configured `logging.file` and `<state dir>/logs/`.
 * The default rolling logs (/tmp/openclaw, …) are shared by every install of the user, so one
 * is read only when the gateway starts recorded in it name this install's state dir and no other.
 */
export function logSources(ctx: Pick<CheckContext, "config" | "target">): LogSources {
  const read = new Set<string>();
  const skipped: LogSources["skipped"] = [];
  const configured = getString(ctx.config.effective, "logging.file");
  if (configured) read.add(configured);
  else {
    const prefix = ctx.target.product === "openclaw" ? "openclaw" : ctx.target.product;
    const name = ctx.target.profile ? `${prefix}-${ctx.target.profile}-` : `${prefix}-`;
    const uid = typeof process.getuid === "function" ? process.getuid() : 0;
    const own = resolve(ctx.target.stateDir);
    for (const dir of ctx.target.logDirs ?? [`/tmp/${prefix}`, join(tmpdir(), `${prefix}-${uid}`)]) {
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        if (!n.startsWith(name) || !/\d{4}-\d{2}-\d{2}\.log$/.test(n)) continue;
        const path = join(dir, n);
        const named = stateDirsNamedInLog(readTail(path) ?? "");
        if (named.length === 1 && named[0] === own) read.add(path);
        else
          skipped.push({
            path,
            why:
              named.length === 0
                ? "a log shared by every install of this user, and nothing in it names this install's state dir"
                : named.includes(own)
                  ? `a log shared with other installs (${named.filter((d) => d !== own).join(", ")}); its lines cannot be told apart`
                  : `written by another install (${named.join(", ")})`,
          });
      }
    }
  }
  for (const n of ["logs/gateway.log", "logs/gateway.err.log"]) {
    const p = join(ctx.target.stateDir, n);
    if (existsSync(p)) read.add(p);
  }
  return { read: [...read], skipped };
}

/** Log files this gateway writes (see logSources). */
export function logFilesFor(ctx: Pick<CheckContext, "config" | "target">): string[] {
  return logSources(ctx).read;
}

/** Read at most the last MAX_LOG_BYTES of a file. */
function readTail(path: string, max = MAX_LOG_BYTES): string | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const size = statSync(path).size;
    const start = Math.max(0, size - max);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** The package dir a gateway log was written from (tslog records the source path). */
export function packageDirFromLog(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const m = /file:\/\/(\/[^"\s]*?\/node_modules\/(?:openclaw|clawdbot|moltbot))\//.exec(
      buf.subarray(0, n).toString("utf8"),
    );
    return m ? decodeURIComponent(m[1]!) : null;
  } finally {
    closeSync(fd);
  }
}

/** The human text of one JSONL log record (tslog puts args under "0", "1", …). */
export function logText(line: string): { text: string; time: string | null } {
  if (!line.startsWith("{")) return { text: line, time: null };
  try {
    const rec = JSON.parse(line) as Record<string, unknown>;
    const parts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const v = rec[String(i)];
      if (typeof v === "string") parts.push(v);
      else if (v && typeof v === "object") parts.push(JSON.stringify(v));
    }
    if (typeof rec.message === "string" && !parts.includes(rec.message)) parts.push(rec.message);
    const time = typeof rec.time === "string" ? rec.time : null;
    return { text: parts.join(" "), time };
  } catch {
    return { text: line, time: null };
  }
}

export type ConnKind = "session" | "auth-failure" | "probe" | "pairing" | "proxy-warning";

export interface RemoteEvent {
  ip: string;
  kind: ConnKind;
  text: string;
  time: string | null;
  file: string;
  line: number;
}

const KINDS: [RegExp, ConnKind][] = [
  [/webchat connected|\bconnected\b.*\bclient=|hello-ok/, "session"],
  [/\bunauthorized\b|rate_limited|token_mismatch|password_mismatch/, "auth-failure"],
  [/device pairing auto-approved|pairing (approved|requested)|device access upgrade/, "pairing"],
  [/closed before connect|invalid handshake|protocol mismatch|handshake timeout/, "probe"],
];

function isPrivate(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|198\.1[89]\.|fc|fd|fe80)/i.test(
    ip,
  );
}

/** Scan log text for events from non-local addresses. */
export function scanLogText(
  text: string,
  file: string,
): { events: RemoteEvent[]; proxyWarnings: { text: string; line: number }[] } {
  const events: RemoteEvent[] = [];
  const proxyWarnings: { text: string; line: number }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (
      !raw.includes("remote=") &&
      !raw.includes("ip=") &&
      !raw.includes("Proxy headers") &&
      !raw.includes("non-local Host")
    )
      continue;
    const { text: msg, time } = logText(raw);
    if (
      /Proxy headers detected from untrusted address|Loopback connection with non-local Host header/.test(msg)
    ) {
      proxyWarnings.push({ text: msg.slice(0, 300), line: i + 1 });
      continue;
    }
    const m = /\b(?:remote|ip)=([0-9a-fA-F:.[\]]+)/.exec(msg);
    if (!m) continue;
    const ip = m[1]!.replace(/^\[|\]$/g, "").replace(/^::ffff:/, "");
    if (!ip || ip === "n/a" || isLoopbackAddress(ip)) continue;
    let kind: ConnKind = "probe";
    for (const [re, k] of KINDS) {
      if (re.test(msg)) {
        kind = k;
        break;
      }
    }
    events.push({ ip, kind, text: msg.slice(0, 300), time, file, line: i + 1 });
  }
  return { events, proxyWarnings };
}

interface Device {
  id: string;
  name: string;
  platform: string;
  roles: string;
  scopes: string[];
  remoteIp: string | null;
  approvedAt: number | null;
  source: string;
}

function devicesFromJson(path: string): Device[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return [];
  }
  const list: unknown[] = Array.isArray(data)
    ? data
    : isObject(data as Json)
      ? Object.values(data as Record<string, unknown>)
      : [];
  const out: Device[] = [];
  for (const d of list) {
    if (!d || typeof d !== "object") continue;
    const o = d as Record<string, unknown>;
    const scopes = Array.isArray(o.scopes)
      ? o.scopes.map(String)
      : Array.isArray(o.approvedScopes)
        ? o.approvedScopes.map(String)
        : [];
    out.push({
      id: String(o.deviceId ?? o.nodeId ?? o.id ?? "?"),
      name: String(o.displayName ?? o.clientId ?? ""),
      platform: String(o.platform ?? ""),
      roles: Array.isArray(o.roles) ? o.roles.map(String).join(",") : String(o.role ?? ""),
      scopes,
      remoteIp: typeof o.remoteIp === "string" ? o.remoteIp : null,
      approvedAt:
        typeof o.approvedAtMs === "number"
          ? o.approvedAtMs
          : typeof o.createdAtMs === "number"
            ? o.createdAtMs
            : null,
      source: path,
    });
  }
  return out;
}

async function devicesFromSqlite(path: string): Promise<Device[]> {
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const rows = db
        .prepare(
          "select device_id, display_name, platform, role, roles_json, scopes_json, remote_ip, approved_at_ms from device_pairing_paired limit 500",
        )
        .all() as Record<string, unknown>[];
      return rows.map((r) => {
        let scopes: string[] = [];
        try {
          scopes = JSON.parse(String(r.scopes_json ?? "[]"));
        } catch {
          scopes = [];
        }
        return {
          id: String(r.device_id),
          name: String(r.display_name ?? ""),
          platform: String(r.platform ?? ""),
          roles: String(r.roles_json ?? r.role ?? ""),
          scopes,
          remoteIp: typeof r.remote_ip === "string" ? r.remote_ip : null,
          approvedAt: typeof r.approved_at_ms === "number" ? r.approved_at_ms : null,
          source: `${path} (device_pairing_paired)`,
        };
      });
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

const SECURITY_PREFIXES = [
  "gateway.",
  "hooks.",
  "tools.",
  "plugins.",
  "discovery.",
  "browser.",
  "agents.defaults.sandbox",
  "channels.",
  "skills.",
  "mcp.",
  "cron",
];

function flatten(v: Json, prefix: string, out: Map<string, string>, depth = 0): void {
  if (depth > 30) return;
  if (isObject(v))
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  else out.set(prefix, JSON.stringify(v));
}

/** Keys that differ between the config and its newest backup. */
export function changedKeys(current: Json, previous: Json): string[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(current, "", a);
  flatten(previous, "", b);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k) && !k.startsWith("meta.")).sort();
}

export async function compromiseFindings(ctx: CheckContext): Promise<AuditFinding[]> {
  const out: AuditFinding[] = [];
  // 1. logs
  const byIp = new Map<string, RemoteEvent[]>();
  const proxyWarn: { file: string; text: string; line: number }[] = [];
  for (const file of logFilesFor(ctx)) {
    const text = readTail(file);
    if (!text) continue;
    const { events, proxyWarnings } = scanLogText(text, file);
    for (const e of events) byIp.set(e.ip, [...(byIp.get(e.ip) ?? []), e]);
    for (const w of proxyWarnings) proxyWarn.push({ file, ...w });
  }
  for (const [ip, events] of byIp) {
    const kinds = new Set(events.map((e) => e.kind));
    const pub = !isPrivate(ip);
    let severity: AuditFinding["severity"] =
      kinds.has("session") || kinds.has("pairing") ? "high" : kinds.has("auth-failure") ? "medium" : "low";
    if (pub && severity !== "high") severity = severity === "low" ? "medium" : "high";
    if (pub && (kinds.has("session") || kinds.has("pairing"))) severity = "critical";
    const sample = events.slice(0, 5);
    const counts = [...kinds].map((k) => `${events.filter((e) => e.kind === k).length} ${k}`).join(", ");
    out.push(
      mk(ctx, {
        ruleId: kinds.has("session") || kinds.has("pairing") ? "CP-AUDIT-300" : "CP-AUDIT-301",
        openclawCheckId: null,
        severity,
        title: `${kinds.has("session") || kinds.has("pairing") ? "Sessions or pairings" : "Connection attempts"} from ${pub ? "public" : "non-local"} address ${escapeOneLine(ip)}`,
        group: "compromise",
        asset: ip,
        evidence: sample.map((e) => ({
          source: "log",
          detail: `${e.kind}${e.time ? ` at ${e.time}` : ""}`,
          excerpt: escapeOneLine(e.text),
          location: `${e.file}:${e.line}`,
          path: e.file,
          line: e.line,
        })),
        remediation: `Confirm ${ip} is one of your own clients (${counts}; first ${events[0]?.time ?? "?"}, last ${events[events.length - 1]?.time ?? "?"}). If not: rotate the gateway secret, revoke unknown devices, and close the exposure (\`clawpatrol fix\`, \`clawpatrol firewall\`). Logs are kept only 24 h, so copy them now.`,
      }),
    );
  }
  if (proxyWarn.length > 0) {
    out.push(
      mk(ctx, {
        ruleId: "CP-AUDIT-302",
        openclawCheckId: null,
        severity: "medium",
        title: "The gateway saw proxied traffic it does not trust",
        group: "compromise",
        evidence: proxyWarn.slice(0, 5).map((w) => ({
          source: "log",
          detail: "proxy warning",
          excerpt: escapeOneLine(w.text),
          path: w.file,
          line: w.line,
          location: `${w.file}:${w.line}`,
        })),
        remediation:
          "Something forwards traffic to this gateway. Add the proxy to gateway.trustedProxies, or find and stop it.",
      }),
    );
  }
  // 2. paired devices and approved senders
  const sd = ctx.target.stateDir;
  const devices: Device[] = [];
  for (const rel of ["devices/paired.json", "nodes/paired.json"]) {
    const p = join(sd, rel);
    if (existsSync(p)) devices.push(...devicesFromJson(p));
  }
  const sqlite = join(sd, "state/openclaw.sqlite");
  if (existsSync(sqlite)) devices.push(...(await devicesFromSqlite(sqlite)));
  if (devices.length > 0) {
    const suspicious = devices.filter(
      (d) => (d.remoteIp && !isLoopbackAddress(d.remoteIp)) || d.scopes.includes("operator.admin"),
    );
    out.push(
      mk(ctx, {
        ruleId: "CP-AUDIT-303",
        openclawCheckId: null,
        severity: suspicious.some(
          (d) => d.remoteIp && !isLoopbackAddress(d.remoteIp) && !isPrivate(d.remoteIp),
        )
          ? "high"
          : suspicious.length > 0
            ? "medium"
            : "info",
        title: `${devices.length} paired device(s) to confirm`,
        group: "compromise",
        asset: devices[0]!.source,
        evidence: devices.slice(0, 20).map((d) => ({
          source: "pairing store",
          detail: `${escapeOneLine(d.name || d.id)} ${d.platform} role ${d.roles}${d.scopes.length ? ` scopes ${d.scopes.join(",")}` : ""}${d.remoteIp ? ` from ${d.remoteIp}` : ""}${d.approvedAt ? ` approved ${new Date(d.approvedAt).toISOString()}` : ""}`,
          location: d.source,
          path: d.source.replace(/ \(.*\)$/, ""),
        })),
        remediation:
          "Check each device is yours (`openclaw devices list`); revoke the rest (`openclaw devices revoke <id>`) and rotate the gateway secret if any is unknown.",
      }),
    );
  }
  const credDir = join(sd, "credentials");
  let credNames: string[] = [];
  try {
    credNames = readdirSync(credDir).filter((n) => /-allowFrom\.json$/.test(n));
  } catch {
    credNames = [];
  }
  for (const n of credNames) {
    const p = join(credDir, n);
    let entries: string[] = [];
    try {
      const d = JSON5.parse(readFileSync(p, "utf8")) as unknown;
      const arr = Array.isArray(d)
        ? d
        : isObject(d as Json) && Array.isArray((d as Record<string, unknown>).allowFrom)
          ? ((d as Record<string, unknown>).allowFrom as unknown[])
          : [];
      entries = arr.map(String);
    } catch {
      continue;
    }
    if (entries.length === 0) continue;
    out.push(
      mk(ctx, {
        ruleId: "CP-AUDIT-304",
        openclawCheckId: null,
        severity: "info",
        title: `${entries.length} chat sender(s) approved through pairing on ${basename(n, "-allowFrom.json")}`,
        group: "compromise",
        asset: p,
        evidence: [
          fileEvidence(p, "Senders approved by DM pairing", escapeOneLine(entries.slice(0, 20).join(", "))),
        ],
        remediation: "Confirm you know each sender id; remove strangers from the allow-list.",
      }),
    );
  }
  // 3. config keys changed recently (against the newest backup)
  const cfgPath = ctx.config.path;
  if (ctx.config.exists) {
    const dir = join(cfgPath, "..");
    const base = basename(cfgPath);
    let backups: { path: string; mtime: number }[] = [];
    try {
      backups = readdirSync(dir)
        .filter((n) => n.startsWith(`${base}.`) && /\.(bak(\.\d+)?|last-good)$/.test(n))
        .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
    } catch {
      backups = [];
    }
    const mtime = ctx.config.files[0]?.mtimeMs ?? 0;
    const newest = backups[0];
    if (newest && ctx.now - mtime < RECENT_MS) {
      try {
        const prev = JSON5.parse(readFileSync(newest.path, "utf8")) as Json;
        const cur = ctx.config.files[0] ? (JSON5.parse(ctx.config.files[0].text) as Json) : {};
        const changed = changedKeys(cur, prev).filter((k) => SECURITY_PREFIXES.some((p) => k.startsWith(p)));
        if (changed.length > 0) {
          out.push(
            mk(ctx, {
              ruleId: "CP-AUDIT-305",
              openclawCheckId: null,
              severity: "medium",
              title: `${changed.length} security-relevant config key(s) changed recently`,
              group: "compromise",
              evidence: [
                fileEvidence(
                  cfgPath,
                  `Compared with ${newest.path}; config modified ${new Date(mtime).toISOString()}`,
                  changed.slice(0, 30).join("\n"),
                ),
              ],
              remediation:
                "Confirm you made these changes. Unexpected new hooks.mappings, gateway.tools.allow, tools.elevated, plugins or cron jobs are typical of a takeover.",
            }),
          );
        }
      } catch {
        // unreadable backup: nothing to compare
      }
    }
  }
  return out;
}
