// Builds one gateway's audit context from an in-memory description (config text, extra
// files with modes, version, fake sockets/processes), so each check can be triggered alone.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { effectiveGateway } from "../../../src/audit/bind.ts";
import { loadConfig } from "../../../src/audit/config.ts";
import { auditTarget } from "../../../src/audit/run.ts";
import type {
  AuditFinding,
  CheckContext,
  GatewayProcess,
  ListeningSocket,
  Product,
  ServiceDef,
} from "../../../src/audit/types.ts";

export interface Scenario {
  config?: string;
  files?: Record<string, string>;
  /** Relative path → mode (number). The state dir is "state", the config "openclaw.json". */
  modes?: Record<string, number>;
  product?: Product;
  version?: string | null;
  env?: Record<string, string>;
  sockets?: ListeningSocket[];
  processes?: GatewayProcess[];
  services?: ServiceDef[];
  inContainer?: boolean;
  now?: number;
  probes?: { address: string; port: number; reachable: boolean }[];
}

const roots: string[] = [];

export function cleanupScenarios(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

export function buildContext(s: Scenario): CheckContext {
  const root = mkdtempSync(join(tmpdir(), "cp-scn-"));
  roots.push(root);
  const stateDir = join(root, "state");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
  const configPath = join(root, "openclaw.json");
  if (s.config !== undefined)
    writeFileSync(configPath, s.config.replaceAll("__ROOT__", root), { mode: 0o600 });
  for (const [rel, text] of Object.entries(s.files ?? {})) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text.replaceAll("__ROOT__", root), { mode: 0o600 });
  }
  for (const [rel, mode] of Object.entries(s.modes ?? {})) chmodSync(join(root, rel), mode);
  const env = s.env ?? {};
  const config = loadConfig(configPath, { env });
  const product = s.product ?? "openclaw";
  const version = s.version === undefined ? "2026.9.6" : s.version;
  const services = s.services ?? [];
  const gw = effectiveGateway({
    config,
    product,
    version,
    env,
    services,
    inContainer: s.inContainer ?? false,
    tailnetIp: null,
  });
  return {
    target: {
      stateDir,
      configPath,
      via: "test",
      profile: null,
      product,
      version,
      versionSource: "test",
      env,
      services,
      processes: s.processes ?? [],
      logDirs: [],
    },
    config,
    gw,
    live: {
      sockets: s.sockets ?? [],
      source: "test",
      localAddresses: ["192.0.2.10"],
      probes: s.probes ?? [],
    },
    now: s.now ?? Date.now(),
    home: join(root, "home"),
  };
}

export async function run(s: Scenario): Promise<{ ctx: CheckContext; findings: AuditFinding[] }> {
  const ctx = buildContext(s);
  return { ctx, findings: await auditTarget(ctx) };
}

export function ids(findings: AuditFinding[]): string[] {
  return [...new Set(findings.map((f) => f.ruleId))].sort();
}
