// Compose files: the services that look like a gateway, with the ports they publish and where.
import { createRequire } from "node:module";
import type { ServiceDef } from "../types.ts";
import { NAME_RE } from "./installs.ts";
import { flagsFromArgs, splitCommand } from "./service-files.ts";

const GATEWAY_PORTS = new Set([18789, 18790, 18791, 18792, 18793]);

type YamlModule = typeof import("yaml");
let yamlModule: YamlModule | null = null;

/** yaml is only loaded when a compose file is actually found (it costs ~20 ms to import). */
function yaml(): YamlModule {
  yamlModule ??= createRequire(import.meta.url)("yaml") as YamlModule;
  return yamlModule;
}

/** Parse a compose file; returns a ServiceDef per gateway-looking service. */
export function parseCompose(path: string, text: string): ServiceDef[] {
  const { LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  let doc: ReturnType<YamlModule["parseDocument"]>;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  } catch {
    return [];
  }
  const services = doc.get("services", true) as
    | { items?: { key: { value?: unknown }; value: unknown }[] }
    | undefined;
  const out: ServiceDef[] = [];
  for (const item of services?.items ?? []) {
    const svc = item.value as
      | { get?: (k: string, keep?: boolean) => unknown; toJSON?: () => unknown }
      | undefined;
    if (!svc || typeof svc.toJSON !== "function") continue;
    const js = svc.toJSON() as Record<string, unknown>;
    const image = typeof js.image === "string" ? js.image : "";
    const envRaw = js.environment;
    const env: Record<string, string> = {};
    if (Array.isArray(envRaw)) {
      for (const e of envRaw) {
        if (typeof e === "string" && e.includes("="))
          env[e.slice(0, e.indexOf("="))] = e.slice(e.indexOf("=") + 1);
      }
    } else if (envRaw && typeof envRaw === "object") {
      for (const [k, v] of Object.entries(envRaw)) env[k] = v === null ? "" : String(v);
    }
    const command = Array.isArray(js.command)
      ? js.command.map(String)
      : typeof js.command === "string"
        ? splitCommand(js.command)
        : [];
    const looksLikeGateway =
      NAME_RE.test(image) ||
      Object.keys(env).some((k) => /^(OPENCLAW|CLAWDBOT|MOLTBOT)_/.test(k)) ||
      command.some((c) => NAME_RE.test(c));
    const published: ServiceDef["published"] = [];
    const portsNode = svc.get?.("ports", true) as
      | { items?: { range?: [number, number, number]; toJSON?: () => unknown; value?: unknown }[] }
      | undefined;
    for (const p of portsNode?.items ?? []) {
      const line = p.range ? lc.linePos(p.range[0]).line : 0;
      const val = typeof p.toJSON === "function" ? p.toJSON() : p.value;
      for (const pub of parsePortSpec(val)) {
        if (looksLikeGateway || GATEWAY_PORTS.has(pub.containerPort)) published.push({ ...pub, line });
      }
    }
    if (!looksLikeGateway && published.length === 0) continue;
    const envPort = Number(env.OPENCLAW_GATEWAY_PORT ?? "");
    const flags = flagsFromArgs(command);
    if (!flags.bind && env.OPENCLAW_GATEWAY_BIND) flags.bind = env.OPENCLAW_GATEWAY_BIND;
    if (!flags.port && Number.isInteger(envPort) && envPort > 0) flags.port = envPort;
    const keyLine = (item as { key: { range?: [number, number, number] } }).key.range;
    out.push({
      kind: "compose",
      path,
      env,
      envFiles: [],
      flags,
      published,
      packageDir: null,
      line: keyLine ? lc.linePos(keyLine[0]).line : 0,
    });
  }
  return out;
}

/** Short or long compose port syntax → publications (host side). */
export function parsePortSpec(v: unknown): { hostIp: string; hostPort: number; containerPort: number }[] {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const target = Number(o.target);
    const published = Number(o.published ?? o.target);
    if (!Number.isInteger(target)) return [];
    return [
      {
        hostIp: typeof o.host_ip === "string" ? o.host_ip : "0.0.0.0",
        hostPort: published,
        containerPort: target,
      },
    ];
  }
  if (typeof v !== "string" && typeof v !== "number") return [];
  let s = String(v).replace(/\/(tcp|udp)$/, "");
  let hostIp = "0.0.0.0";
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (v6) {
    hostIp = v6[1]!;
    s = v6[2]!;
  }
  const parts = s.split(":");
  if (parts.length === 3) {
    hostIp = parts[0]!;
    parts.shift();
  }
  const range = (r: string) => {
    const [a, b] = r.split("-").map(Number);
    if (!Number.isInteger(a)) return [] as number[];
    const end = Number.isInteger(b) ? b! : a!;
    const out: number[] = [];
    for (let x = a!; x <= end && out.length < 200; x++) out.push(x);
    return out;
  };
  if (parts.length === 1) {
    // container port only: Docker picks a random host port on all interfaces
    return range(parts[0]!).map((p) => ({ hostIp, hostPort: 0, containerPort: p }));
  }
  const hosts = range(parts[0]!);
  const conts = range(parts[1]!);
  return conts.map((c, i) => ({ hostIp, hostPort: hosts[i] ?? hosts[0] ?? 0, containerPort: c }));
}
