// The generated differential corpus: configs and state dirs built from a table of
// security-relevant settings, judged by each release's own audit (recorded by
// bench/audit/record-corpus.ts into test/fixtures/audit-corpus/<build>.json) and replayed
// against clawpatrol by test/audit/corpus.test.ts.
//  - "single": a hardened base plus exactly one setting: for a setting whose values include a
//    safe and an unsafe one (long/short token, loopback/lan, off/full), the pair is a trigger
//    and its near miss.
//  - "random": each setting drawn with probability 0.3 from a seeded generator.
// Every case is validated by the release's own config schema before its audit runs; a
// release that rejects a key (older schema, strict objects) drops the case as invalid.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runAudit } from "../../../src/audit/run.ts";
import { assumeFor, hardenedEnv, type Materialized } from "./cases.ts";

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/audit-corpus");

export interface CorpusCase {
  id: string;
  kind: "single" | "random";
  config: Record<string, unknown>;
  /** Relative path → octal mode; "" is the root dir. */
  modes: Record<string, string>;
}

export interface CorpusFinding {
  checkId: string;
  severity: string;
}

export interface RecordedCorpusCase extends CorpusCase {
  findings: CorpusFinding[];
}

export interface CorpusFile {
  build: string;
  recordedAt: string;
  how: string;
  invalid: number;
  cases: RecordedCorpusCase[];
}

const LONG_TOKEN = "9f3c1a7e5b2d48c6a0e4f1b3d5c7e9a2b4d6f8a0c2e4f6a8";
const LONG_PASSWORD = "c0rrect-h0rse-battery-staple-9f3c1a7e5b2d";

/** One setting: a config path and the values it is tried with. */
interface Setting {
  path: string;
  values: unknown[];
}

export const SETTINGS: Setting[] = [
  { path: "gateway.bind", values: ["loopback", "lan", "auto", "tailnet"] },
  { path: "gateway.auth.mode", values: ["token", "password", "none", "trusted-proxy"] },
  { path: "gateway.auth.token", values: [LONG_TOKEN, "short-token-1", "change-me"] },
  { path: "gateway.auth.password", values: [LONG_PASSWORD, "hunter2pass12"] },
  { path: "gateway.auth.rateLimit", values: [{ maxAttempts: 10, windowMs: 60000 }] },
  { path: "gateway.auth.trustedProxy", values: [{ userHeader: "x-forwarded-user" }] },
  { path: "gateway.controlUi.allowedOrigins", values: [["*"], ["https://control.example.com"]] },
  { path: "gateway.controlUi.allowInsecureAuth", values: [true, false] },
  { path: "gateway.controlUi.dangerouslyDisableDeviceAuth", values: [true, false] },
  { path: "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback", values: [true, false] },
  { path: "gateway.controlUi.enabled", values: [false, true] },
  { path: "gateway.trustedProxies", values: [["10.0.0.0/8"], ["127.0.0.1"]] },
  { path: "gateway.allowRealIpFallback", values: [true, false] },
  { path: "gateway.tailscale.mode", values: ["serve", "funnel", "off"] },
  { path: "gateway.tools.allow", values: [["gateway", "cron"], ["sessions_spawn"]] },
  { path: "gateway.http.endpoints.chatCompletions.enabled", values: [true, false] },
  { path: "gateway.http.endpoints.responses.enabled", values: [true, false] },
  {
    path: "gateway.nodes.allowCommands",
    values: [["system.run"], ["camera.snap", "sms.send"], ["canvas.present"]],
  },
  { path: "gateway.nodes.denyCommands", values: [["system.run*"], ["rm -rf"], ["camera.snap"]] },
  { path: "discovery.mdns.mode", values: ["full", "minimal", "off"] },
  { path: "hooks.enabled", values: [true, false] },
  { path: "hooks.token", values: [LONG_TOKEN, "short-hook-1"] },
  { path: "hooks.path", values: ["/", "/hooks"] },
  { path: "hooks.allowRequestSessionKey", values: [true, false] },
  { path: "hooks.defaultSessionKey", values: ["hook:ingress"] },
  { path: "tools.profile", values: ["minimal", "coding", "full", "messaging"] },
  { path: "tools.allow", values: [["exec", "read"], ["group:runtime"]] },
  { path: "tools.deny", values: [["group:fs"], ["exec"]] },
  { path: "tools.elevated.enabled", values: [true, false] },
  { path: "tools.elevated.allowFrom", values: [{ telegram: ["*"] }, { telegram: ["123456"] }] },
  { path: "tools.exec.security", values: ["full", "allowlist", "deny"] },
  { path: "tools.exec.host", values: ["sandbox", "gateway", "node"] },
  {
    path: "tools.exec.safeBins",
    values: [
      ["python3", "jq"],
      ["sort", "head"],
      ["awk", "sed"],
    ],
  },
  { path: "tools.exec.safeBinTrustedDirs", values: [["/tmp/bin"], ["/usr/bin"]] },
  { path: "tools.exec.strictInlineEval", values: [true, false] },
  { path: "tools.fs.workspaceOnly", values: [true, false] },
  { path: "agents.defaults.sandbox.mode", values: ["off", "all", "non-main"] },
  { path: "agents.defaults.sandbox.docker.network", values: ["host", "bridge", "none"] },
  {
    path: "agents.defaults.sandbox.docker.binds",
    values: [["/var/run/docker.sock:/var/run/docker.sock"], ["/srv/data:/data:ro"]],
  },
  {
    path: "agents.defaults.model.primary",
    values: [
      "anthropic/claude-opus-4-5",
      "openai/gpt-3.5-turbo",
      "ollama/llama3:8b",
      "anthropic/claude-3-haiku-20240307",
    ],
  },
  {
    path: "agents.list",
    values: [
      [
        { id: "main", default: true },
        { id: "work", default: true },
      ],
      [{ id: "main" }, { id: "ops", tools: { profile: "full" } }],
    ],
  },
  { path: "session.dmScope", values: ["main", "per-channel-peer"] },
  {
    path: "channels.telegram",
    values: [
      {
        botToken: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        dmPolicy: "open",
        allowFrom: ["*"],
        groupPolicy: "open",
      },
      {
        botToken: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        dmPolicy: "pairing",
        groupPolicy: "allowlist",
      },
    ],
  },
  { path: "logging.redactSensitive", values: ["off", "tools"] },
  { path: "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork", values: [true, false] },
  { path: "browser.cdpUrl", values: ["http://10.0.0.5:9222", "http://127.0.0.1:9222"] },
  { path: "plugins.allow", values: [["nonexistent-plugin"], []] },
  { path: "plugins.enabled", values: [false, true] },
  { path: "mcp.apps.enabled", values: [true, false] },
  {
    path: "gateway.nodes.commands.allow",
    values: [["system.run"], ["camera.snap", "sms.send"], ["canvas.present"]],
  },
  { path: "gateway.nodes.commands.deny", values: [["system.run*"], ["rm -rf"], ["camera.snap"]] },
  { path: "tools.web.fetch.enabled", values: [false, true] },
  { path: "session.groupScope", values: ["main", "per-group"] },
  { path: "agents.defaults.sandbox.browser.enabled", values: [true, false] },
  {
    path: "agents.list",
    values: [
      [{ id: "main", default: true, tools: { exec: { host: "sandbox" } } }],
      [{ id: "main", default: true, sandbox: { mode: "all" }, tools: { exec: { host: "sandbox" } } }],
    ],
  },
];

/** Mode choices for the state tree (permission checks). */
const STATE_MODES = ["700", "755", "777"];
const CONFIG_MODES = ["600", "644", "666"];

/** The hardened base every case starts from (each build's port). */
export function baseConfig(build: string): Record<string, unknown> {
  return {
    gateway: {
      mode: "local",
      port: build.startsWith("clawdbot") ? 18909 : 18789,
      bind: "loopback",
      auth: { mode: "token", token: LONG_TOKEN },
    },
    update: { checkOnStart: false },
  };
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== "object" || cur[k] === null || Array.isArray(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys.at(-1)!] = structuredClone(value);
}

/** mulberry32: a small seeded generator, so a corpus is reproducible from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HARD_MODES = { "": "700", state: "700", "openclaw.json": "600" };

export function singleCases(build: string): CorpusCase[] {
  const out: CorpusCase[] = [
    { id: "single-base", kind: "single", config: baseConfig(build), modes: HARD_MODES },
  ];
  SETTINGS.forEach((s, i) => {
    s.values.forEach((v, j) => {
      const config = baseConfig(build);
      setPath(config, s.path, v);
      out.push({ id: `single-${i}-${j}`, kind: "single", config, modes: HARD_MODES });
    });
  });
  out.push({
    id: "single-modes-open",
    kind: "single",
    config: baseConfig(build),
    modes: { "": "755", state: "777", "openclaw.json": "666" },
  });
  out.push({
    id: "single-modes-readable",
    kind: "single",
    config: baseConfig(build),
    modes: { "": "755", state: "755", "openclaw.json": "644" },
  });
  return out;
}

/**
 * Random cases drawing only the setting values `accepted(settingIndex, valueIndex)`: the
 * values whose single case the release's own schema accepted, so the random corpus stays
 * inside each release's config schema.
 */
export function randomCases(
  build: string,
  count: number,
  seed: number,
  accepted: (setting: number, value: number) => boolean = () => true,
): CorpusCase[] {
  const rnd = seeded(seed);
  const allowed = SETTINGS.map((s, i) => ({
    path: s.path,
    values: s.values.filter((_, j) => accepted(i, j)),
  })).filter((s) => s.values.length > 0);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: CorpusCase[] = [];
  for (let n = 0; n < count; n++) {
    const config = baseConfig(build);
    for (const s of allowed) if (rnd() < 0.3) setPath(config, s.path, pick(s.values));
    const modes =
      rnd() < 0.3 ? { "": "700", state: pick(STATE_MODES), "openclaw.json": pick(CONFIG_MODES) } : HARD_MODES;
    out.push({ id: `random-${seed}-${n}`, kind: "random", config, modes });
  }
  return out;
}

/** Write a corpus case under `root`: the config, an empty state dir, the modes. */
export function materializeCorpusCase(c: CorpusCase, root: string): Materialized {
  mkdirSync(join(root, "state"), { recursive: true });
  mkdirSync(join(root, "home"), { recursive: true });
  mkdirSync(join(root, "tmp"), { recursive: true });
  const configPath = join(root, "openclaw.json");
  writeFileSync(configPath, `${JSON.stringify(c.config, null, 1)}\n`);
  const entries = Object.entries(c.modes).sort((a, b) => b[0].length - a[0].length);
  for (const [rel, mode] of entries) chmodSync(join(root, rel), Number.parseInt(mode, 8));
  return { root, stateDir: join(root, "state"), configPath };
}

export function listCorpusFiles(): string[] {
  if (!existsSync(CORPUS_DIR)) return [];
  return readdirSync(CORPUS_DIR)
    .filter((n) => n.endsWith(".json"))
    .sort();
}

export function readCorpusFile(name: string): CorpusFile {
  return JSON.parse(readFileSync(join(CORPUS_DIR, name), "utf8")) as CorpusFile;
}

/** clawpatrol's audit of a materialized corpus case, as the recorded cases are audited. */
export async function auditCorpusCase(build: string, c: CorpusCase, root: string) {
  const m = materializeCorpusCase(c, root);
  return runAudit({
    stateDir: m.stateDir,
    configPath: m.configPath,
    home: join(root, "home"),
    env: hardenedEnv(m),
    noProcesses: true,
    noLive: true,
    globalRoots: [],
    logDirs: [],
    assume: assumeFor(build),
    inContainer: false,
  });
}
