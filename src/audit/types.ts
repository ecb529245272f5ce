// Data shapes of the host audit. Everything here is plain data so the checks, the fixer,
// the reporters and the tests can share it without reaching into each other.
import type { AdvisoryCounts } from "../advisories/counts.ts";
import type { Evidence, Finding, Severity } from "../findings/model.ts";
import type { FamilyProduct } from "../fingerprints/openclaw/meta.ts";
import type { FixId } from "../fix/fix-ids.ts";
import type { LoadedConfig } from "./config.ts";

/** An install kind: one of the OpenClaw family (declared once in fingerprints/openclaw/meta.ts). */
export type Product = FamilyProduct;

/** A finding of the host audit. */
export interface AuditFinding extends Finding {
  /**
   * The check id `openclaw security audit` uses for the same problem, or null when
   * OpenClaw's own audit has no equivalent. `*` stands for a number OpenClaw assigns by
   * position (its free-text channel warnings: `channels.telegram.warning.*`).
   */
  openclawCheckId: string | null;
  /** Which part of the report it belongs to. */
  group: AuditGroup;
  /** The state dir (or config) this finding is about; null for host-wide findings. */
  stateDir: string | null;
  /** Ids of `clawpatrol fix` actions that repair it, if any. */
  fixes?: FixId[];
  /** For plaintext-secret findings: what it is and whether to rotate it at once. */
  secret?: { kind: string; provider: string; rotateNow: boolean };
  /** For the version finding: the advisory numbers, as scan records carry them. */
  advisoryCounts?: AdvisoryCounts;
  /** With `--with-openclaw`: what `openclaw security audit` itself reported for this issue. */
  openclaw?: { checkId: string; severity: string; title: string }[];
}

export type AuditGroup =
  | "exposure"
  | "auth"
  | "config"
  | "files"
  | "secrets"
  | "compromise"
  | "version"
  | "host";

export const GROUP_TITLES: Record<AuditGroup, string> = {
  exposure: "Network exposure",
  auth: "Authentication",
  config: "Dangerous settings",
  files: "File permissions",
  secrets: "Plaintext secrets",
  compromise: "Signs of compromise",
  version: "Version and advisories",
  host: "Host",
};

/** One installed copy of the gateway software. */
export interface Install {
  product: Product;
  version: string | null;
  /** Directory of the package (…/node_modules/openclaw). */
  packageDir: string;
  /** How we found it: global npm prefix, service file, running process. */
  via: string;
}

/** A service definition that starts a gateway (systemd unit, launchd plist, compose file). */
export interface ServiceDef {
  kind: "systemd" | "launchd" | "compose" | "windows-task";
  path: string;
  /** Environment the service sets (Environment=, EnvironmentFile=, EnvironmentVariables, environment:). */
  env: Record<string, string>;
  /** Files the env came from, for the secret scanner. */
  envFiles: string[];
  /** Gateway CLI flags found in the command line. */
  flags: { bind?: string; port?: number; auth?: string; token?: boolean; password?: boolean };
  /** For compose: host-side port publications of the gateway port(s). */
  published: { hostIp: string; hostPort: number; containerPort: number; line: number }[];
  /** Package directory the command points at, when it names one. */
  packageDir: string | null;
  line?: number;
}

export interface ListeningSocket {
  proto: "tcp" | "tcp6";
  address: string;
  port: number;
  inode: number;
  pid: number | null;
  process: string | null;
  /** Command line of the owning process, when known. */
  cmdline?: string[];
  /** Network namespace (`net:[…]`) the socket lives in, when read through a process. */
  netns?: string | null;
  /** The install paths the owning process names in its environment (read from /proc/PID/environ). */
  owner?: ProcessInstall | null;
}

/** Which install a process serves, as its environment says (never its other variables). */
export interface ProcessInstall {
  stateDirs: string[];
  configPaths: string[];
  /** Where that came from: `OPENCLAW_STATE_DIR`, `default state dir of HOME=/home/u`, … */
  via: string[];
}

/** Why a socket is counted as this install's, and whether that is proven or a guess. */
export interface SocketAttribution {
  /** True when the owning process names this install, or the install alone uses the port here. */
  proven: boolean;
  how: string;
}

export interface GatewayProcess {
  pid: number;
  cmdline: string[];
  env: Record<string, string>;
  stateDir: string | null;
  configPath: string | null;
  packageDir: string | null;
}

/** A state dir (or a lone config file) to audit, with everything known about it. */
export interface AuditTarget {
  stateDir: string;
  configPath: string;
  /** Why we think this is a gateway home: default dir, profile, env override, flag. */
  via: string;
  /**
   * The state dir is only the directory holding a config named without one (--config or
   * *_CONFIG_PATH alone): it may be any directory (/etc, /tmp), so its mode is not ours to change.
   */
  stateDirFromConfig?: boolean;
  profile: string | null;
  product: Product;
  version: string | null;
  versionSource: string;
  /** Environment the gateway would see (service env, else our own). */
  env: Record<string, string>;
  services: ServiceDef[];
  processes: GatewayProcess[];
  /** Where default rolling logs are looked for (tests point this elsewhere). */
  logDirs?: string[];
}

export interface EffectiveGateway {
  port: number;
  portSource: string;
  bindMode: string;
  bindSource: string;
  /** The addresses the gateway listens on (per the version's bind rules). */
  hosts: string[];
  /** True when some listen address is not loopback. */
  exposed: boolean;
  bindNote: string | null;
  authMode: "none" | "token" | "password" | "trusted-proxy";
  authModeSource: string;
  /** True when a usable shared secret exists (config, env or SecretRef). */
  hasSecret: boolean;
  secretSource: "config" | "env" | "secretref" | "generated-at-runtime" | "none";
  token: string | null;
  password: string | null;
  controlUiEnabled: boolean;
  tailscaleMode: string;
  /** Side ports (browser control, relay, legacy bridge/canvas) this version may open. */
  sidePorts: { port: number; what: string }[];
  inContainer: boolean;
}

export interface LiveState {
  sockets: ListeningSocket[];
  /** Socket source: /proc/net, lsof, netstat, or none. */
  source: string;
  /** Local non-loopback addresses of this host. */
  localAddresses: string[];
  /** When --probe ran: address:port → reachable. */
  probes: { address: string; port: number; reachable: boolean }[];
}

export interface CheckContext {
  target: AuditTarget;
  config: LoadedConfig;
  gw: EffectiveGateway;
  live: LiveState;
  now: number;
  home: string;
  /** Other installs audited in this run whose gateway uses the same port (their state dirs). */
  samePortInstalls?: string[];
}

export interface AuditCheck {
  /** Stable rule id, `CP-AUDIT-nnn`. */
  id: string;
  /** OpenClaw equivalent (may contain `*` or `<provider>` placeholders), or null. */
  openclawCheckId: string | null;
  title: string;
  group: AuditGroup;
  run(ctx: CheckContext): AuditFinding[];
}

export interface AuditReport {
  schema: "clawpatrol.audit/1";
  tool: { name: string; version: string };
  startedAt: string;
  durationMs: number;
  host: { platform: string; hostname: string; user: string };
  installs: Install[];
  targets: {
    stateDir: string;
    configPath: string;
    product: Product;
    version: string | null;
    versionSource: string;
    via: string;
    gateway: EffectiveGateway | null;
    configErrors: string[];
    /** Sockets on this gateway's port and side ports counted as its own, and why. */
    listening?: (Pick<ListeningSocket, "proto" | "address" | "port" | "pid" | "process" | "netns"> & {
      attribution: SocketAttribution;
    })[];
    /** Gateway logs that were read, and those that were not, with the reason. */
    logs?: { read: string[]; skipped: { path: string; why: string }[] };
  }[];
  services: ServiceDef[];
  live: LiveState;
  findings: AuditFinding[];
  verdict: { severity: Severity | null; line: string };
  notes: string[];
}

export interface FindingInput {
  ruleId: string;
  openclawCheckId: string | null;
  severity: Severity;
  title: string;
  group: AuditGroup;
  asset: string;
  evidence: Evidence[];
  remediation: string;
  references?: string[];
  stateDir: string | null;
  fixes?: FixId[];
}

export function finding(input: FindingInput): AuditFinding {
  return {
    ruleId: input.ruleId,
    severity: input.severity,
    title: input.title,
    asset: input.asset,
    evidence: input.evidence,
    remediation: input.remediation,
    references: input.references ?? [],
    openclawCheckId: input.openclawCheckId,
    group: input.group,
    stateDir: input.stateDir,
    ...(input.fixes && input.fixes.length > 0 ? { fixes: input.fixes } : {}),
  };
}
