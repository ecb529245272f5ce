// The project's own zoo of the AI services installable from npm beside MCP (issue 17): n8n and
// Flowise at pinned versions, installed once into a cache directory and run in a network
// namespace of the caller's own (the gateway side of a pair from test/firewall/support/
// netns.ts), offline: each has only its namespace's loopback and the veth, with its
// telemetry, update checks and template fetches switched off. Each case gets a fresh state
// directory (n8n's SQLite database, Flowise's), so an instance is exactly what the case says:
// a fresh n8n (its public API on, the default), the same with an owner set up through its own
// setup endpoint, a Flowise before and after its first account. Used by the live suite
// (test/live/services.test.ts) and by scripts/record-services.ts, which records the
// transcripts the replay tests use (test/fixtures/products/<case>.json).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Observation } from "../../src/scan/record.ts";
import { createPair, destroyPair, type NsPair } from "../firewall/support/netns.ts";
import type { VariantExpectation } from "../products/source-server.ts";
import { cacheRoot, clawpatrolInScanNs } from "./product-zoo.ts";

export interface ServicePackage {
  product: "n8n" | "flowise";
  pkg: string;
  version: string;
  /** The server's entry point, relative to the install directory. */
  bin: string;
  /** Native modules to build after an install with scripts off (no prebuilt downloads here). */
  rebuild: string[];
}

// n8n 2.41.3 (the newest) cannot be installed: its @n8n/agents@0.26.2 is not in the registry.
export const N8N: ServicePackage = {
  product: "n8n",
  pkg: "n8n",
  version: "2.40.7",
  bin: "node_modules/n8n/bin/n8n",
  rebuild: ["sqlite3"],
};
export const FLOWISE: ServicePackage = {
  product: "flowise",
  pkg: "flowise",
  version: "3.1.4",
  bin: "node_modules/flowise/bin/run",
  rebuild: ["sqlite3"],
};

/** A local state change on our own instance, through its own endpoint (an owner's setup). */
export type CaseSetup = (ask: LocalAsk) => Promise<void>;
export type LocalAsk = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: string }>;

/** One server process of the zoo. */
export interface ServiceInstance {
  name: string;
  service: ServicePackage;
  port: number;
  /** The case's own settings beside the offline ones. */
  env: Record<string, string>;
}

/**
 * One state of an instance that is scanned and recorded. Phase 1 scans every instance as
 * started; then each phase-2 case's `setup` runs on its instance and phase 2 scans again.
 */
export interface ServiceCase {
  /** Also the fixture's file name. */
  name: string;
  instance: ServiceInstance;
  phase: 1 | 2;
  setup?: CaseSetup;
  expect: VariantExpectation;
}

export function installDir(s: ServicePackage): string {
  return join(cacheRoot(), `${s.pkg}-${s.version}`);
}

const MARKER = ".clawpatrol-installed";

/**
 * Installs the pinned package once: `npm install --omit=dev --ignore-scripts` (n8n's optional
 * Kafka client would try to build librdkafka), then builds the native modules it needs from
 * their own source (sqlite3: its prebuilt download is not reachable here). Returns the
 * directory, or why not. Times out after `timeoutMs`.
 */
export function installService(
  s: ServicePackage,
  timeoutMs = 15 * 60_000,
): { dir: string; ms: number } | { error: string } {
  const dir = installDir(s);
  if (existsSync(join(dir, MARKER))) return { dir, ms: 0 };
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json")))
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `zoo-${s.pkg}`, private: true })}\n`);
  const started = Date.now();
  const npm = (args: string[]) =>
    spawnSync("npm", args, {
      cwd: dir,
      encoding: "utf8",
      timeout: Math.max(1000, timeoutMs - (Date.now() - started)),
      env: { ...process.env, npm_config_build_from_source: "true" },
    });
  const r = npm([
    "install",
    "--no-audit",
    "--no-fund",
    "--omit=dev",
    "--ignore-scripts",
    `${s.pkg}@${s.version}`,
  ]);
  const lastLine = (t: string | null) => (t ?? "").trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !existsSync(join(dir, s.bin)))
    return {
      error: `npm install ${s.pkg}@${s.version} failed (${r.signal ?? `exit ${r.status}`}): ${lastLine(r.stderr)}`,
    };
  if (s.rebuild.length > 0) {
    const b = npm(["rebuild", ...s.rebuild]);
    if (b.status !== 0)
      return { error: `npm rebuild ${s.rebuild.join(" ")} for ${s.pkg} failed: ${lastLine(b.stderr)}` };
  }
  const ms = Date.now() - started;
  writeFileSync(join(dir, MARKER), `${JSON.stringify({ version: s.version, ms })}\n`);
  return { dir, ms };
}

/** The install's recorded duration (ms), or null when it is not installed. */
export function installedMs(s: ServicePackage): number | null {
  const f = join(installDir(s), MARKER);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as { ms: number }).ms : null;
}

const OFFLINE_ENV: Record<ServicePackage["product"], Record<string, string>> = {
  n8n: {
    N8N_DIAGNOSTICS_ENABLED: "false",
    N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
    N8N_TEMPLATES_ENABLED: "false",
    N8N_PERSONALIZATION_ENABLED: "false",
    N8N_HIRING_BANNER_ENABLED: "false",
    N8N_RUNNERS_ENABLED: "false",
    DB_TYPE: "sqlite",
    N8N_LISTEN_ADDRESS: "0.0.0.0",
  },
  flowise: {
    DISABLE_FLOWISE_TELEMETRY: "true",
    HOST: "0.0.0.0",
  },
};

function stateEnv(c: ServiceInstance, home: string): Record<string, string> {
  if (c.service.product === "n8n")
    return {
      N8N_USER_FOLDER: join(home, "n8n"),
      N8N_PORT: String(c.port),
      // Each instance needs its own task broker port (default 5679).
      N8N_RUNNERS_BROKER_PORT: String(c.port + 1000),
    };
  return {
    PORT: String(c.port),
    DATABASE_PATH: join(home, "flowise"),
    SECRETKEY_PATH: join(home, "flowise"),
    LOG_PATH: join(home, "flowise", "logs"),
    BLOB_STORAGE_PATH: join(home, "flowise", "storage"),
  };
}

export interface RunningInstance {
  c: ServiceInstance;
  child: ChildProcess;
  log: string;
}

/** Starts one instance in the pair's gateway namespace, its state under `work/<name>`. */
export function startInstance(pair: NsPair, c: ServiceInstance, work: string): RunningInstance {
  const home = join(work, c.name);
  for (const sub of ["tmp", "n8n", "flowise"]) mkdirSync(join(home, sub), { recursive: true });
  const log = join(home, "server.log");
  const fd = openSync(log, "w");
  const env = {
    PATH: `${join(process.execPath, "..")}:/usr/bin:/bin`,
    HOME: home,
    TMPDIR: join(home, "tmp"),
    LANG: "C.UTF-8",
    DO_NOT_TRACK: "1",
    ...OFFLINE_ENV[c.service.product],
    ...stateEnv(c, home),
    ...c.env,
  };
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      pair.gw,
      "env",
      "-i",
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      c.service.bin,
      "start",
    ],
    { cwd: installDir(c.service), stdio: ["ignore", fd, fd] },
  );
  closeSync(fd);
  return { c, child, log };
}

/** An HTTP exchange with a case's server from inside its own namespace, on its loopback. */
export function localAsk(pair: NsPair, port: number): LocalAsk {
  return async (method, path, body) => {
    const code = `fetch(${JSON.stringify(`http://127.0.0.1:${port}${path}`)},{method:${JSON.stringify(method)},headers:{"content-type":"application/json"},${body === undefined ? "" : `body:${JSON.stringify(JSON.stringify(body))},`}signal:AbortSignal.timeout(10000)}).then(async r=>{process.stdout.write(JSON.stringify({status:r.status,body:await r.text()}))},e=>{process.stdout.write(JSON.stringify({status:0,body:String(e)}))})`;
    const r = spawnSync("ip", ["netns", "exec", pair.gw, process.execPath, "-e", code], {
      encoding: "utf8",
      timeout: 20_000,
    });
    try {
      return JSON.parse(r.stdout) as { status: number; body: string };
    } catch {
      return { status: 0, body: r.stderr ?? "" };
    }
  };
}

/** The route that answers 200 once a product is ready to serve. */
export const READY_PATH: Record<ServicePackage["product"], string> = {
  n8n: "/healthz/readiness",
  flowise: "/api/v1/ping",
};

/** Waits until the case answers its ready route (first starts run migrations: about a minute). */
export async function waitReady(pair: NsPair, r: RunningInstance, timeoutMs: number): Promise<void> {
  const ask = localAsk(pair, r.c.port);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (r.child.exitCode !== null) break;
    if ((await ask("GET", READY_PATH[r.c.service.product])).status === 200) return;
    await new Promise((res) => setTimeout(res, 1000));
  }
  const tail = existsSync(r.log) ? readFileSync(r.log, "utf8").slice(-1500) : "";
  throw new Error(`${r.c.name} was not ready within ${timeoutMs / 1000} s:\n${tail}`);
}

const N8N_OWNER = {
  email: "owner@zoo.invalid",
  firstName: "Zoo",
  lastName: "Owner",
  password: "Zoo-owner-passw0rd",
};
const FLOWISE_ADMIN = { name: "Zoo Admin", email: "admin@zoo.invalid", credential: "Zoo-admin-Passw0rd!" };

async function expectOk(what: string, r: Promise<{ status: number; body: string }>): Promise<void> {
  const a = await r;
  if (a.status < 200 || a.status > 299) throw new Error(`${what}: ${a.status} ${a.body.slice(0, 300)}`);
}

export const N8N_DEFAULT: ServiceInstance = { name: "n8n", service: N8N, port: 5678, env: {} };
export const FLOWISE_DEFAULT: ServiceInstance = { name: "flowise", service: FLOWISE, port: 3000, env: {} };
export const SERVICE_INSTANCES = [N8N_DEFAULT, FLOWISE_DEFAULT];

export const SERVICE_CASES: ServiceCase[] = [
  {
    name: "n8n-2.40.7-fresh",
    instance: N8N_DEFAULT,
    phase: 1,
    expect: {
      auth: "not-required",
      version: N8N.version,
      facts: { ownerSetUp: false, authenticationMethod: "email", settingsMode: "public", publicApi: true },
      rules: ["CP-SCAN-170", "CP-SCAN-171", "CP-SCAN-172"],
    },
  },
  {
    name: "n8n-2.40.7-owner",
    instance: N8N_DEFAULT,
    phase: 2,
    // n8n's own first-run setup: the owner account, as the editor's setup page creates it.
    setup: (ask) => expectOk("n8n owner setup", ask("POST", "/rest/owner/setup", N8N_OWNER)),
    expect: {
      auth: "required",
      version: N8N.version,
      facts: { ownerSetUp: true, authenticationMethod: "email", publicApi: true },
      rules: ["CP-SCAN-170", "CP-SCAN-172"],
    },
  },
  {
    name: "flowise-3.1.4-no-account",
    instance: FLOWISE_DEFAULT,
    phase: 1,
    expect: {
      auth: "not-required",
      version: FLOWISE.version,
      facts: { platformType: "open source", accountSetUp: false },
      rules: ["CP-SCAN-180", "CP-SCAN-181"],
    },
  },
  {
    name: "flowise-3.1.4-account",
    instance: FLOWISE_DEFAULT,
    phase: 2,
    // Flowise 3.x's organisation setup: the first account, as its setup page registers it.
    setup: (ask) =>
      expectOk("flowise account setup", ask("POST", "/api/v1/account/register", { user: FLOWISE_ADMIN })),
    expect: {
      auth: "required",
      version: FLOWISE.version,
      facts: { platformType: "open source", accountSetUp: true },
      rules: ["CP-SCAN-180"],
    },
  },
];

export const SERVICE_SUBNET = 26;

export interface RunningServiceZoo {
  pair: NsPair;
  running: RunningInstance[];
  stop(): void;
}

/** Starts every instance in a fresh namespace pair and waits until each is ready. */
export async function startServiceZoo(
  work: string,
  instances = SERVICE_INSTANCES,
  readyMs = 300_000,
): Promise<RunningServiceZoo> {
  const pair = createPair("cpsvc", SERVICE_SUBNET);
  const running: RunningInstance[] = [];
  const stop = () => {
    for (const r of running) r.child.kill("SIGKILL");
    destroyPair(pair);
  };
  try {
    for (const i of instances) running.push(startInstance(pair, i, work));
    for (const r of running) await waitReady(pair, r, readyMs);
  } catch (err) {
    stop();
    throw err;
  }
  return { pair, running, stop };
}

/** Runs one phase's set-ups on their instances (each instance's own endpoint, on its loopback). */
export async function setUpPhase(zoo: RunningServiceZoo, phase: 1 | 2): Promise<void> {
  const running = new Set(zoo.running.map((r) => r.c));
  for (const c of SERVICE_CASES.filter((c) => c.phase === phase && c.setup && running.has(c.instance)))
    await c.setup!(localAsk(zoo.pair, c.instance.port));
}

/** `scan --json` of the instances from the scanner's namespace; transcripts into `record` if given. */
export function scanServices(
  zoo: RunningServiceZoo,
  record?: string,
): { status: number; stderr: string; records: Observation[] } {
  const r = clawpatrolInScanNs(zoo.pair, [
    "scan",
    zoo.pair.gwAddr,
    "-p",
    zoo.running.map((i) => i.c.port).join(","),
    "--timeout",
    "15s",
    "--json",
    "--fail-on",
    "none",
    ...(record ? ["--record", record] : []),
  ]);
  const records = r.stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Observation);
  return { status: r.status, stderr: r.stderr, records };
}
