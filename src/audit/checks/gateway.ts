// Gateway exposure and authentication checks: the equivalents of OpenClaw's
// `gateway.*` audit ids, judged with the effective (per-version) bind and auth.

import type { FixId } from "../../fix/fix-ids.ts";
import { atLeast } from "../bind.ts";
import { getArray, getBool, getObject, getPath, getString } from "../config.ts";
import type { AuditCheck, AuditFinding, CheckContext } from "../types.ts";
import {
  keyEvidence,
  mk,
  ocExposed,
  reallyExposed,
  redact,
  releaseSeverities,
  sev,
  startsOpenOnlyWithModeNone,
} from "./util.ts";

function exposureWords(ctx: CheckContext): string {
  const g = ctx.gw;
  return `listens on ${g.hosts.join(", ") || "nothing"} port ${g.port} (bind ${g.bindMode} from ${g.bindSource}${g.bindNote ? `; ${g.bindNote}` : ""})`;
}

const FIX_BIND = "bind-loopback";
const FIX_TOKEN = "auth-token";

const bindNoAuth: AuditCheck = {
  id: "CP-AUDIT-001",
  openclawCheckId: "gateway.bind_no_auth",
  title: "Gateway listens beyond loopback without authentication",
  group: "exposure",
  run(ctx) {
    const g = ctx.gw;
    if (g.authMode === "trusted-proxy" || g.hasSecret) return [];
    if (!ocExposed(ctx) && !g.exposed) return [];
    if (startsOpenOnlyWithModeNone(ctx) && g.authMode !== "none") return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "critical",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(ctx, "gateway.bind", `The gateway ${exposureWords(ctx)}`, JSON.stringify(g.bindMode)),
          keyEvidence(
            ctx,
            "gateway.auth",
            `Auth mode ${g.authMode} (${g.authModeSource}); no token or password is set`,
          ),
        ],
        remediation:
          'Bind the gateway to loopback (gateway.bind "loopback") and set a long random gateway.auth.token. `clawpatrol fix` does both.',
        fixes: [FIX_BIND, FIX_TOKEN],
      }),
    ];
  },
};

const bindNetwork: AuditCheck = {
  id: "CP-AUDIT-029",
  openclawCheckId: "gateway.bind_network_accessible",
  title: "Gateway listens beyond loopback",
  group: "exposure",
  run(ctx) {
    const g = ctx.gw;
    if (!g.exposed || (!g.hasSecret && g.authMode !== "trusted-proxy")) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "medium",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.bind",
            `The gateway ${exposureWords(ctx)}; only its ${g.authMode} stands between the network and an operator session`,
            JSON.stringify(g.bindMode),
          ),
        ],
        remediation:
          "Keep the gateway on loopback and reach it through an SSH tunnel or Tailscale Serve; if it must listen on the network, firewall it to known addresses (`clawpatrol firewall --allow <cidr>`).",
        fixes: [FIX_BIND],
      }),
    ];
  },
};

const loopbackNoAuth: AuditCheck = {
  id: "CP-AUDIT-002",
  openclawCheckId: "gateway.loopback_no_auth",
  title: "Gateway has no authentication (loopback only)",
  group: "auth",
  run(ctx) {
    const g = ctx.gw;
    if (ocExposed(ctx) || g.exposed || !g.controlUiEnabled) return [];
    // trusted-proxy counts as gateway auth from 2026.9.6; earlier releases report it here
    if (
      g.authMode === "trusted-proxy" &&
      (ctx.target.version === null || atLeast(ctx.target.version, "2026.9.6"))
    )
      return [];
    if (startsOpenOnlyWithModeNone(ctx) && g.authMode !== "none") return [];
    // OpenClaw: allowTailscale defaults to on under Serve except in password (and trusted-proxy) mode
    const allowTailscale =
      getBool(ctx.config.effective, "gateway.auth.allowTailscale") ??
      (g.authMode !== "password" && g.authMode !== "trusted-proxy");
    const tailscaleAuth = g.tailscaleMode === "serve" && allowTailscale;
    if (g.hasSecret && g.secretSource !== "generated-at-runtime") return [];
    if (g.secretSource === "generated-at-runtime" && g.authMode === "token") return [];
    if (tailscaleAuth) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "critical",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.auth",
            `Auth mode ${g.authMode} (${g.authModeSource}); anything that can reach 127.0.0.1:${g.port} is an operator`,
          ),
        ],
        remediation:
          'Set gateway.auth.mode "token" with a long random gateway.auth.token. A same-host reverse proxy, tunnel or port forward would otherwise hand full control to whoever reaches it.',
        fixes: [FIX_TOKEN],
      }),
    ];
  },
};

const trustedProxiesMissing: AuditCheck = {
  id: "CP-AUDIT-003",
  openclawCheckId: "gateway.trusted_proxies_missing",
  title: "Reverse-proxy headers are not trusted from any proxy",
  group: "exposure",
  run(ctx) {
    if (ocExposed(ctx) || !ctx.gw.controlUiEnabled) return [];
    if ((getArray(ctx.config.effective, "gateway.trustedProxies") ?? []).length > 0) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "low",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.trustedProxies",
            "gateway.trustedProxies is empty while the gateway binds loopback",
            "[]",
          ),
        ],
        remediation:
          "If anything on this host forwards traffic to the gateway (nginx, Caddy, a tunnel), list its address in gateway.trustedProxies; otherwise keep the gateway reachable only locally.",
      }),
    ];
  },
};

const originsRequired: AuditCheck = {
  id: "CP-AUDIT-004",
  openclawCheckId: "gateway.control_ui.allowed_origins_required",
  title: "Non-loopback Control UI has no allowed origins",
  group: "exposure",
  run(ctx) {
    if (!atLeast(ctx.target.version, "2026.2.26")) return [];
    // the 2026.4 config loader seeds localhost origins for a non-loopback bind as it loads
    // (migration "gateway.controlUi.allowedOrigins-seed-for-non-loopback"); from 2026.5.27 only
    // `openclaw doctor` applies it, so the gateway runs without origins until someone does
    const v = ctx.target.version;
    if (v !== null && atLeast(v, "2026.4.1") && !atLeast(v, "2026.5.27")) return [];
    const c = ctx.config.effective;
    if (!ocExposed(ctx) || !ctx.gw.controlUiEnabled) return [];
    if ((getArray(c, "gateway.controlUi.allowedOrigins") ?? []).length > 0) return [];
    if (getBool(c, "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback") === true) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "critical",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.controlUi.allowedOrigins",
            "No explicit browser origins are allowed",
            "[]",
          ),
        ],
        remediation:
          "Set gateway.controlUi.allowedOrigins to the exact https origins you use, or bind to loopback.",
      }),
    ];
  },
};

function flagCheck(
  id: string,
  ocId: string,
  key: string,
  title: string,
  test: (v: unknown) => boolean,
  severity: (ctx: CheckContext) => AuditFinding["severity"],
  remediation: string,
  group: AuditCheck["group"] = "config",
  fixes: FixId[] = ["dangerous-flags"],
): AuditCheck {
  return {
    id,
    openclawCheckId: ocId,
    title,
    group,
    run(ctx) {
      const v = getPath(ctx.config.effective, key.split("."));
      if (!test(v)) return [];
      return [
        mk(ctx, {
          ruleId: id,
          openclawCheckId: ocId,
          severity: severity(ctx),
          title,
          group,
          evidence: [keyEvidence(ctx, key, `${key} is set`)],
          remediation,
          fixes,
        }),
      ];
    },
  };
}

const isTrue = (v: unknown) => v === true;
const exposedHigh = (hi: AuditFinding["severity"], lo: AuditFinding["severity"]) => (ctx: CheckContext) =>
  sev(ocExposed(ctx) || reallyExposed(ctx), hi, lo);

const originsWildcard = flagCheck(
  "CP-AUDIT-005",
  "gateway.control_ui.allowed_origins_wildcard",
  "gateway.controlUi.allowedOrigins",
  "Control UI accepts any browser origin",
  (v) => Array.isArray(v) && v.some((x) => typeof x === "string" && x.trim() === "*"),
  exposedHigh("critical", "medium"),
  'Replace "*" with the exact origins you use (for example https://control.example.com).',
);

const hostHeaderFallback = flagCheck(
  "CP-AUDIT-006",
  "gateway.control_ui.host_header_origin_fallback",
  "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback",
  "Control UI trusts the Host header as its origin",
  isTrue,
  exposedHigh("critical", "medium"),
  "Remove gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback and list allowed origins instead; the fallback weakens DNS-rebinding protection.",
);

const insecureAuth = flagCheck(
  "CP-AUDIT-007",
  "gateway.control_ui.insecure_auth",
  "gateway.controlUi.allowInsecureAuth",
  "Control UI allows token-only auth over plain HTTP",
  isTrue,
  // 2026.1.29 rated it critical wherever the gateway listens
  (ctx) =>
    releaseSeverities(ctx, "gateway.control_ui.insecure_auth").includes("critical")
      ? "high"
      : exposedHigh("high", "medium")(ctx),
  "Remove gateway.controlUi.allowInsecureAuth; use HTTPS (for example Tailscale Serve) or localhost.",
);

const deviceAuthDisabled = flagCheck(
  "CP-AUDIT-008",
  "gateway.control_ui.device_auth_disabled",
  "gateway.controlUi.dangerouslyDisableDeviceAuth",
  "Control UI device identity checks are disabled",
  isTrue,
  () => "critical",
  "Remove gateway.controlUi.dangerouslyDisableDeviceAuth.",
);

const realIpFallback: AuditCheck = {
  id: "CP-AUDIT-009",
  openclawCheckId: "gateway.real_ip_fallback_enabled",
  title: "Gateway trusts X-Real-IP when X-Forwarded-For is missing",
  group: "config",
  run(ctx) {
    if (getBool(ctx.config.effective, "gateway.allowRealIpFallback") !== true) return [];
    const proxies = (getArray(ctx.config.effective, "gateway.trustedProxies") ?? []).map(String);
    const nonLoopProxy = proxies.some((p) => !/^(127\.0\.0\.1(\/32)?|::1(\/128)?)$/.test(p.trim()));
    const exposed =
      ocExposed(ctx) || reallyExposed(ctx) || (ctx.gw.authMode === "trusted-proxy" && nonLoopProxy);
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: exposed ? "critical" : "medium",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.allowRealIpFallback",
            "A client-supplied X-Real-IP can spoof the source address",
          ),
        ],
        remediation: "Set gateway.allowRealIpFallback to false (the default).",
        fixes: ["dangerous-flags"],
      }),
    ];
  },
};

const tailscaleFunnel: AuditCheck = {
  id: "CP-AUDIT-010",
  openclawCheckId: "gateway.tailscale_funnel",
  title: "Tailscale Funnel publishes the gateway on the internet",
  group: "exposure",
  run(ctx) {
    if (ctx.gw.tailscaleMode !== "funnel") return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "critical",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.tailscale.mode",
            "Funnel makes the gateway reachable from the public internet",
          ),
        ],
        remediation:
          'Use gateway.tailscale.mode "serve" (tailnet only) or "off". Changing this cuts off public clients: `clawpatrol fix --allow-lockout` does it.',
        fixes: ["tailscale-serve"],
      }),
    ];
  },
};

const tailscaleServe: AuditCheck = {
  id: "CP-AUDIT-011",
  openclawCheckId: "gateway.tailscale_serve",
  title: "Tailscale Serve exposes the gateway to the tailnet",
  group: "exposure",
  run(ctx) {
    if (ctx.gw.tailscaleMode !== "serve") return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "info",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(ctx, "gateway.tailscale.mode", "Every device on the tailnet can reach the gateway"),
        ],
        remediation: "Fine for a personal tailnet; check the tailnet's ACLs if others share it.",
      }),
    ];
  },
};

const PLACEHOLDERS = new Set([
  "",
  "undefined",
  "null",
  "changeme",
  "change-me",
  "your-token",
  "token",
  "password",
  "secret",
]);

const weakSecret: AuditCheck = {
  id: "CP-AUDIT-012",
  openclawCheckId: "gateway.token_too_short",
  title: "Gateway secret is short",
  group: "auth",
  run(ctx) {
    const out: AuditFinding[] = [];
    for (const cred of ["token", "password"] as const) {
      if (ctx.gw.authMode !== cred) continue;
      const value = cred === "token" ? ctx.gw.token : ctx.gw.password;
      const raw = getPath(ctx.config.effective, ["gateway", "auth", cred]);
      // OpenClaw's own placeholder check knows only blank, "undefined" and "null" (and then
      // skips the length check); clawpatrol also knows the usual example words
      const ocPlaceholder = typeof raw === "string" && ["", "undefined", "null"].includes(raw.trim());
      if (typeof raw === "string" && PLACEHOLDERS.has(raw.trim().toLowerCase())) {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-013",
            openclawCheckId: ocPlaceholder ? `gateway.${cred}_placeholder_value` : null,
            severity: "critical",
            title: `Gateway ${cred} is a placeholder`,
            group: this.group,
            evidence: [
              keyEvidence(
                ctx,
                `gateway.auth.${cred}`,
                `The ${cred} is a well-known non-secret value`,
                JSON.stringify(raw),
              ),
            ],
            remediation: `Generate a long random ${cred}; \`clawpatrol fix\` writes one.`,
            fixes: [FIX_TOKEN],
          }),
        );
        if (ocPlaceholder) continue;
        // an example word is also short, and every release reports it as such
      }
      if (!value || value.trim().length >= 24) continue;
      // 2026.9+ names it per credential; older builds only had the token variant.
      const ocId = cred === "token" ? "gateway.token_too_short" : "gateway.password_too_short";
      out.push(
        mk(ctx, {
          ruleId: this.id,
          openclawCheckId: ocId,
          severity: reallyExposed(ctx) || ocExposed(ctx) ? "high" : "medium",
          title: `Gateway ${cred} is short (${value.trim().length} characters)`,
          group: this.group,
          evidence: [
            keyEvidence(
              ctx,
              `gateway.auth.${cred}`,
              `A ${value.trim().length}-character ${cred} can be guessed`,
              redact(value),
            ),
          ],
          remediation: `Use a random ${cred} of at least 32 characters; \`clawpatrol fix\` generates one and tells you how to hand it to clients.`,
          fixes: [FIX_TOKEN],
        }),
      );
    }
    return out;
  },
};

const noRateLimit: AuditCheck = {
  id: "CP-AUDIT-014",
  openclawCheckId: "gateway.auth_no_rate_limit",
  title: "No failed-auth rate limit on a non-loopback gateway",
  group: "auth",
  run(ctx) {
    if (!ocExposed(ctx) || ctx.gw.authMode === "trusted-proxy") return [];
    if (getPath(ctx.config.effective, ["gateway", "auth", "rateLimit"]) !== undefined) return [];
    // OpenClaw only has this check (and the key) from 2026.2.x on.
    if (!atLeast(ctx.target.version, "2026.2.1")) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: ctx.gw.exposed ? "medium" : "low",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.auth.rateLimit",
            "Unlimited guesses at the gateway secret are allowed",
            "unset",
          ),
        ],
        remediation:
          "Set gateway.auth.rateLimit, e.g. { maxAttempts: 10, windowMs: 60000, lockoutMs: 300000 }.",
        fixes: ["rate-limit"],
      }),
    ];
  },
};

const trustedProxy: AuditCheck = {
  id: "CP-AUDIT-015",
  openclawCheckId: "gateway.trusted_proxy_auth",
  title: "Authentication is delegated to a reverse proxy",
  group: "auth",
  run(ctx) {
    if (ctx.gw.authMode !== "trusted-proxy") return [];
    const c = ctx.config.effective;
    const tp = getObject(c, "gateway.auth.trustedProxy") ?? {};
    const out: AuditFinding[] = [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "high",
        title: this.title,
        group: this.group,
        evidence: [keyEvidence(ctx, "gateway.auth.mode", "The proxy is now the only auth boundary")],
        remediation:
          "Make sure the proxy authenticates every user, overwrites identity headers, and that the gateway port is firewalled from everything but the proxy (`clawpatrol firewall`).",
      }),
    ];
    const sub = (
      ruleId: string,
      ocId: string,
      severity: AuditFinding["severity"],
      title: string,
      key: string,
      detail: string,
      rem: string,
    ) =>
      out.push(
        mk(ctx, {
          ruleId,
          openclawCheckId: ocId,
          severity,
          title,
          group: this.group,
          evidence: [keyEvidence(ctx, key, detail)],
          remediation: rem,
        }),
      );
    if ((getArray(c, "gateway.trustedProxies") ?? []).length === 0) {
      sub(
        "CP-AUDIT-016",
        "gateway.trusted_proxy_no_proxies",
        "critical",
        "Trusted-proxy auth without trusted proxies",
        "gateway.trustedProxies",
        "No proxy address is trusted",
        "Set gateway.trustedProxies to your proxy's address.",
      );
    }
    if (typeof tp.userHeader !== "string" || !tp.userHeader) {
      sub(
        "CP-AUDIT-017",
        "gateway.trusted_proxy_no_user_header",
        "critical",
        "Trusted-proxy auth without a user header",
        "gateway.auth.trustedProxy",
        "gateway.auth.trustedProxy.userHeader is not set",
        "Set gateway.auth.trustedProxy.userHeader to the header your proxy fills in.",
      );
    }
    if (!Array.isArray(tp.allowUsers) || tp.allowUsers.length === 0) {
      sub(
        "CP-AUDIT-018",
        "gateway.trusted_proxy_no_allowlist",
        "medium",
        "Trusted-proxy auth admits every proxy user",
        "gateway.auth.trustedProxy",
        "gateway.auth.trustedProxy.allowUsers is empty",
        "List the users allowed in gateway.auth.trustedProxy.allowUsers.",
      );
    }
    if (tp.allowLoopback === true) {
      sub(
        "CP-AUDIT-019",
        "gateway.trusted_proxy_allow_loopback",
        "medium",
        "Trusted-proxy auth accepts loopback sources",
        "gateway.auth.trustedProxy.allowLoopback",
        "Anything on this host can claim to be the proxy",
        "Turn allowLoopback off unless a same-host proxy is the intended boundary.",
      );
    }
    const auto = getObject(c, "gateway.auth.trustedProxy.deviceAutoApprove");
    if (auto?.enabled === true) {
      sub(
        "CP-AUDIT-020",
        "gateway.trusted_proxy_device_auto_approve",
        "medium",
        "Proxy users get new devices approved automatically",
        "gateway.auth.trustedProxy.deviceAutoApprove.enabled",
        "Device pairing is delegated to the proxy identity",
        "Approve operator devices by hand.",
      );
      if (Array.isArray(auto.scopes) && auto.scopes.some((s) => String(s).trim() === "operator.admin")) {
        sub(
          "CP-AUDIT-021",
          "gateway.trusted_proxy_device_auto_approve_admin",
          "critical",
          "Proxy users get admin devices automatically",
          "gateway.auth.trustedProxy.deviceAutoApprove.scopes",
          "operator.admin is auto-approved",
          "Remove operator.admin from deviceAutoApprove.scopes.",
        );
      }
    }
    return out;
  },
};

/** Tools OpenClaw keeps off the HTTP /tools/invoke surface by default (since 2026.2.14). */
export const HTTP_DENY = [
  "exec",
  "spawn",
  "shell",
  "fs_write",
  "fs_delete",
  "fs_move",
  "apply_patch",
  "sessions_spawn",
  "sessions_send",
  "cron",
  "gateway",
  "nodes",
  "whatsapp_login",
];

const toolsInvokeAllow: AuditCheck = {
  id: "CP-AUDIT-022",
  openclawCheckId: "gateway.tools_invoke_http.dangerous_allow",
  title: "HTTP /tools/invoke re-enables dangerous tools",
  group: "config",
  run(ctx) {
    const allow = (getArray(ctx.config.effective, "gateway.tools.allow") ?? []).map((v) =>
      String(v).trim().toLowerCase(),
    );
    const bad = HTTP_DENY.filter((t) => allow.includes(t));
    if (bad.length === 0) return [];
    const exposed = ocExposed(ctx) || reallyExposed(ctx);
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: exposed ? "critical" : "medium",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(ctx, "gateway.tools.allow", `Over HTTP these tools are callable: ${bad.join(", ")}`),
        ],
        remediation:
          "Remove them from gateway.tools.allow; the gateway token then cannot spawn sessions or change the gateway over HTTP.",
        fixes: ["dangerous-flags"],
      }),
    ];
  },
};

const httpNoAuth: AuditCheck = {
  id: "CP-AUDIT-025",
  openclawCheckId: "gateway.http.no_auth",
  title: "HTTP API is open without authentication",
  group: "auth",
  run(ctx) {
    const g = ctx.gw;
    if (ctx.target.version !== null && atLeast(ctx.target.version, "2026.5.27")) {
      // 2026.5.27 on: any mode without its own secret (a runtime-minted token is not one)
      if (g.authMode === "trusted-proxy" || (g.hasSecret && g.secretSource !== "generated-at-runtime"))
        return [];
    } else {
      if (g.authMode !== "none") return [];
      if (getString(ctx.config.effective, "gateway.auth.mode") !== "none") return [];
    }
    const exposed = reallyExposed(ctx) || ocExposed(ctx);
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: exposed ? "critical" : "high",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.auth.mode",
            "With auth mode none, /tools/invoke and any enabled /v1/* endpoint run for anyone who reaches the port",
          ),
        ],
        remediation: 'Use gateway.auth.mode "token" with a long random token (`clawpatrol fix`).',
        fixes: [FIX_TOKEN],
      }),
    ];
  },
};

const sessionKeyOverride: AuditCheck = {
  id: "CP-AUDIT-026",
  openclawCheckId: "gateway.http.session_key_override_enabled",
  title: "OpenAI-compatible endpoints let callers pick the session",
  group: "config",
  run(ctx) {
    const c = ctx.config.effective;
    const on = ["chatCompletions", "responses"].filter(
      (e) => getBool(c, `gateway.http.endpoints.${e}.enabled`) === true,
    );
    if (on.length === 0 && getBool(c, "gateway.http.allowSessionKeyOverride") !== true) return [];
    const key =
      on.length > 0 ? `gateway.http.endpoints.${on[0]}.enabled` : "gateway.http.allowSessionKeyOverride";
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "info",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            key,
            "API callers can route requests into any session; treat the gateway credential as full trust",
          ),
        ],
        remediation: "Turn the /v1 endpoints off unless you use them.",
      }),
    ];
  },
};

const envTokenConflict: AuditCheck = {
  id: "CP-AUDIT-027",
  openclawCheckId: "gateway.env_token_overrides_config",
  title: "Gateway token in the environment differs from the config",
  group: "auth",
  run(ctx) {
    const cfgTok = getString(ctx.config.effective, "gateway.auth.token");
    const envTok = ctx.target.env.OPENCLAW_GATEWAY_TOKEN;
    if (!cfgTok || !envTok || cfgTok === envTok) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "medium",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "gateway.auth.token",
            "The server uses the config token while CLI clients use OPENCLAW_GATEWAY_TOKEN",
            redact(cfgTok),
          ),
        ],
        remediation:
          "Keep one source of truth: remove OPENCLAW_GATEWAY_TOKEN or make it equal to gateway.auth.token.",
      }),
    ];
  },
};

const mcpApps = flagCheck(
  "CP-AUDIT-028",
  "mcp.apps.enabled",
  "mcp.apps.enabled",
  "MCP Apps HTML bridge is enabled",
  isTrue,
  () => "medium",
  "Disable mcp.apps.enabled unless you trust every configured MCP server.",
);

const mdnsFull = flagCheck(
  "CP-AUDIT-023",
  "discovery.mdns_full_mode",
  "discovery.mdns.mode",
  "mDNS full mode advertises host details on the LAN",
  (v) => v === "full",
  exposedHigh("high", "medium"),
  'Set discovery.mdns.mode to "off" (or "minimal"); full mode publishes the install path (your user name) and the SSH port.',
  "exposure",
  ["mdns-off"],
);

export const GATEWAY_CHECKS: AuditCheck[] = [
  bindNoAuth,
  bindNetwork,
  loopbackNoAuth,
  trustedProxiesMissing,
  originsRequired,
  originsWildcard,
  hostHeaderFallback,
  insecureAuth,
  deviceAuthDisabled,
  realIpFallback,
  tailscaleFunnel,
  tailscaleServe,
  weakSecret,
  noRateLimit,
  trustedProxy,
  toolsInvokeAllow,
  mdnsFull,
  httpNoAuth,
  sessionKeyOverride,
  envTokenConflict,
  mcpApps,
];
