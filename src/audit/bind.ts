// The effective listen addresses and auth mode of a gateway, by version. OpenClaw's
// bind modes changed meaning across releases (reference §1.2); the same config can be
// loopback-only on one build and all-interfaces on another, so we decide per version.

import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { compareVersions, isCalVer } from "../advisories/calver.ts";
import { getBool, getObject, getPath, getString, isObject, type LoadedConfig } from "./config.ts";
import { derivedSidePorts } from "./side-ports.ts";
import type { EffectiveGateway, Product, ServiceDef } from "./types.ts";

export const DEFAULT_PORT = 18789;

/** Version at or after `v`? Unknown versions count as the newest (and callers say so). */
export function atLeast(version: string | null, v: string): boolean {
  if (!version || !isCalVer(version)) return true;
  return compareVersions(version, v) >= 0;
}

export function before(version: string | null, v: string): boolean {
  if (!version || !isCalVer(version)) return false;
  return compareVersions(version, v) < 0;
}

/** Same signals OpenClaw uses to decide it runs in a container (2026.4+). */
export function detectContainer(root = "/"): boolean {
  for (const f of [".dockerenv", "run/.containerenv", "var/run/.containerenv"]) {
    if (existsSync(`${root}${f}`)) return true;
  }
  try {
    const cg = readFileSync(`${root}proc/1/cgroup`, "utf8");
    return /\/docker\/|cri-containerd-[0-9a-f]|containerd\/[0-9a-f]{64}|\/kubepods[/.]|\blxc\b/.test(cg);
  } catch {
    return false;
  }
}

/** A Tailscale address of this host (100.64.0.0/10), if any. */
export function tailnetIPv4(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== "IPv4") continue;
      const [o1, o2] = a.address.split(".").map(Number);
      if (o1 === 100 && o2 !== undefined && o2 >= 64 && o2 < 128) return a.address;
    }
  }
  return null;
}

export function isLoopbackAddress(addr: string): boolean {
  const a = addr.replace(/^\[|\]$/g, "").toLowerCase();
  return a.startsWith("127.") || a === "::1" || a === "localhost" || a.startsWith("::ffff:127.");
}

function validIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export interface BindInput {
  version: string | null;
  product: Product;
  bind: string | undefined;
  customBindHost: string | undefined;
  tailscaleMode: string;
  inContainer: boolean;
  tailnetIp: string | null;
}

export interface BindResult {
  mode: string;
  hosts: string[];
  note: string | null;
}

/** Resolve listen addresses per version (reference §1.2, confirmed against the installed builds). */
export function resolveBind(input: BindInput): BindResult {
  const v = input.version;
  const unknownNote = v && isCalVer(v) ? null : "version unknown: using the newest bind rules";
  let mode = input.bind;
  let note: string | null = unknownNote;
  if (mode === undefined || mode === "") {
    // 2026.4+ defaults to auto inside a container unless Tailscale serve/funnel is on.
    if (atLeast(v, "2026.4.1") && input.inContainer && input.tailscaleMode === "off") {
      mode = "auto";
      note = "gateway.bind is unset and the gateway runs in a container, where the default is auto (0.0.0.0)";
    } else mode = "loopback";
  }
  const loop = ["127.0.0.1", "::1"];
  const oldest = before(v, "2026.1.12");
  const middle = !oldest && before(v, "2026.1.21");
  switch (mode) {
    case "loopback":
      return { mode, hosts: loop, note };
    case "lan":
      return { mode, hosts: ["0.0.0.0"], note };
    case "tailnet":
      if (middle)
        return {
          mode,
          hosts: ["0.0.0.0"],
          note: "tailnet is not a valid mode on this version: it falls through to 0.0.0.0",
        };
      if (input.tailnetIp) return { mode, hosts: [input.tailnetIp, "127.0.0.1"], note };
      if (oldest) return { mode, hosts: [], note: "no tailnet address: this version refuses to start" };
      return { mode, hosts: ["127.0.0.1"], note: note ?? "no tailnet address: falls back to loopback" };
    case "custom": {
      if (oldest) return { mode, hosts: ["0.0.0.0"], note: "custom is not available on this version" };
      const host = input.customBindHost?.trim() ?? "";
      if (!host || !validIPv4(host)) {
        return {
          mode,
          hosts: ["0.0.0.0"],
          note: "custom bind without a valid IPv4 customBindHost falls back to 0.0.0.0",
        };
      }
      const hosts = [host];
      if (atLeast(v, "2026.9.1") && host !== "127.0.0.1" && host !== "0.0.0.0") hosts.push("127.0.0.1");
      return { mode, hosts, note };
    }
    case "auto":
      if (before(v, "2026.1.21")) {
        return input.tailnetIp
          ? { mode, hosts: [input.tailnetIp], note }
          : { mode, hosts: ["0.0.0.0"], note: "auto on this version means tailnet address, else 0.0.0.0" };
      }
      if (input.inContainer)
        return { mode, hosts: ["0.0.0.0"], note: note ?? "auto inside a container binds 0.0.0.0" };
      return { mode, hosts: ["127.0.0.1"], note };
    default:
      return {
        mode,
        hosts: ["0.0.0.0"],
        note: `unknown bind mode "${mode}": the resolver falls through to 0.0.0.0`,
      };
  }
}

export function isSecretRef(v: unknown): boolean {
  return isObject(v) && typeof v.source === "string" && ("id" in v || "provider" in v);
}

/** Env var names a version reads for the gateway token/password/port. */
export function envNames(
  product: Product,
  version: string | null,
): {
  token: string[];
  password: string[];
  port: string[];
} {
  if (product === "clawdbot" || before(version, "2026.1.27")) {
    return {
      token: ["CLAWDBOT_GATEWAY_TOKEN"],
      password: ["CLAWDBOT_GATEWAY_PASSWORD"],
      port: ["CLAWDBOT_GATEWAY_PORT"],
    };
  }
  if (product === "moltbot" || before(version, "2026.1.29")) {
    return {
      token: ["MOLTBOT_GATEWAY_TOKEN", "CLAWDBOT_GATEWAY_TOKEN"],
      password: ["MOLTBOT_GATEWAY_PASSWORD", "CLAWDBOT_GATEWAY_PASSWORD"],
      port: ["MOLTBOT_GATEWAY_PORT", "CLAWDBOT_GATEWAY_PORT"],
    };
  }
  // 2026.5.28 logs that legacy CLAWDBOT_*/MOLTBOT_* variables are ignored.
  if (before(version, "2026.5.1")) {
    return {
      token: ["OPENCLAW_GATEWAY_TOKEN", "CLAWDBOT_GATEWAY_TOKEN"],
      password: ["OPENCLAW_GATEWAY_PASSWORD", "CLAWDBOT_GATEWAY_PASSWORD"],
      port: ["OPENCLAW_GATEWAY_PORT", "CLAWDBOT_GATEWAY_PORT"],
    };
  }
  return {
    token: ["OPENCLAW_GATEWAY_TOKEN"],
    password: ["OPENCLAW_GATEWAY_PASSWORD"],
    port: ["OPENCLAW_GATEWAY_PORT"],
  };
}

function firstEnv(
  env: Record<string, string | undefined>,
  names: string[],
): { name: string; value: string } | null {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== "") return { name: n, value: v };
  }
  return null;
}

export interface GatewayInput {
  config: LoadedConfig;
  product: Product;
  version: string | null;
  env: Record<string, string | undefined>;
  services: ServiceDef[];
  inContainer: boolean;
  tailnetIp: string | null;
}

/** Everything the checks need to know about how this gateway would run. */
export function effectiveGateway(input: GatewayInput): EffectiveGateway {
  const cfg = input.config.effective;
  const { product, version, env } = input;
  const names = envNames(product, version);
  const flags =
    input.services.find((s) => s.kind !== "compose" && Object.keys(s.flags).length > 0)?.flags ?? {};

  // port: --port > env > gateway.port > default
  let port = DEFAULT_PORT;
  let portSource = "default";
  const cfgPort = getPath(cfg, ["gateway", "port"]);
  if (typeof cfgPort === "number" && Number.isInteger(cfgPort)) {
    port = cfgPort;
    portSource = "gateway.port";
  }
  const envPort = firstEnv(env, names.port);
  if (envPort && /^\d+$/.test(envPort.value.trim())) {
    port = Number(envPort.value.trim());
    portSource = envPort.name;
  }
  if (flags.port) {
    port = flags.port;
    portSource = "--port";
  }

  const tailscaleMode = getString(cfg, "gateway.tailscale.mode") ?? "off";
  let bindRaw = getString(cfg, "gateway.bind");
  let bindSource = bindRaw === undefined ? "default" : "gateway.bind";
  if (flags.bind) {
    bindRaw = flags.bind;
    bindSource = "--bind";
  }
  const bind = resolveBind({
    version,
    product,
    bind: bindRaw,
    customBindHost: getString(cfg, "gateway.customBindHost"),
    tailscaleMode,
    inContainer: input.inContainer,
    tailnetIp: input.tailnetIp,
  });

  // auth
  const auth = getObject(cfg, "gateway.auth") ?? {};
  const tokenRaw = auth.token;
  const passwordRaw = auth.password;
  const tokenUnresolved = input.config.unresolvedEnv.includes("gateway.auth.token");
  const passwordUnresolved = input.config.unresolvedEnv.includes("gateway.auth.password");
  let token: string | null =
    typeof tokenRaw === "string" && tokenRaw.trim() && !tokenUnresolved ? tokenRaw : null;
  let password: string | null =
    typeof passwordRaw === "string" && passwordRaw.trim() && !passwordUnresolved ? passwordRaw : null;
  let secretSource: EffectiveGateway["secretSource"] = "none";
  if (token || password) secretSource = "config";
  else if (isSecretRef(tokenRaw) || isSecretRef(passwordRaw)) secretSource = "secretref";
  if (!token && !isSecretRef(tokenRaw)) {
    const e = firstEnv(env, names.token);
    if (e) {
      token = e.value;
      if (secretSource === "none") secretSource = "env";
    }
  }
  if (!password && !isSecretRef(passwordRaw)) {
    const e = firstEnv(env, names.password);
    if (e) {
      password = e.value;
      if (secretSource === "none") secretSource = "env";
    }
  }
  if (flags.token || flags.password) secretSource = secretSource === "none" ? "env" : secretSource;

  const explicitMode = typeof auth.mode === "string" ? auth.mode : (flags.auth ?? undefined);
  let authMode: EffectiveGateway["authMode"];
  let authModeSource =
    explicitMode !== undefined ? (flags.auth ? "--auth" : "gateway.auth.mode") : "inferred";
  if (
    explicitMode === "none" ||
    explicitMode === "token" ||
    explicitMode === "password" ||
    explicitMode === "trusted-proxy"
  ) {
    authMode = explicitMode;
  } else if ((password || isSecretRef(passwordRaw)) && !token && !isSecretRef(tokenRaw)) {
    // a password alone (plaintext, env or SecretRef) means password mode, as OpenClaw infers it
    authMode = "password";
  } else if (token || secretSource === "secretref") authMode = "token";
  else if (before(version, "2026.1.29") || product === "clawdbot" || product === "moltbot") {
    // Before 2026.1.29 no token/password meant no auth at all.
    authMode = "none";
    authModeSource = "no token or password configured (implicit on this version)";
  } else authMode = "token";

  let hasSecret =
    authMode === "token"
      ? Boolean(token) || isSecretRef(tokenRaw) || Boolean(flags.token)
      : authMode === "password"
        ? Boolean(password) || isSecretRef(passwordRaw) || Boolean(flags.password)
        : false;
  if (
    authMode === "token" &&
    !hasSecret &&
    atLeast(version, "2026.2.19") &&
    !bind.hosts.some((h) => !isLoopbackAddress(h))
  ) {
    // newer builds mint an ephemeral runtime token instead of running open
    secretSource = "generated-at-runtime";
    hasSecret = true;
  }

  const exposed = bind.hosts.some((h) => !isLoopbackAddress(h));
  // the ports each release derives from the gateway port (2026.9.6: extension relay at +10)
  const sidePorts =
    derivedSidePorts(port, version, { browserEnabled: getBool(cfg, "browser.enabled") !== false }) ?? [];

  return {
    port,
    portSource,
    bindMode: bind.mode,
    bindSource,
    hosts: bind.hosts,
    exposed,
    bindNote: bind.note,
    authMode,
    authModeSource,
    hasSecret,
    secretSource,
    token,
    password,
    controlUiEnabled: getBool(cfg, "gateway.controlUi.enabled") !== false,
    tailscaleMode,
    sidePorts,
    inContainer: input.inContainer,
  };
}
