// Two network namespaces joined by a veth with 198.18.1.x addresses (the reserved
// benchmarking range), created directly inside the namespaces so the root namespace is
// never touched. Used by the firewall and fix live tests; always removed afterwards.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export interface NsPair {
  gw: string;
  scan: string;
  gwAddr: string;
  scanAddr: string;
}

function ip(args: string[]): { status: number; stderr: string } {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 15_000 });
  return { status: r.status ?? 1, stderr: r.stderr ?? "" };
}

/** Why namespaces cannot be used here, or null. */
export function netnsUnavailable(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "not root";
  if (!existsSync("/usr/sbin/ip") && !existsSync("/sbin/ip") && !existsSync("/usr/bin/ip"))
    return "`ip` (iproute2) missing";
  const probe = `cpprobe-${process.pid}`;
  const r = ip(["netns", "add", probe]);
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  ip(["netns", "del", probe]);
  return null;
}

export function createPair(tag: string, subnet = 1): NsPair {
  const id = `${tag}-${process.pid}`;
  const pair: NsPair = {
    gw: `${id}-gw`,
    scan: `${id}-sc`,
    gwAddr: `198.18.${subnet}.1`,
    scanAddr: `198.18.${subnet}.2`,
  };
  const steps: string[][] = [
    ["netns", "add", pair.gw],
    ["netns", "add", pair.scan],
    ["-n", pair.gw, "link", "add", "cpveth0", "type", "veth", "peer", "name", "cpveth1", "netns", pair.scan],
    ["-n", pair.gw, "addr", "add", `${pair.gwAddr}/24`, "dev", "cpveth0"],
    ["-n", pair.scan, "addr", "add", `${pair.scanAddr}/24`, "dev", "cpveth1"],
    ["-n", pair.gw, "link", "set", "cpveth0", "up"],
    ["-n", pair.scan, "link", "set", "cpveth1", "up"],
    ["-n", pair.gw, "link", "set", "lo", "up"],
    ["-n", pair.scan, "link", "set", "lo", "up"],
  ];
  for (const s of steps) {
    const r = ip(s);
    if (r.status !== 0) {
      destroyPair(pair);
      throw new Error(`ip ${s.join(" ")}: ${r.stderr.trim()}`);
    }
  }
  return pair;
}

export function destroyPair(pair: NsPair): void {
  for (const ns of [pair.gw, pair.scan]) {
    // anything still inside was started by the test that created the namespace
    killAllIn(ns);
    ip(["netns", "del", ns]);
  }
}

/** A plain TCP listener inside a namespace. */
export function listen(ns: string, host: string, port: number): Promise<ChildProcess> {
  const code = `require("node:net").createServer((s)=>{s.on("error",()=>{});s.end("hi\\n")}).listen(${port}, ${JSON.stringify(host)}, ()=>console.log("up"))`;
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", () => resolve(child));
    child.once("exit", (c) => reject(new Error(`listener exited ${c}`)));
  });
}

/** Can `ns` open a TCP connection to host:port? Only ever namespace-local or 198.18.x addresses. */
export function canConnect(ns: string, host: string, port: number, timeoutMs = 1500): boolean {
  if (!/^(127\.|198\.18\.|::1$)/.test(host))
    throw new Error(`refusing to connect to ${host}: not loopback or a test namespace address`);
  const code = `const s=require("node:net").connect({host:${JSON.stringify(host)},port:${port}});s.setTimeout(${timeoutMs},()=>{console.log("timeout");process.exit(0)});s.on("connect",()=>{console.log("open");process.exit(0)});s.on("error",(e)=>{console.log("error "+e.code);process.exit(0)})`;
  const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, "-e", code], {
    encoding: "utf8",
    timeout: timeoutMs + 5000,
  });
  return (r.stdout ?? "").trim() === "open";
}

/** Processes still inside a namespace we created (ours by construction). */
export function killAllIn(ns: string): void {
  const r = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" });
  for (const p of (r.stdout ?? "").split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(p), "SIGKILL");
    } catch {
      // already gone
    }
  }
}
