// The host audit end to end: discover → load each config as its gateway would →
// effective bind/auth per version → live sockets → checks, secrets, signs of compromise,
// advisories → one sorted list of findings and a one-line verdict.
import { hostname, userInfo } from "node:os";
import { VERSION } from "../core/version.ts";
import type { Severity } from "../findings/model.ts";
import { maxSeverity, severityRank } from "../findings/model.ts";
import { compareText } from "../util/text.ts";
import { attributeSocket } from "./attribution.ts";
import { DEFAULT_PORT, detectContainer, effectiveGateway, tailnetIPv4 } from "./bind.ts";
import { composeFindings } from "./checks/exposure.ts";
import { FILE_CHECKS } from "./checks/files.ts";
import { CHECKS } from "./checks/index.ts";
import { redact } from "./checks/util.ts";
import { versionFindings } from "./checks/version.ts";
import { compromiseFindings, logFilesFor, logSources, packageDirFromLog } from "./compromise.ts";
import { getString, loadConfig } from "./config.ts";
import { type DiscoverOptions, discover, resolveVersion } from "./discovery.ts";
import { scanLive } from "./live.ts";
import { alignToRelease } from "./release-checks.ts";
import { secretFindings } from "./secrets.ts";
import type {
  AuditCheck,
  AuditFinding,
  AuditReport,
  CheckContext,
  EffectiveGateway,
  ListeningSocket,
  Product,
  ServiceDef,
} from "./types.ts";

/** The check that reports a config read error; see checksFor. */
const CONFIG_ERRORS_CHECK = "CP-AUDIT-110";
const FILE_CHECK_IDS = new Set(FILE_CHECKS.map((c) => c.id));

export const AUDIT_SCHEMA = "clawpatrol.audit/1" as const;

export interface AuditOptions extends DiscoverOptions {
  /** Connect to this host's own addresses to confirm wildcard listeners (off by default). */
  probe?: boolean;
  /** Skip reading live sockets. */
  noLive?: boolean;
  /** Treat the gateway as running in a container (tests); default: detect. */
  inContainer?: boolean;
  now?: number;
  /** Directories for default rolling logs (default /tmp/<product> and the OS temp dir). */
  logDirs?: string[];
  /** Product and version to assume when nothing on the host names them. */
  assume?: { product: Product; version: string };
}

export interface TargetResult {
  ctx: CheckContext;
  findings: AuditFinding[];
}

export async function runAudit(opts: AuditOptions = {}): Promise<AuditReport> {
  return (await runAuditDetailed(opts)).report;
}

/** The report plus, per target, the context the checks saw (the fixer plans from it). */
export async function runAuditDetailed(
  opts: AuditOptions = {},
): Promise<{ report: AuditReport; perTarget: TargetResult[] }> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const now = opts.now ?? Date.now();
  const d = discover(opts);
  const inContainer = opts.inContainer ?? detectContainer();
  const tailnetIp = tailnetIPv4();
  const notes: string[] = [];

  // load every target first so the live scan knows which ports matter
  const prepared = d.targets.map((target) => {
    if (opts.logDirs) target.logDirs = opts.logDirs;
    const config = loadConfig(target.configPath, { env: target.env });
    const meta = { lastTouchedVersion: getString(config.effective, "meta.lastTouchedVersion") };
    let logPkg: string | null = null;
    const logs = logFilesFor({ config, target });
    for (const l of logs) {
      logPkg = packageDirFromLog(l);
      if (logPkg) break;
    }
    const v = resolveVersion(target, d.installs, meta, logPkg, opts.assume);
    target.version = v.version;
    target.versionSource = v.source;
    target.product = v.product;
    const gw = effectiveGateway({
      config,
      product: target.product,
      version: target.version,
      env: target.env,
      services: target.services,
      inContainer,
      tailnetIp,
    });
    return { target, config, gw };
  });

  const interesting = new Set<number>([DEFAULT_PORT]);
  for (const p of prepared) {
    interesting.add(p.gw.port);
    for (const s of p.gw.sidePorts) interesting.add(s.port);
  }
  const live = opts.noLive
    ? { sockets: [], source: "skipped", localAddresses: [], probes: [], connections: [] }
    : await scanLive({
        interestingPorts: interesting,
        gatewayProcesses: d.processes,
        probe: opts.probe ?? false,
      });
  if (live.source === "none") notes.push("Could not list listening sockets (no /proc/net, lsof or netstat).");

  const findings: AuditFinding[] = [];
  const perTarget: TargetResult[] = [];
  const targets: AuditReport["targets"] = [];
  for (const { target, config, gw } of prepared) {
    const samePortInstalls = prepared
      .filter((o) => o.target !== target && o.gw.port === gw.port)
      .map((o) => o.target.stateDir);
    const ctx: CheckContext = {
      target,
      config,
      gw,
      live: {
        sockets: live.sockets,
        source: live.source,
        localAddresses: live.localAddresses,
        probes: live.probes,
      },
      now,
      home: d.home,
      samePortInstalls,
    };
    const logs = logSources(ctx);
    for (const l of logs.skipped) notes.push(`not read for ${target.stateDir}: ${l.path}, ${l.why}`);
    const mine = await auditTarget(ctx, notes);
    findings.push(...mine);
    perTarget.push({ ctx, findings: mine });
    targets.push({
      stateDir: target.stateDir,
      configPath: target.configPath,
      product: target.product,
      version: target.version,
      versionSource: target.versionSource,
      via: target.via,
      gateway: {
        ...gw,
        token: gw.token ? redact(gw.token) : null,
        password: gw.password ? redact(gw.password) : null,
      },
      configErrors: config.errors,
      listening: listeningOf(ctx),
      logs,
    });
  }
  findings.push(...composeFindings(d.services));
  findings.sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || compareText(a.ruleId, b.ruleId),
  );

  const report: AuditReport = {
    schema: AUDIT_SCHEMA,
    tool: { name: "clawpatrol", version: VERSION },
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    host: { platform: process.platform, hostname: hostname(), user: safeUser() },
    installs: d.installs,
    targets,
    services: d.services.map(redactService),
    live: {
      sockets: live.sockets.map(redactSocket),
      source: live.source,
      localAddresses: live.localAddresses,
      probes: live.probes,
    },
    findings,
    verdict: verdict(
      findings,
      targets.length,
      targets.map((t) => t.gateway),
    ),
    notes,
  };
  return { report, perTarget };
}

/** The sockets on this gateway's port and side ports that are counted as its own, and why. */
function listeningOf(ctx: CheckContext): NonNullable<AuditReport["targets"][number]["listening"]> {
  const ports = new Set([ctx.gw.port, ...ctx.gw.sidePorts.map((p) => p.port)]);
  const out: NonNullable<AuditReport["targets"][number]["listening"]> = [];
  for (const s of ctx.live.sockets) {
    if (!ports.has(s.port)) continue;
    const attribution = attributeSocket(ctx, s);
    if (attribution)
      out.push({
        proto: s.proto,
        address: s.address,
        port: s.port,
        pid: s.pid,
        process: s.process,
        netns: s.netns ?? null,
        attribution,
      });
  }
  return out;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "?";
  }
}

export function verdict(
  findings: AuditFinding[],
  nTargets: number,
  gws: (EffectiveGateway | null)[],
): { severity: Severity | null; line: string } {
  const top = maxSeverity(findings.filter((f) => f.severity !== "info").map((f) => f.severity));
  if (nTargets === 0 && findings.length === 0) {
    return {
      severity: null,
      line: "No OpenClaw, Clawdbot or Moltbot install or state directory found on this host.",
    };
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const exposed = gws.filter((g) => g?.exposed).length;
  const where = `${nTargets} gateway config${nTargets === 1 ? "" : "s"}${exposed ? `, ${exposed} listening beyond loopback` : ""}`;
  if (top === null) return { severity: null, line: `OK: no problems found (${where}).` };
  const summary = (["critical", "high", "medium", "low"] as Severity[])
    .map((s) => (count(s) ? `${count(s)} ${s}` : ""))
    .filter(Boolean)
    .join(", ");
  const word =
    top === "critical"
      ? "CRITICAL"
      : top === "high"
        ? "AT RISK"
        : top === "medium"
          ? "NEEDS ATTENTION"
          : "MINOR ISSUES";
  return {
    severity: top,
    line: `${word}: ${summary} (${where}). Run \`clawpatrol fix\` to preview repairs.`,
  };
}

/**
 * A main config that could not be read at all (syntax error, not UTF-8, too large, a FIFO...)
 * would be judged as `{}` by the checks that read settings: its bind, auth and tools are
 * unknown, not insecure, and the gateway itself would refuse to start with it. Then only the
 * read error and the checks on the files themselves (modes, owners) run.
 */
function checksFor(ctx: CheckContext): readonly AuditCheck[] {
  const unread = ctx.config.problems.some((p) => p.path === ctx.config.path && p.kind !== "no-positions");
  return unread ? CHECKS.filter((c) => c.id === CONFIG_ERRORS_CHECK || FILE_CHECK_IDS.has(c.id)) : CHECKS;
}

/** All checks, secrets, signs of compromise and advisories for one gateway. */
export async function auditTarget(ctx: CheckContext, notes: string[] = []): Promise<AuditFinding[]> {
  const mine: AuditFinding[] = [];
  const { target, gw } = ctx;
  for (const check of checksFor(ctx)) {
    try {
      mine.push(...check.run(ctx));
    } catch (err) {
      notes.push(`check ${check.id} failed on ${target.configPath}: ${(err as Error).message}`);
    }
  }
  const reached = mine.some(
    (f) => f.ruleId === "CP-AUDIT-100" || f.ruleId === "CP-AUDIT-104" || f.ruleId === "CP-AUDIT-010",
  );
  const exposed = gw.exposed || reached;
  const noAuth = !gw.hasSecret && gw.authMode !== "trusted-proxy";
  try {
    mine.push(...secretFindings({ ctx, exposed, exposedWithoutAuth: exposed && noAuth }));
  } catch (err) {
    notes.push(`secret scan failed on ${target.stateDir}: ${(err as Error).message}`);
  }
  try {
    mine.push(...(await compromiseFindings(ctx)));
  } catch (err) {
    notes.push(`compromise scan failed on ${target.stateDir}: ${(err as Error).message}`);
  }
  const remoteLooksLocal = mine.some((f) => f.ruleId === "CP-AUDIT-104");
  mine.push(...versionFindings(ctx, { exposed, noAuth, remoteLooksLocal }));
  return alignToRelease(mine, target.product, target.version);
}

const SECRET_ENV = /(TOKEN|PASSWORD|SECRET|API_KEY|APIKEY|PRIVATE_KEY)$/i;

/** Service definitions go into the JSON report: never with their secret values. */
function redactService(s: ServiceDef): ServiceDef {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.env)) env[k] = SECRET_ENV.test(k) && v ? redact(v) : v;
  return { ...s, env };
}

/** Command lines can carry `--token X` / `--password X`. */
function redactSocket(s: ListeningSocket): ListeningSocket {
  if (!s.cmdline) return s;
  const cmd = s.cmdline.map((a, i, all) => {
    const prev = all[i - 1] ?? "";
    if (/^--(token|password)$/.test(prev)) return redact(a);
    const m = /^(--(?:token|password)=)(.+)$/.exec(a);
    return m ? `${m[1]}${redact(m[2]!)}` : a;
  });
  return { ...s, cmdline: cmd };
}
