// Runs one OpenClaw/clawdbot release's own security audit on many cases in ONE process: the
// release's CLI command (`security audit --json`) is a thin wrapper that loads the config with
// `createConfigIO().loadConfig()` and calls `runSecurityAudit({config, includeFilesystem,
// includeChannelSecurity})`; this script imports exactly those two functions from the files
// the release's own `security-cli` module imports them from, and calls them per case with the
// case's environment. A CLI start costs 5-150 s per run on these builds (plugin and channel
// loading), so a corpus of hundreds of configs is only recordable this way; the live suite
// checks on a sample that this gives what the CLI gives.
// Runs under the zoo's Node 24 inside `unshare --net` (no network at all):
//   node real-audit-batch.ts <install dir> <cases.json> <out.ndjson>
// cases.json: [{ id, configPath, stateDir, env }]. Output: one line per case,
// { id, ms, valid, findings: [{checkId, severity, title}] } or { id, error }.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

interface BatchCase {
  id: string;
  configPath: string;
  stateDir: string;
  env: Record<string, string>;
}

const [pkgDir, casesFile, outFile] = process.argv.slice(2) as [string, string, string];
const dist = join(pkgDir, "dist");

/** The module and export name a file imports `name` from (`import { x as name } from "./m.js"`). */
function importOf(file: string, name: string): { module: string; exportName: string } | null {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const part of m[1]!.split(",")) {
      const [a, b] = part.trim().split(/\s+as\s+/);
      if ((b ?? a)?.trim() === name) return { module: join(file, "..", m[2]!), exportName: a!.trim() };
    }
  }
  return null;
}

function securityCliFile(): string {
  const old = join(dist, "cli/security-cli.js");
  try {
    readFileSync(old);
    return old;
  } catch {
    const hit = readdirSync(dist)
      .filter((n) => /^security-cli-.*\.m?js$/.test(n))
      .map((n) => join(dist, n))
      .find((p) => readFileSync(p, "utf8").includes("Audit config + local state"));
    if (!hit) throw new Error(`no security-cli module under ${dist}`);
    return hit;
  }
}

async function load<T>(file: string, names: string[]): Promise<T> {
  for (const n of names) {
    const imp = importOf(file, n);
    if (imp) {
      const mod = (await import(pathToFileURL(imp.module).href)) as Record<string, unknown>;
      return mod[imp.exportName] as T;
    }
  }
  throw new Error(`${file} imports none of ${names.join(", ")}`);
}

type ConfigIO = {
  loadConfig: () => unknown;
  readConfigFileSnapshot?: () => Promise<{ valid?: boolean; issues?: unknown[] }>;
};
const cli = securityCliFile();
const runAudit = await load<(o: Record<string, unknown>) => Promise<{ findings: Record<string, unknown>[] }>>(
  cli,
  ["runSecurityAuditCore", "runSecurityAudit"],
);
let createConfigIO: (o: Record<string, unknown>) => ConfigIO;
try {
  createConfigIO = await load(cli, ["createConfigIO"]);
} catch {
  // the 2026.1.x CLIs import loadConfig from config/config.js, which also exports createConfigIO
  const loadImp = importOf(cli, "loadConfig")!;
  createConfigIO = ((await import(pathToFileURL(loadImp.module).href)) as Record<string, unknown>)
    .createConfigIO as typeof createConfigIO;
}

const cases = JSON.parse(readFileSync(casesFile, "utf8")) as BatchCase[];
const lines: string[] = [];
const baseEnv = { ...process.env };
for (const c of cases) {
  const t0 = performance.now();
  try {
    for (const k of Object.keys(process.env)) if (!(k in baseEnv)) delete process.env[k];
    Object.assign(process.env, baseEnv, c.env);
    const io = createConfigIO({ env: process.env, configPath: c.configPath });
    const snap = await io.readConfigFileSnapshot?.();
    if (snap && snap.valid === false) {
      lines.push(JSON.stringify({ id: c.id, valid: false, issues: snap.issues?.slice(0, 3) }));
      continue;
    }
    const cfg = io.loadConfig();
    const report = await runAudit({
      config: cfg,
      sourceConfig: cfg,
      env: process.env,
      stateDir: c.stateDir,
      configPath: c.configPath,
      deep: false,
      includeFilesystem: true,
      includeChannelSecurity: true,
    });
    const findings = report.findings.map((f) => ({
      checkId: f.checkId,
      severity: f.severity,
      title: f.title,
    }));
    lines.push(JSON.stringify({ id: c.id, ms: Math.round(performance.now() - t0), valid: true, findings }));
  } catch (err) {
    lines.push(JSON.stringify({ id: c.id, error: String((err as Error)?.message ?? err).slice(0, 300) }));
  }
}
writeFileSync(outFile, `${lines.join("\n")}\n`);
