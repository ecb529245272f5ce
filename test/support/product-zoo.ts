// The project's own zoo of other agentic-AI products installable from npm (issue 17): pinned
// versions installed into a cache directory, run inside a network namespace pair created
// here (servers in one namespace, the scanner in the other, joined by a veth with
// 198.18.27.x addresses), so a scan sees them from a non-loopback vantage. Used by the live
// suite (test/live/products.test.ts) and by scripts/record-products.ts, which records the
// transcripts the replay tests use (test/fixtures/products/).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  canConnect,
  createPair,
  destroyPair,
  type NsPair,
  netnsUnavailable,
} from "../firewall/support/netns.ts";
import { REPO_ROOT } from "./zoo.ts";

export const MCP_EVERYTHING = { pkg: "@modelcontextprotocol/server-everything", version: "2026.8.31" };
export const ZOO_SUBNET = 27;

export interface McpExpectation {
  transport: "streamable-http" | "sse";
  auth: "required" | "not-required";
  serverName?: string;
  version?: string | null;
  stateful?: boolean;
  /** Exact count of tools listed without auth (undefined: none listed). */
  toolsListed?: number;
}

export interface ProductInstance {
  name: string;
  product: "mcp";
  port: number;
  /** Command line, run in the install directory. */
  argv: string[];
  env?: Record<string, string>;
  expect: McpExpectation;
}

const EVERYTHING = "node_modules/@modelcontextprotocol/server-everything/dist/index.js";

export function zooAddress(): string {
  return `198.18.${ZOO_SUBNET}.1`;
}

export const PRODUCT_ZOO: ProductInstance[] = [
  {
    name: "mcp-everything-streamable",
    product: "mcp",
    port: 3001,
    argv: [EVERYTHING, "streamableHttp"],
    expect: {
      transport: "streamable-http",
      auth: "not-required",
      serverName: "mcp-servers/everything",
      version: "2.0.0",
      stateful: true,
      toolsListed: 13,
    },
  },
  {
    name: "mcp-everything-sse",
    product: "mcp",
    port: 3002,
    argv: [EVERYTHING, "sse"],
    expect: { transport: "sse", auth: "not-required" },
  },
  {
    name: "mcp-sdk-stateless",
    product: "mcp",
    port: 3003,
    argv: ["stateless.mjs"],
    expect: {
      transport: "streamable-http",
      auth: "not-required",
      serverName: "clawpatrol-zoo-stateless",
      version: "0.3.1",
      stateful: false,
      toolsListed: 1,
    },
  },
  {
    name: "mcp-sdk-bearer",
    product: "mcp",
    port: 3004,
    argv: ["bearer.mjs"],
    env: { PUBLIC_URL: `http://${zooAddress()}:3004/mcp` },
    expect: { transport: "streamable-http", auth: "required" },
  },
];

export function cacheRoot(): string {
  return (
    process.env.CLAWPATROL_TEST_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "clawpatrol-test")
  );
}

/** Installs the pinned packages once (about 10 s); returns the directory, or why it could not. */
export function installMcp(): { dir: string } | { error: string } {
  const dir = join(cacheRoot(), `mcp-everything-${MCP_EVERYTHING.version}`);
  if (!existsSync(join(dir, EVERYTHING))) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(
      "npm",
      [
        "install",
        "--prefix",
        dir,
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        `${MCP_EVERYTHING.pkg}@${MCP_EVERYTHING.version}`,
      ],
      { encoding: "utf8", timeout: 300_000 },
    );
    if (r.status !== 0 || !existsSync(join(dir, EVERYTHING)))
      return {
        error: `npm install ${MCP_EVERYTHING.pkg}@${MCP_EVERYTHING.version} failed: ${(r.stderr ?? "").trim().split("\n").pop()}`,
      };
  }
  for (const f of ["stateless.mjs", "bearer.mjs"])
    copyFileSync(join(REPO_ROOT, "test/products/mcp", f), join(dir, f));
  return { dir };
}

/** Why the zoo cannot run here, or null. */
export function productZooUnavailable(): string | null {
  return netnsUnavailable();
}

export interface RunningZoo {
  pair: NsPair;
  address: string;
  stop(): void;
}

/** Starts every instance in a fresh namespace pair and waits until each port answers. */
export async function startProductZoo(dir: string, instances = PRODUCT_ZOO): Promise<RunningZoo> {
  const pair = createPair("cpprod", ZOO_SUBNET);
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) c.kill("SIGKILL");
    destroyPair(pair);
  };
  try {
    for (const z of instances) {
      const child = spawn("ip", ["netns", "exec", pair.gw, process.execPath, ...z.argv], {
        cwd: dir,
        env: { ...process.env, PORT: String(z.port), ...z.env },
        stdio: "ignore",
      });
      children.push(child);
    }
    const deadline = Date.now() + 30_000;
    for (const z of instances) {
      while (!canConnect(pair.scan, pair.gwAddr, z.port, 500)) {
        if (Date.now() > deadline) throw new Error(`${z.name} did not listen on ${z.port} within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { pair, address: pair.gwAddr, stop };
}

/** Runs the CLI inside the scanner's namespace. */
export function clawpatrolInScanNs(
  pair: NsPair,
  args: string[],
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(
    "ip",
    ["netns", "exec", pair.scan, process.execPath, join(REPO_ROOT, "bin/clawpatrol.mjs"), ...args],
    {
      encoding: "utf8",
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
