// What is listening right now. On Linux we read /proc/net/tcp{,6} (our own network
// namespace) and /proc/<pid>/net/tcp{,6} of each gateway process (its namespace, which
// may differ), and map socket inodes to processes through /proc/<pid>/fd. Elsewhere we
// parse `lsof` or `netstat`. The optional probe connects only to this host's own
// addresses, to confirm that a wildcard listener answers on them.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { compareText } from "../util/text.ts";
import { processInstall } from "./attribution.ts";
import type { GatewayProcess, ListeningSocket, LiveState, ProcessInstall } from "./types.ts";

const LISTEN = "0A";

function hexToIPv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join(".");
}

function hexToIPv6(hex: string): string {
  // four 32-bit words, each in host (little-endian) byte order
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const bytes = hex
      .slice(w * 8, w * 8 + 8)
      .match(/../g)!
      .reverse()
      .join("");
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  if (groups.slice(0, 5).every((g) => g === "0000") && groups[5]!.toLowerCase() === "ffff") {
    return `::ffff:${hexToIPv4(hex.slice(24, 32))}`;
  }
  // URL parsing gives the canonical compressed form
  return new URL(`http://[${groups.join(":")}]/`).hostname.replace(/^\[|\]$/g, "");
}

export interface ProcNetEntry {
  proto: "tcp" | "tcp6";
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  state: string;
  inode: number;
}

/** Parse the text of /proc/net/tcp or tcp6. */
export function parseProcNet(text: string, proto: "tcp" | "tcp6"): ProcNetEntry[] {
  const out: ProcNetEntry[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [la, lp] = f[1]!.split(":");
    const [ra, rp] = f[2]!.split(":");
    if (!la || !lp || !ra || !rp) continue;
    const conv = proto === "tcp" ? hexToIPv4 : hexToIPv6;
    out.push({
      proto,
      local: conv(la),
      localPort: Number.parseInt(lp, 16),
      remote: conv(ra),
      remotePort: Number.parseInt(rp, 16),
      state: f[3]!,
      inode: Number(f[9]),
    });
  }
  return out;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function socketInodes(pid: number, procRoot: string): Set<number> {
  const set = new Set<number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(join(procRoot, String(pid), "fd"));
  } catch {
    return set;
  }
  for (const fd of fds) {
    try {
      const l = readlinkSync(join(procRoot, String(pid), "fd", fd));
      const m = /^socket:\[(\d+)\]$/.exec(l);
      if (m) set.add(Number(m[1]));
    } catch {
      // fd closed meanwhile
    }
  }
  return set;
}

function cmdlineOf(pid: number, procRoot: string): string[] {
  try {
    return readFileSync(join(procRoot, String(pid), "cmdline"))
      .toString("utf8")
      .split("\0")
      .filter(Boolean);
  } catch {
    return [];
  }
}

function environOf(pid: number, procRoot: string): Record<string, string> {
  const env: Record<string, string> = {};
  try {
    for (const e of readFileSync(join(procRoot, String(pid), "environ"))
      .toString("utf8")
      .split("\0")) {
      const eq = e.indexOf("=");
      if (eq > 0) env[e.slice(0, eq)] = e.slice(eq + 1);
    }
  } catch {
    // gone, or another user's process
  }
  return env;
}

function cwdOf(pid: number, procRoot: string): string | null {
  try {
    return readlinkSync(join(procRoot, String(pid), "cwd"));
  } catch {
    return null;
  }
}

function netnsOf(pid: number | "self", procRoot: string): string | null {
  try {
    return readlinkSync(join(procRoot, String(pid), "ns/net"));
  } catch {
    return null;
  }
}

export interface LiveOptions {
  procRoot?: string;
  /** Ports worth naming an owner for (gateway + side ports). */
  interestingPorts: Set<number>;
  gatewayProcesses: GatewayProcess[];
  probe?: boolean;
  probeTimeoutMs?: number;
}

/** Established connections of a pid's namespace, for relay detection. */
export interface Connection {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  inode: number;
  netns: string | null;
}

export interface LiveScan extends LiveState {
  connections: Connection[];
}

function linuxSockets(opts: LiveOptions): { sockets: ListeningSocket[]; connections: Connection[] } | null {
  const procRoot = opts.procRoot ?? "/proc";
  const own = read(join(procRoot, "net/tcp"));
  if (own === null) return null;
  const byNs = new Map<string, { entries: ProcNetEntry[]; viaPid: number | null }>();
  const selfNs = netnsOf("self", procRoot) ?? "self";
  byNs.set(selfNs, {
    entries: [...parseProcNet(own, "tcp"), ...parseProcNet(read(join(procRoot, "net/tcp6")) ?? "", "tcp6")],
    viaPid: null,
  });
  for (const p of opts.gatewayProcesses) {
    const ns = netnsOf(p.pid, procRoot);
    if (!ns || byNs.has(ns)) continue;
    const t4 = read(join(procRoot, String(p.pid), "net/tcp"));
    if (t4 === null) continue;
    const t6 = read(join(procRoot, String(p.pid), "net/tcp6")) ?? "";
    byNs.set(ns, { entries: [...parseProcNet(t4, "tcp"), ...parseProcNet(t6, "tcp6")], viaPid: p.pid });
  }
  // inode → pid: gateway processes first, then (only if needed) every process
  const owner = new Map<number, number>();
  for (const p of opts.gatewayProcesses)
    for (const ino of socketInodes(p.pid, procRoot)) owner.set(ino, p.pid);
  const wanted = new Set<number>();
  for (const { entries } of byNs.values()) {
    for (const e of entries) {
      if (e.state === LISTEN && opts.interestingPorts.has(e.localPort) && !owner.has(e.inode))
        wanted.add(e.inode);
      if (e.state === LISTEN && !owner.has(e.inode) && !isLoopbackish(e.local)) wanted.add(e.inode);
    }
  }
  if (wanted.size > 0) {
    let pids: string[] = [];
    try {
      pids = readdirSync(procRoot).filter((d) => /^\d+$/.test(d));
    } catch {
      pids = [];
    }
    for (const d of pids.slice(0, 5000)) {
      for (const ino of socketInodes(Number(d), procRoot)) {
        if (wanted.has(ino)) {
          owner.set(ino, Number(d));
          wanted.delete(ino);
        }
      }
      if (wanted.size === 0) break;
    }
  }
  const sockets: ListeningSocket[] = [];
  const connections: Connection[] = [];
  const cmdCache = new Map<number, string[]>();
  const installCache = new Map<number, ProcessInstall | null>();
  for (const [ns, { entries }] of byNs) {
    for (const e of entries) {
      if (e.state === LISTEN) {
        const pid = owner.get(e.inode) ?? null;
        let cmd: string[] | undefined;
        let install: ProcessInstall | null = null;
        if (pid !== null) {
          cmd = cmdCache.get(pid) ?? cmdlineOf(pid, procRoot);
          cmdCache.set(pid, cmd);
          // only the install paths are kept: the rest of an environment may hold secrets
          if (!installCache.has(pid))
            installCache.set(pid, processInstall(cmd, environOf(pid, procRoot), cwdOf(pid, procRoot)));
          install = installCache.get(pid) ?? null;
        }
        sockets.push({
          proto: e.proto,
          address: e.local,
          port: e.localPort,
          inode: e.inode,
          pid,
          process: cmd?.[0]?.trim().split(/\s+/)[0] ?? null,
          ...(cmd ? { cmdline: cmd } : {}),
          netns: ns === selfNs ? null : ns,
          ...(install ? { owner: install } : {}),
        });
      } else if (e.state === "01") {
        connections.push({
          local: e.local,
          localPort: e.localPort,
          remote: e.remote,
          remotePort: e.remotePort,
          inode: e.inode,
          netns: ns === selfNs ? null : ns,
        });
      }
    }
  }
  return { sockets, connections };
}

function isLoopbackish(a: string): boolean {
  return a.startsWith("127.") || a === "::1" || a.startsWith("::ffff:127.");
}

/** Parse `lsof -nP -iTCP -sTCP:LISTEN` output (macOS and others). */
export function parseLsof(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 9) continue;
    const name = f
      .slice(8)
      .join(" ")
      .replace(/\s*\(LISTEN\)$/, "");
    const m = /^(.*):(\d+)$/.exec(name);
    if (!m) continue;
    let addr = m[1]!.replace(/^\[|\]$/g, "");
    if (addr === "*") addr = f[4] === "IPv6" ? "::" : "0.0.0.0";
    out.push({
      proto: f[4] === "IPv6" ? "tcp6" : "tcp",
      address: addr,
      port: Number(m[2]),
      inode: 0,
      pid: Number(f[1]) || null,
      process: f[0] ?? null,
    });
  }
  return out;
}

/** Parse `netstat -ano` (Windows) / `netstat -an` listening TCP lines. */
export function parseNetstat(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !/^tcp/i.test(f[0]!) || !/LISTEN/i.test(line)) continue;
    const local = f[1]!.includes(":") || f[1]!.includes(".") ? f[1]! : f[3]!;
    const m = /^(.*)[:.](\d+)$/.exec(local);
    if (!m) continue;
    let addr = m[1]!.replace(/^\[|\]$/g, "");
    if (addr === "*") addr = "0.0.0.0";
    const pidField = f[f.length - 1]!;
    out.push({
      proto: addr.includes(":") ? "tcp6" : "tcp",
      address: addr,
      port: Number(m[2]),
      inode: 0,
      pid: /^\d+$/.test(pidField) ? Number(pidField) : null,
      process: null,
    });
  }
  return out;
}

export function localAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) out.push(a.address);
  }
  return out;
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

export async function scanLive(opts: LiveOptions): Promise<LiveScan> {
  let sockets: ListeningSocket[] = [];
  let connections: Connection[] = [];
  let source = "none";
  const linux = process.platform === "linux" ? linuxSockets(opts) : null;
  if (linux) {
    sockets = linux.sockets;
    connections = linux.connections;
    source = "/proc/net";
  } else {
    try {
      const text = execFileSync("lsof", ["-nP", "-iTCP", "-sTCP:LISTEN"], {
        encoding: "utf8",
        timeout: 5000,
        stdio: ["ignore", "pipe", "ignore"],
      });
      sockets = parseLsof(text);
      source = "lsof";
    } catch {
      try {
        const text = execFileSync("netstat", process.platform === "win32" ? ["-ano"] : ["-an"], {
          encoding: "utf8",
          timeout: 5000,
          stdio: ["ignore", "pipe", "ignore"],
        });
        sockets = parseNetstat(text);
        source = "netstat";
      } catch {
        source = "none";
      }
    }
  }
  const addrs = localAddresses();
  const probes: LiveState["probes"] = [];
  if (opts.probe) {
    const ports = [
      ...new Set(sockets.filter((s) => opts.interestingPorts.has(s.port) && !s.netns).map((s) => s.port)),
    ];
    const jobs: Promise<void>[] = [];
    for (const port of ports) {
      for (const address of addrs) {
        // only this host's own addresses (from its interfaces) are ever contacted
        jobs.push(
          tryConnect(address, port, opts.probeTimeoutMs ?? 800).then((reachable) => {
            probes.push({ address, port, reachable });
          }),
        );
      }
    }
    await Promise.all(jobs);
    probes.sort((a, b) => a.port - b.port || compareText(a.address, b.address));
  }
  return { sockets, source, localAddresses: addrs, probes, connections };
}
