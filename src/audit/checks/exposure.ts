// What OpenClaw's own audit cannot see: the sockets open right now, relays and reverse
// proxies that make remote clients look local, Docker publications on all interfaces,
// container default binds, and mDNS advertising that the config does not show.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Severity } from "../../findings/model.ts";
import { attributeSocket } from "../attribution.ts";
import { before, isLoopbackAddress } from "../bind.ts";
import { getArray, getString } from "../config.ts";
import type { AuditCheck, AuditFinding, CheckContext, ListeningSocket, SocketAttribution } from "../types.ts";
import { fileEvidence, keyEvidence, mk } from "./util.ts";

type Owned = ListeningSocket & { attribution: SocketAttribution };

/** Sockets on `port` that belong to this install (see attribution.ts), each with how that is known. */
function ownSockets(ctx: CheckContext, port: number): Owned[] {
  const out: Owned[] = [];
  for (const s of ctx.live.sockets) {
    if (s.port !== port) continue;
    const attribution = attributeSocket(ctx, s);
    if (attribution) out.push({ ...s, attribution });
  }
  return out;
}

/** One step less severe: what a finding owes its reader when it rests on a guess. */
const LOWER: Record<Severity, Severity> = {
  critical: "high",
  high: "medium",
  medium: "low",
  low: "low",
  info: "info",
};
const UNPROVEN = " (matched by port only)";

const sockText = (s: ListeningSocket) =>
  `${s.proto} ${s.address.includes(":") ? `[${s.address}]` : s.address}:${s.port}${s.pid ? ` pid ${s.pid}${s.process ? ` (${s.process})` : ""}` : ""}${s.netns ? ` in ${s.netns}` : ""}`;

const liveExposure: AuditCheck = {
  id: "CP-AUDIT-100",
  openclawCheckId: null,
  title: "The running gateway listens beyond loopback",
  group: "exposure",
  run(ctx) {
    const out: AuditFinding[] = [];
    const running = ctx.target.processes.length > 0;
    const socks = ownSockets(ctx, ctx.gw.port);
    const open = socks.filter((s) => !isLoopbackAddress(s.address));
    const noAuth = !ctx.gw.hasSecret && ctx.gw.authMode !== "trusted-proxy";
    if (open.length > 0) {
      const proven = open.some((s) => s.attribution.proven);
      const probes = ctx.live.probes.filter((p) => p.port === ctx.gw.port && p.reachable);
      const evidence = open.map((s) => ({
        source: "socket",
        detail: `Listening on ${sockText(s)}; ${s.attribution.how}`,
        excerpt: sockText(s),
        location: ctx.live.source,
      }));
      if (probes.length > 0) {
        evidence.push({
          source: "probe",
          detail: `Connected to ${probes.map((p) => `${p.address}:${p.port}`).join(", ")} from this host`,
          excerpt: probes.map((p) => `${p.address}:${p.port} reachable`).join("\n"),
          location: "tcp connect",
        });
      }
      out.push(
        mk(ctx, {
          ruleId: this.id,
          openclawCheckId: null,
          severity: proven ? (noAuth ? "critical" : "high") : LOWER[noAuth ? "critical" : "high"],
          title: `${noAuth ? "Gateway is listening on all interfaces without auth right now" : this.title}${proven ? "" : UNPROVEN}`,
          group: this.group,
          asset: `${open[0]!.address}:${ctx.gw.port}`,
          evidence,
          remediation:
            "Bind to loopback (`clawpatrol fix`), and block the port for everything but loopback (`clawpatrol firewall`). Reach it remotely through an SSH tunnel or Tailscale Serve instead.",
          fixes: ["bind-loopback"],
        }),
      );
      if (!ctx.gw.exposed && running && proven) {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-103",
            openclawCheckId: null,
            severity: "high",
            title: "The running gateway does not match its config",
            group: this.group,
            asset: `${open[0]!.address}:${ctx.gw.port}`,
            evidence: [
              keyEvidence(
                ctx,
                "gateway.bind",
                `The config resolves to ${ctx.gw.hosts.join(", ")}, but the process listens on ${open.map(sockText).join(", ")}`,
              ),
            ],
            remediation:
              "A flag, environment variable or an older config started it this way; restart it after fixing the service definition.",
          }),
        );
      }
    }
    // side ports: browser control, CDP relay, legacy bridge/canvas
    for (const { port: sidePort, what } of ctx.gw.sidePorts) {
      for (const s of ownSockets(ctx, sidePort)) {
        if (isLoopbackAddress(s.address)) continue;
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-101",
            openclawCheckId: null,
            severity: s.attribution.proven ? "critical" : LOWER.critical,
            title: `Gateway side port (${what}) listens beyond loopback${s.attribution.proven ? "" : UNPROVEN}`,
            group: this.group,
            asset: `${s.address}:${s.port}`,
            evidence: [
              {
                source: "socket",
                detail: `Listening on ${sockText(s)}; ${s.attribution.how}`,
                excerpt: sockText(s),
                location: ctx.live.source,
              },
            ],
            remediation:
              "Side ports must stay on 127.0.0.1; several had no auth (CVE-2026-28485, CVE-2026-43581). Upgrade and firewall them (`clawpatrol firewall`).",
          }),
        );
      }
    }
    return out;
  },
};

const PROXY_NAMES =
  /^(nginx|caddy|haproxy|socat|traefik|envoy|cloudflared|ngrok|frpc|rathole|ssh|sshd|autossh|stunnel|node|bun|deno|python3?|tailscaled)$/;

function cmdMentionsPort(cmd: string[], port: number): boolean {
  const p = String(port);
  return cmd.some((a) => a === p || new RegExp(`[:=/]${p}(\\b|$)`).test(a));
}

function proxyConfigs(port: number): { path: string; line: number; text: string }[] {
  const out: { path: string; line: number; text: string }[] = [];
  const files: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 3 || files.length > 200) return;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      try {
        const st = statSync(p);
        if (st.isDirectory()) walk(p, depth + 1);
        else if (st.size < 512 * 1024) files.push(p);
      } catch {
        // unreadable
      }
    }
  };
  for (const d of [
    "/etc/nginx",
    "/etc/caddy",
    "/etc/haproxy",
    "/usr/local/etc/nginx",
    "/opt/homebrew/etc/nginx",
  ])
    walk(d, 0);
  const re = new RegExp(`(127\\.0\\.0\\.1|localhost|\\[::1\\]|0\\.0\\.0\\.0):${port}\\b`);
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    const lines = text.split("\n");
    lines.forEach((l, i) => {
      if (re.test(l) && !l.trim().startsWith("#")) out.push({ path: f, line: i + 1, text: l.trim() });
    });
  }
  return out;
}

const proxyLocal: AuditCheck = {
  id: "CP-AUDIT-104",
  openclawCheckId: null,
  title: "A relay or reverse proxy makes remote clients look local",
  group: "exposure",
  run(ctx) {
    const port = ctx.gw.port;
    const pids = new Set(ctx.target.processes.map((p) => p.pid));
    const trusted = (getArray(ctx.config.effective, "gateway.trustedProxies") ?? []).length > 0;
    const evidence: AuditFinding["evidence"] = [];
    for (const s of ctx.live.sockets) {
      if (isLoopbackAddress(s.address) || s.port === port || (s.pid !== null && pids.has(s.pid))) continue;
      if (!s.cmdline || !cmdMentionsPort(s.cmdline, port)) continue;
      const name = (s.process ?? "").split("/").pop() ?? "";
      if (!PROXY_NAMES.test(name) && !s.cmdline.some((a) => /relay|proxy|forward|tunnel/i.test(a))) continue;
      evidence.push({
        source: "socket",
        detail: `${sockText(s)} forwards to the gateway port ${port}: ${s.cmdline.join(" ").slice(0, 200)}`,
        excerpt: s.cmdline.join(" ").slice(0, 300),
        location: ctx.live.source,
      });
    }
    for (const hit of proxyConfigs(port)) {
      evidence.push(
        fileEvidence(hit.path, `Proxy config forwards to the gateway port ${port}`, hit.text, hit.line),
      );
    }
    if (evidence.length === 0) return [];
    const noAuth = !ctx.gw.hasSecret && ctx.gw.authMode !== "trusted-proxy";
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: null,
        severity: noAuth ? "critical" : trusted ? "medium" : "high",
        title: noAuth ? "A relay exposes a gateway that has no auth" : this.title,
        group: this.group,
        evidence,
        remediation: noAuth
          ? "Anyone who reaches the relay is an operator. Stop the relay or set a gateway token now (`clawpatrol fix`), then list the proxy in gateway.trustedProxies."
          : "Put the proxy's address in gateway.trustedProxies so the gateway sees real client addresses; otherwise it treats them as local (silent device pairing, full readiness details).",
        fixes: ["auth-token"],
      }),
    ];
  },
};

/** Host-wide: compose publications (not tied to one state dir). */
export function composeFindings(services: CheckContext["target"]["services"]): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const s of services) {
    if (s.kind !== "compose") continue;
    for (const p of s.published) {
      const wide = p.hostIp === "0.0.0.0" || p.hostIp === "::" || p.hostIp === "";
      if (!wide) continue;
      out.push({
        ruleId: "CP-AUDIT-105",
        openclawCheckId: null,
        severity: "high",
        title: `Compose publishes container port ${p.containerPort} on all interfaces`,
        asset: s.path,
        group: "exposure",
        stateDir: null,
        evidence: [
          fileEvidence(
            s.path,
            `ports: ${p.hostPort || "(random)"}:${p.containerPort} with no host IP binds every interface; Docker's rules also bypass ufw`,
            `${p.hostIp}:${p.hostPort}:${p.containerPort}`,
            p.line,
          ),
        ],
        remediation: `Publish on loopback only: "127.0.0.1:${p.hostPort || p.containerPort}:${p.containerPort}". The official image sets OPENCLAW_GATEWAY_BIND=lan, so the container itself listens everywhere.`,
        references: ["https://docs.docker.com/engine/network/packet-filtering-firewalls/"],
      });
    }
  }
  return out;
}

const containerDefault: AuditCheck = {
  id: "CP-AUDIT-106",
  openclawCheckId: null,
  title: "Unset gateway.bind means all interfaces inside a container",
  group: "exposure",
  run(ctx) {
    if (getString(ctx.config.effective, "gateway.bind") !== undefined) return [];
    if (ctx.gw.bindMode !== "auto" || !ctx.gw.exposed) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: null,
        severity: ctx.gw.hasSecret ? "medium" : "critical",
        title: this.title,
        group: this.group,
        evidence: [keyEvidence(ctx, "gateway.bind", ctx.gw.bindNote ?? "container default", "unset")],
        remediation:
          "Set gateway.bind explicitly. OpenClaw's own audit treats an unset bind as loopback and misses this.",
        fixes: ["bind-loopback"],
      }),
    ];
  },
};

const mdnsImplicit: AuditCheck = {
  id: "CP-AUDIT-107",
  openclawCheckId: null,
  title: "mDNS advertises the gateway with host details",
  group: "exposure",
  run(ctx) {
    const env = ctx.target.env;
    const v = ctx.target.version;
    const off = (x: string | undefined) => x !== undefined && /^(1|true|yes|on)$/i.test(x.trim());
    const forcedOn =
      env.OPENCLAW_DISABLE_BONJOUR !== undefined &&
      /^(0|false|no|off)$/i.test(env.OPENCLAW_DISABLE_BONJOUR.trim());
    const mode = getString(ctx.config.effective, "discovery.mdns.mode");
    // ≤ 2026.1.24 has no mode key and always adds cliPath + sshPort (like today's "full")
    if (ctx.target.product === "clawdbot" || before(v, "2026.1.29")) {
      if (off(env.CLAWDBOT_DISABLE_BONJOUR) || off(env.OPENCLAW_DISABLE_BONJOUR)) return [];
      return [
        mk(ctx, {
          ruleId: this.id,
          openclawCheckId: null,
          severity: ctx.gw.exposed ? "high" : "medium",
          title: "mDNS always advertises cliPath and sshPort on this version",
          group: this.group,
          evidence: [
            {
              source: "version",
              detail: `Version ${v ?? "unknown"} has no discovery.mdns.mode; its Bonjour TXT record carries the install path and SSH port`,
              location: "CLAWDBOT_DISABLE_BONJOUR",
            },
          ],
          remediation:
            'Set CLAWDBOT_DISABLE_BONJOUR=1 in the gateway\'s service environment, or upgrade and set discovery.mdns.mode "off".',
          fixes: ["mdns-off"],
        }),
      ];
    }
    if (mode === "full" && forcedOn) {
      return [
        mk(ctx, {
          ruleId: this.id,
          openclawCheckId: null,
          severity: "medium",
          title: "mDNS full mode is forced on by the environment",
          group: this.group,
          evidence: [
            {
              source: "env",
              detail: "OPENCLAW_DISABLE_BONJOUR=0 forces advertising even where the plugin would stay off",
              location: "OPENCLAW_DISABLE_BONJOUR",
            },
          ],
          remediation: 'Remove OPENCLAW_DISABLE_BONJOUR=0 and set discovery.mdns.mode "off".',
          fixes: ["mdns-off"],
        }),
      ];
    }
    return [];
  },
};

const configErrors: AuditCheck = {
  id: "CP-AUDIT-110",
  openclawCheckId: null,
  title: "Config could not be read completely",
  group: "config",
  run(ctx) {
    const out: AuditFinding[] = [];
    const errs = ctx.config.errors.filter((e) => !e.includes("positions unavailable"));
    if (errs.length > 0) {
      out.push(
        mk(ctx, {
          ruleId: this.id,
          openclawCheckId: null,
          severity: "medium",
          title: this.title,
          group: this.group,
          evidence: errs.slice(0, 10).map((e) => ({ source: "config", detail: e, path: ctx.config.path })),
          remediation:
            "Fix the config so the gateway and this audit read the same settings (`openclaw config validate`).",
        }),
      );
    }
    if (ctx.config.unresolvedEnv.length > 0) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-111",
          openclawCheckId: null,
          severity: "low",
          title: "Config refers to environment variables that are not set here",
          group: this.group,
          evidence: ctx.config.unresolvedEnv
            .slice(0, 10)
            .map((k) =>
              keyEvidence(
                ctx,
                k,
                `${k} uses a \${VAR} that the gateway's environment (as seen by this audit) does not define`,
              ),
            ),
          remediation:
            "Run the audit with the gateway's environment, or check the service file that sets it.",
        }),
      );
    }
    return out;
  },
};

export const EXPOSURE_CHECKS: AuditCheck[] = [
  liveExposure,
  proxyLocal,
  containerDefault,
  mdnsImplicit,
  configErrors,
];
