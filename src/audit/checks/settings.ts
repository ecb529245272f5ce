// Checks on dangerous settings outside the network layer: hooks, tools and exec,
// sandbox, channels, browser, plugins, logging; and OpenClaw's summary roll-up.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FixId } from "../../fix/fix-ids.ts";
import { atLeast, isLoopbackAddress } from "../bind.ts";
import {
  getArray,
  getBool,
  getObject,
  getPath,
  getString,
  isObject,
  type Json,
  type JsonObject,
} from "../config.ts";
import type { AuditCheck, AuditFinding, CheckContext } from "../types.ts";
import { fileEvidence, keyEvidence, mk, ocExposed, reallyExposed, redact, remotelyExposed } from "./util.ts";

const exposedAny = (ctx: CheckContext) => ocExposed(ctx) || reallyExposed(ctx);

/** A channel's DM-pairing store: the senders approved through pairing. */
function storePath(ctx: CheckContext, channel: string): string {
  return join(ctx.target.stateDir, "credentials", `${channel}-allowFrom.json`);
}

function pairingStore(ctx: CheckContext, channel: string): string[] {
  try {
    const v = JSON.parse(readFileSync(storePath(ctx, channel), "utf8")) as { allowFrom?: unknown };
    return Array.isArray(v.allowFrom) ? v.allowFrom.map(String) : [];
  } catch {
    return [];
  }
}

/** Dangerous flags OpenClaw reports one by one under `config.insecure_or_dangerous_flags`. */
function dangerousFlags(c: JsonObject, version: string | null = null): { key: string; value: Json }[] {
  const out: { key: string; value: Json }[] = [];
  // the list changed over the releases: 2026.5.27 added the session-key, SSRF, sandbox docker
  // and workspaceOnly switches; 2026.9.6 dropped the two Control UI auth switches
  // (no version, as the fixer asks: every switch it knows how to turn off)
  const until = (v: string) => version === null || !atLeast(version, v);
  const since = (v: string) => version !== null && atLeast(version, v);
  const sinceOrFix = (v: string) => version === null || atLeast(version, v);
  const add = (key: string, test: (v: Json | undefined) => boolean) => {
    const v = getPath(c, key.split("."));
    if (v !== undefined && test(v)) out.push({ key, value: v });
  };
  const t = (v: Json | undefined) => v === true;
  if (until("2026.9.6")) add("gateway.controlUi.allowInsecureAuth", t);
  add("gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback", t);
  if (until("2026.9.6")) add("gateway.controlUi.dangerouslyDisableDeviceAuth", t);
  if (since("2026.5.27")) add("tools.fs.workspaceOnly", (v) => v === false);
  add("hooks.gmail.allowUnsafeExternalContent", t);
  if (sinceOrFix("2026.5.27")) add("hooks.allowRequestSessionKey", t);
  if (sinceOrFix("2026.5.27")) add("browser.ssrfPolicy.dangerouslyAllowPrivateNetwork", t);
  add("tools.exec.applyPatch.workspaceOnly", (v) => v === false);
  add("plugins.entries.acpx.config.permissionMode", (v) => v === "approve-all");
  const mappings = getArray(c, "hooks.mappings") ?? [];
  mappings.forEach((m, i) => {
    if (isObject(m) && m.allowUnsafeExternalContent === true)
      out.push({ key: `hooks.mappings.${i}.allowUnsafeExternalContent`, value: true });
  });
  for (const [ch, cfg] of Object.entries(getObject(c, "channels") ?? {})) {
    if (isObject(cfg) && cfg.dangerouslyAllowNameMatching === true)
      out.push({ key: `channels.${ch}.dangerouslyAllowNameMatching`, value: true });
    if (isObject(cfg) && isObject(cfg.network) && cfg.network.dangerouslyAllowPrivateNetwork === true) {
      out.push({ key: `channels.${ch}.network.dangerouslyAllowPrivateNetwork`, value: true });
    }
  }
  const sb = sinceOrFix("2026.5.27") ? (getObject(c, "agents.defaults.sandbox.docker") ?? {}) : {};
  for (const k of [
    "dangerouslyAllowReservedContainerTargets",
    "dangerouslyAllowExternalBindSources",
    "dangerouslyAllowContainerNamespaceJoin",
  ]) {
    if (sb[k] === true) out.push({ key: `agents.defaults.sandbox.docker.${k}`, value: true });
  }
  return out;
}

export { dangerousFlags };

const dangerousFlagsCheck: AuditCheck = {
  id: "CP-AUDIT-024",
  openclawCheckId: "config.insecure_or_dangerous_flags",
  title: "Insecure or dangerous flag enabled",
  group: "config",
  run(ctx) {
    return dangerousFlags(ctx.config.effective, ctx.target.version).map((f) =>
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: exposedAny(ctx) ? "high" : "medium",
        title: `Dangerous flag enabled: ${f.key}`,
        group: this.group,
        evidence: [keyEvidence(ctx, f.key, `${f.key} = ${JSON.stringify(f.value)}`)],
        remediation: `Turn ${f.key} off unless you are debugging on a machine nobody else can reach.`,
        fixes: ["dangerous-flags"],
      }),
    );
  },
};

// ------------------------------------------------------------------------------ hooks

function hooksEnabled(ctx: CheckContext): boolean {
  return getBool(ctx.config.effective, "hooks.enabled") === true;
}

const hooksChecks: AuditCheck = {
  id: "CP-AUDIT-031",
  openclawCheckId: "hooks.token_reuse_gateway_token",
  title: "Webhook settings",
  group: "auth",
  run(ctx) {
    if (!hooksEnabled(ctx)) return [];
    const c = ctx.config.effective;
    const out: AuditFinding[] = [];
    // OpenClaw rates the webhook checks critical when Tailscale publishes the gateway too
    const exposed = remotelyExposed(ctx);
    const token = getString(c, "hooks.token");
    const push = (
      ruleId: string,
      ocId: string,
      severity: AuditFinding["severity"],
      title: string,
      key: string,
      detail: string,
      rem: string,
      fixes?: FixId[],
    ) =>
      out.push(
        mk(ctx, {
          ruleId,
          openclawCheckId: ocId,
          severity,
          title,
          group: "auth",
          evidence: [
            keyEvidence(ctx, key, detail, key === "hooks.token" && token ? redact(token) : undefined),
          ],
          remediation: rem,
          ...(fixes ? { fixes } : {}),
        }),
      );
    if (token && (token === ctx.gw.token || token === ctx.gw.password)) {
      push(
        "CP-AUDIT-031",
        "hooks.token_reuse_gateway_token",
        "critical",
        "Webhook token is the gateway secret",
        "hooks.token",
        "Anyone who can post webhooks holds the full gateway credential",
        "Give hooks their own long random token (`clawpatrol fix` does) and update the webhook senders.",
        ["hooks-token"],
      );
    }
    if (token && token.trim().length < 24) {
      push(
        "CP-AUDIT-032",
        "hooks.token_too_short",
        "medium",
        `Webhook token is short (${token.trim().length} characters)`,
        "hooks.token",
        "A short token can be guessed",
        "Use a random token of at least 32 characters.",
        ["hooks-token"],
      );
    }
    const path = getString(c, "hooks.path");
    if (path !== undefined && path.trim().replace(/\/+$/, "") === "") {
      push(
        "CP-AUDIT-033",
        "hooks.path_root",
        "critical",
        "Webhooks are mounted at /",
        "hooks.path",
        'hooks.path "/" shadows every other HTTP route',
        'Set hooks.path to "/hooks".',
        ["hooks-path"],
      );
    }
    // these keys arrived with the 2026.2/3 hook hardening
    if (atLeast(ctx.target.version, "2026.2.1")) {
      if (getString(c, "hooks.defaultSessionKey") === undefined) {
        push(
          "CP-AUDIT-034",
          "hooks.default_session_key_unset",
          "low",
          "Webhook runs have no fixed session",
          "hooks",
          "hooks.defaultSessionKey is unset",
          "Set hooks.defaultSessionKey to keep hook traffic in a known session.",
        );
      }
      const ids = getArray(c, "hooks.allowedAgentIds");
      if (ids === undefined || ids.some((x) => x === "*")) {
        push(
          "CP-AUDIT-035",
          "hooks.allowed_agent_ids_unrestricted",
          exposed ? "high" : "medium",
          "Webhooks may target any agent",
          "hooks",
          'hooks.allowedAgentIds is unset or "*"',
          "List the agents hooks may reach in hooks.allowedAgentIds.",
        );
      }
      if (getBool(c, "hooks.allowRequestSessionKey") === true) {
        push(
          "CP-AUDIT-036",
          "hooks.request_session_key_enabled",
          exposed ? "high" : "medium",
          "Webhook callers choose the session",
          "hooks.allowRequestSessionKey",
          "Callers can write into any session",
          "Turn hooks.allowRequestSessionKey off.",
          ["dangerous-flags"],
        );
        if ((getArray(c, "hooks.allowedSessionKeyPrefixes") ?? []).length === 0) {
          push(
            "CP-AUDIT-037",
            "hooks.request_session_key_prefixes_missing",
            exposed ? "high" : "medium",
            "Caller-chosen sessions are not restricted",
            "hooks.allowRequestSessionKey",
            "No hooks.allowedSessionKeyPrefixes limit the choice",
            "Set hooks.allowedSessionKeyPrefixes or turn the override off.",
            ["dangerous-flags"],
          );
        }
      }
    }
    return out;
  },
};

const redactOff: AuditCheck = {
  id: "CP-AUDIT-038",
  openclawCheckId: "logging.redact_off",
  title: "Secret redaction in logs is off",
  group: "config",
  run(ctx) {
    if (getString(ctx.config.effective, "logging.redactSensitive") !== "off") return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "medium",
        title: this.title,
        group: this.group,
        evidence: [
          keyEvidence(ctx, "logging.redactSensitive", "Tool output with secrets can land in log files"),
        ],
        remediation: 'Set logging.redactSensitive to "tools".',
        fixes: ["dangerous-flags"],
      }),
    ];
  },
};

// ----------------------------------------------------------------- tools, exposure matrix

interface OpenSurface {
  keys: string[];
}

function openSurfaces(c: JsonObject): OpenSurface {
  const keys: string[] = [];
  for (const [ch, cfg] of Object.entries(getObject(c, "channels") ?? {})) {
    if (!isObject(cfg)) continue;
    if (cfg.dmPolicy === "open") keys.push(`channels.${ch}.dmPolicy`);
    if (cfg.groupPolicy === "open") keys.push(`channels.${ch}.groupPolicy`);
    for (const [acc, a] of Object.entries(isObject(cfg.accounts) ? cfg.accounts : {})) {
      if (isObject(a) && a.dmPolicy === "open") keys.push(`channels.${ch}.accounts.${acc}.dmPolicy`);
      if (isObject(a) && a.groupPolicy === "open") keys.push(`channels.${ch}.accounts.${acc}.groupPolicy`);
    }
  }
  return { keys };
}

/** The exec trust level: tools.exec.mode, else tools.exec.security (unset means "deny"). */
function execMode(c: JsonObject): string | undefined {
  return getString(c, "tools.exec.mode") ?? getString(c, "tools.exec.security");
}

const elevated: AuditCheck = {
  id: "CP-AUDIT-039",
  openclawCheckId: "tools.elevated.allowFrom.*.wildcard",
  title: "Elevated tools allow-list",
  group: "config",
  run(ctx) {
    const out: AuditFinding[] = [];
    // OpenClaw skips the allow-lists while elevated tools are switched off
    if (getBool(ctx.config.effective, "tools.elevated.enabled") === false) return [];
    const allow = getObject(ctx.config.effective, "tools.elevated.allowFrom") ?? {};
    for (const [prov, list] of Object.entries(allow)) {
      if (!Array.isArray(list)) continue;
      if (list.some((x) => String(x).trim() === "*")) {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-039",
            openclawCheckId: `tools.elevated.allowFrom.${prov}.wildcard`,
            severity: "critical",
            title: `Everyone on ${prov} may use elevated tools`,
            group: "config",
            evidence: [
              keyEvidence(
                ctx,
                `tools.elevated.allowFrom.${prov}`,
                '"*" approves every sender for elevated (host) execution',
              ),
            ],
            remediation: `Replace "*" in tools.elevated.allowFrom.${prov} with the sender ids you trust.`,
          }),
        );
      } else if (list.length > 25) {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-040",
            openclawCheckId: `tools.elevated.allowFrom.${prov}.large`,
            severity: "medium",
            title: `Long elevated allow-list on ${prov} (${list.length})`,
            group: "config",
            evidence: [
              keyEvidence(
                ctx,
                `tools.elevated.allowFrom.${prov}`,
                `${list.length} senders may use elevated tools`,
              ),
            ],
            remediation: "Trim the list to the people who need host execution.",
          }),
        );
      }
    }
    return out;
  },
};

const exposureMatrix: AuditCheck = {
  id: "CP-AUDIT-041",
  openclawCheckId: "tools.exec.security_full_configured",
  title: "Open chat surfaces reach powerful tools",
  group: "config",
  run(ctx) {
    const c = ctx.config.effective;
    const out: AuditFinding[] = [];
    const open = openSurfaces(c);
    const mode = execMode(c);
    const fullExec = mode === "full";
    const anyOpen = open.keys.length > 0;
    const openList = open.keys.join(", ");
    const ev = (key: string, detail: string) => [keyEvidence(ctx, key, detail)];
    if (fullExec) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-041",
          openclawCheckId: "tools.exec.security_full_configured",
          severity: anyOpen ? "critical" : "medium",
          title: "Host exec runs without approval",
          group: "config",
          evidence: ev(
            getString(c, "tools.exec.security") !== undefined ? "tools.exec.security" : "tools.exec.mode",
            `Full exec trust${anyOpen ? `; open chat access at ${openList}` : ""}`,
          ),
          remediation: 'Use tools.exec.mode "ask" or "allowlist" (or "deny"), and run agents in a sandbox.',
        }),
      );
    }
    if (!anyOpen) return out;
    const firstOpen = open.keys[0]!;
    // OpenClaw: any exec scope whose security is not "deny" (the default) is reachable; full is critical
    if (mode !== undefined && mode !== "deny") {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-042",
          openclawCheckId: "security.exposure.open_channels_with_exec",
          severity: fullExec ? "critical" : "medium",
          title: "Open chats can run host commands",
          group: "config",
          evidence: ev(firstOpen, `Open access at ${openList} with exec mode ${mode}`),
          remediation: "Close the chat policy (pairing or allowlist) or deny exec for those agents.",
        }),
      );
    }
    // elevated tools are on unless switched off (every release's summary says "enabled" by default)
    const elevatedOn = getBool(c, "tools.elevated.enabled") !== false;
    if (elevatedOn) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-043",
          openclawCheckId: "security.exposure.open_groups_with_elevated",
          severity: "critical",
          title: "Open chats with elevated tools enabled",
          group: "config",
          evidence: ev(firstOpen, `Open access at ${openList}; tools.elevated.enabled = true`),
          remediation: "Set dmPolicy/groupPolicy to pairing or allowlist, or disable tools.elevated.",
        }),
      );
    }
    const profile = getString(c, "tools.profile");
    const sandboxMode = getString(c, "agents.defaults.sandbox.mode") ?? "off";
    const deny = (getArray(c, "tools.deny") ?? []).map(String);
    const runtimeDenied = deny.includes("group:runtime") && deny.includes("group:fs");
    // OpenClaw looks at the defaults and every listed agent: an agent with its own wider
    // profile reaches the tools even under a narrow global one; only sandbox "all" guards
    const agentWidens = (getArray(c, "agents.list") ?? []).some(
      (a) => isObject(a) && isObject(a.tools) && (a.tools.profile === "full" || a.tools.profile === "coding"),
    );
    if (
      ((profile !== "minimal" && profile !== "messaging") || agentWidens) &&
      sandboxMode !== "all" &&
      !runtimeDenied &&
      atLeast(ctx.target.version, "2026.2.1")
    ) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-044",
          openclawCheckId: "security.exposure.open_groups_with_runtime_or_fs",
          severity: "critical",
          title: "Open chats reach shell and file tools without a sandbox",
          group: "config",
          evidence: ev(
            firstOpen,
            `Open access at ${openList}; sandbox ${sandboxMode}; tools.profile ${profile ?? "(default)"}`,
          ),
          remediation:
            "Turn on agents.defaults.sandbox.mode, or deny group:runtime and group:fs for open-chat agents.",
        }),
      );
    }
    // the default profile (unset) reaches the control-plane tools as "full" does
    if (
      // 2026.9.6's minimal, coding and messaging profiles include the gateway tool as well
      (profile === "full" || profile === undefined || atLeast(ctx.target.version, "2026.9.6")) &&
      // sandboxed sessions do not get the control-plane tools
      sandboxMode !== "all" &&
      !deny.includes("gateway") &&
      !deny.includes("cron") &&
      // a tools.allow list narrows the tools to what it names
      (getArray(c, "tools.allow") === undefined ||
        (getArray(c, "tools.allow") ?? []).some((t) =>
          ["gateway", "cron", "plugins", "*"].includes(String(t)),
        )) &&
      atLeast(ctx.target.version, "2026.6.1")
    ) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-045",
          openclawCheckId: "security.exposure.open_groups_with_control_plane_tools",
          severity: "critical",
          title: "Open chats reach gateway and cron tools",
          group: "config",
          evidence: ev(firstOpen, `tools.profile ${profile ?? "(default)"} with open access at ${openList}`),
          remediation: "Deny gateway and cron tools (tools.deny) or use a narrower tools.profile.",
        }),
      );
    }
    const wildcard = Object.entries(getObject(c, "channels") ?? {}).some(
      ([, cfg]) => isObject(cfg) && Array.isArray(cfg.allowFrom) && cfg.allowFrom.includes("*"),
    );
    if (atLeast(ctx.target.version, "2026.2.1")) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-046",
          openclawCheckId: "security.trust_model.multi_user_heuristic",
          severity: "medium",
          title: "The gateway looks shared by several people",
          group: "config",
          evidence: ev(
            firstOpen,
            `Open access at ${openList}${wildcard ? '; an allowFrom contains "*"' : ""}`,
          ),
          remediation:
            "OpenClaw trusts every sender like its owner; run one gateway per person or close the chat policies.",
        }),
      );
    }
    return out;
  },
};

const SENSITIVE_BINDS =
  /(^|:)(\/var\/run\/docker\.sock|\/run\/docker\.sock|\/etc|\/root|\/home|\/proc|\/sys|\/dev|\/boot|\/var\/lib\/docker|~|\/Users)(\/|:|$)/;

const sandbox: AuditCheck = {
  id: "CP-AUDIT-047",
  openclawCheckId: "sandbox.docker_config_mode_off",
  title: "Sandbox settings",
  group: "config",
  run(ctx) {
    const c = ctx.config.effective;
    const out: AuditFinding[] = [];
    const docker = getObject(c, "agents.defaults.sandbox.docker");
    const mode = getString(c, "agents.defaults.sandbox.mode") ?? "off";
    // the defaults' docker settings are in use as soon as any listed agent turns its sandbox on
    const agentSandboxOn = (getArray(c, "agents.list") ?? []).some(
      (a) =>
        isObject(a) &&
        typeof a.id === "string" &&
        isObject(a.sandbox) &&
        typeof a.sandbox.mode === "string" &&
        a.sandbox.mode !== "off",
    );
    if (docker && Object.keys(docker).length > 0 && mode === "off" && !agentSandboxOn) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-047",
          openclawCheckId: "sandbox.docker_config_mode_off",
          severity: "medium",
          title: "Sandbox is configured but switched off",
          group: "config",
          evidence: [
            keyEvidence(
              ctx,
              "agents.defaults.sandbox.mode",
              "Docker sandbox settings have no effect while the mode is off",
              JSON.stringify(mode),
            ),
          ],
          remediation: 'Set agents.defaults.sandbox.mode to "non-main" or "all".',
        }),
      );
    }
    const binds = (getArray(c, "agents.defaults.sandbox.docker.binds") ?? []).map(String);
    binds.forEach((b, i) => {
      const src = b.split(":")[0] ?? "";
      if (SENSITIVE_BINDS.test(src) || src === "/") {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-048",
            openclawCheckId: "sandbox.dangerous_bind_mount",
            severity: "critical",
            title: "Sandbox mounts a sensitive host path",
            group: "config",
            evidence: [
              keyEvidence(
                ctx,
                `agents.defaults.sandbox.docker.binds.${i}`,
                `${src} inside the sandbox defeats it`,
              ),
            ],
            remediation:
              "Mount only the directories the agent needs; never the Docker socket or system paths.",
          }),
        );
      } else if (src && !src.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(src)) {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-050",
            openclawCheckId: "sandbox.bind_mount_non_absolute",
            severity: "medium",
            title: "Sandbox bind mount has a relative source",
            group: "config",
            evidence: [
              keyEvidence(ctx, `agents.defaults.sandbox.docker.binds.${i}`, `${src} is not absolute`),
            ],
            remediation: "Use absolute host paths for sandbox binds.",
          }),
        );
      }
    });
    const net = getString(c, "agents.defaults.sandbox.docker.network");
    if (net === "host" || net?.startsWith("container:")) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-049",
          openclawCheckId: "sandbox.dangerous_network_mode",
          severity: "critical",
          title: "Sandbox shares a host or container network",
          group: "config",
          evidence: [keyEvidence(ctx, "agents.defaults.sandbox.docker.network", `network ${net}`)],
          remediation: 'Use network "none" or "bridge".',
        }),
      );
    }
    const opts = (getArray(c, "agents.defaults.sandbox.docker.securityOpt") ?? []).map(String);
    for (const o of opts) {
      if (/seccomp[:=]unconfined/i.test(o))
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-051",
            openclawCheckId: "sandbox.dangerous_seccomp_profile",
            severity: "critical",
            title: "Sandbox runs without seccomp",
            group: "config",
            evidence: [keyEvidence(ctx, "agents.defaults.sandbox.docker.securityOpt", o)],
            remediation: "Remove seccomp=unconfined.",
          }),
        );
      if (/apparmor[:=]unconfined/i.test(o))
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-051",
            openclawCheckId: "sandbox.dangerous_apparmor_profile",
            severity: "critical",
            title: "Sandbox runs without AppArmor",
            group: "config",
            evidence: [keyEvidence(ctx, "agents.defaults.sandbox.docker.securityOpt", o)],
            remediation: "Remove apparmor=unconfined.",
          }),
        );
    }
    if (getString(c, "tools.exec.host") === "sandbox" && mode === "off") {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-052",
          openclawCheckId: "tools.exec.host_sandbox_no_sandbox_defaults",
          severity: "medium",
          title: "Exec targets a sandbox that is off",
          group: "config",
          evidence: [
            keyEvidence(
              ctx,
              "tools.exec.host",
              "exec.host sandbox while agents.defaults.sandbox.mode is off",
            ),
          ],
          remediation: "Enable the sandbox or change tools.exec.host.",
        }),
      );
    }
    return out;
  },
};

// ---------------------------------------------------------------------------- channels

const channels: AuditCheck = {
  id: "CP-AUDIT-053",
  openclawCheckId: "channels.*.dm.open",
  title: "Chat channel policies",
  group: "config",
  run(ctx) {
    const c = ctx.config.effective;
    const out: AuditFinding[] = [];
    const chans = getObject(c, "channels") ?? {};
    const dmScope = getString(c, "session.dmScope") ?? "main";
    for (const [ch, cfg] of Object.entries(chans)) {
      if (!isObject(cfg)) continue;
      const allowFrom = Array.isArray(cfg.allowFrom) ? cfg.allowFrom.map(String) : [];
      const base = `channels.${ch}`;
      if (cfg.dmPolicy === "open") {
        if (allowFrom.includes("*")) {
          out.push(
            mk(ctx, {
              ruleId: "CP-AUDIT-053",
              openclawCheckId: `${base}.dm.open`,
              severity: "critical",
              title: `Anyone can message the agent on ${ch}`,
              group: "config",
              evidence: [keyEvidence(ctx, `${base}.dmPolicy`, 'dmPolicy open with allowFrom "*"')],
              remediation: `Set ${base}.dmPolicy to "pairing" (approve each sender) or "allowlist".`,
            }),
          );
        } else {
          out.push(
            mk(ctx, {
              ruleId: "CP-AUDIT-054",
              openclawCheckId: `${base}.dm.open_invalid`,
              severity: "medium",
              title: `${ch} DM policy "open" without "*"`,
              group: "config",
              evidence: [
                keyEvidence(
                  ctx,
                  `${base}.dmPolicy`,
                  'open needs "*" in allowFrom; the config is inconsistent',
                ),
              ],
              remediation: `Use "allowlist" with explicit ids, or "pairing".`,
            }),
          );
        }
        if (dmScope === "main") {
          out.push(
            mk(ctx, {
              ruleId: "CP-AUDIT-056",
              openclawCheckId: `${base}.dm.scope_main_multiuser`,
              severity: "medium",
              title: `${ch} DMs from different people share one session`,
              group: "config",
              evidence: [
                keyEvidence(ctx, "session.dmScope", `session.dmScope is ${dmScope}`, JSON.stringify(dmScope)),
              ],
              remediation: 'Set session.dmScope to "per-channel-peer".',
            }),
          );
        }
      } else if (cfg.dmPolicy === "disabled") {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-055",
            openclawCheckId: `${base}.dm.disabled`,
            severity: "info",
            title: `${ch} DMs are disabled`,
            group: "config",
            evidence: [keyEvidence(ctx, `${base}.dmPolicy`, "DMs disabled")],
            remediation: "Nothing to do.",
          }),
        );
      }
      if (cfg.groupPolicy === "open") {
        const hasGroups = isObject(cfg.groups) && Object.keys(cfg.groups).length > 0;
        const groupAllow = Array.isArray(cfg.groupAllowFrom) ? cfg.groupAllowFrom.map(String) : [];
        if (!hasGroups) {
          out.push(
            mk(ctx, {
              ruleId: "CP-AUDIT-057",
              openclawCheckId: `${base}.warning.*`,
              severity: "critical",
              title: `Any ${ch} group can add and use the agent`,
              group: "config",
              evidence: [
                keyEvidence(ctx, `${base}.groupPolicy`, "groupPolicy open and no groups allow-list"),
              ],
              remediation: `Set ${base}.groupPolicy to "allowlist" and list the groups (OpenClaw's own \`security audit --fix\` does this).`,
            }),
          );
        }
        if (ch === "telegram") {
          // OpenClaw's group sender allow-list: groupAllowFrom, per-group/topic allowFrom and
          // the pairing store (credentials/telegram-allowFrom.json); the DM allowFrom is not one
          const store = pairingStore(ctx, "telegram");
          const groups = isObject(cfg.groups) ? Object.values(cfg.groups) : [];
          const override = groups.some(
            (g) =>
              isObject(g) &&
              ((Array.isArray(g.allowFrom) && g.allowFrom.length > 0) ||
                (isObject(g.topics) &&
                  Object.values(g.topics).some(
                    (t) => isObject(t) && Array.isArray(t.allowFrom) && t.allowFrom.length > 0,
                  ))),
          );
          if (groupAllow.includes("*") || store.includes("*")) {
            out.push(
              mk(ctx, {
                ruleId: "CP-AUDIT-059",
                openclawCheckId: "channels.telegram.groups.allowFrom.wildcard",
                severity: "critical",
                title: "Telegram group commands allow every sender",
                group: "config",
                evidence: [
                  groupAllow.includes("*")
                    ? keyEvidence(ctx, `${base}.groupAllowFrom`, '"*" admits every group member')
                    : fileEvidence(
                        storePath(ctx, "telegram"),
                        '"*" in the pairing store admits every group member',
                      ),
                ],
                remediation: 'List numeric user ids instead of "*".',
              }),
            );
          } else if (groupAllow.length === 0 && store.length === 0 && !override) {
            out.push(
              mk(ctx, {
                ruleId: "CP-AUDIT-058",
                openclawCheckId: "channels.telegram.groups.allowFrom.missing",
                severity: "critical",
                title: "Telegram group commands have no sender allow-list",
                group: "config",
                evidence: [
                  keyEvidence(
                    ctx,
                    `${base}.groupPolicy`,
                    "No groupAllowFrom, no per-group allowFrom, empty pairing store",
                  ),
                ],
                remediation: "Set channels.telegram.groupAllowFrom to numeric user ids.",
              }),
            );
          }
        }
      }
      if (cfg.dangerouslyAllowNameMatching === true) {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-060",
            openclawCheckId: `${base}.allowFrom.dangerous_name_matching_enabled`,
            severity: "medium",
            title: `${ch} allow-lists match display names`,
            group: "config",
            evidence: [
              keyEvidence(ctx, `${base}.dangerouslyAllowNameMatching`, "Anyone can pick a matching name"),
            ],
            remediation: "Use stable ids in allow-lists and turn name matching off.",
          }),
        );
      }
    }
    return out;
  },
};

// ------------------------------------------------------------------------ browser, plugins

function isPrivateHost(h: string): boolean {
  return (
    isLoopbackAddress(h) ||
    /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(h) ||
    /\.(local|internal|lan)$/.test(h)
  );
}

const browser: AuditCheck = {
  id: "CP-AUDIT-062",
  openclawCheckId: "browser.remote_cdp_http",
  title: "Browser control settings",
  group: "config",
  run(ctx) {
    const c = ctx.config.effective;
    const out: AuditFinding[] = [];
    if (getBool(c, "browser.enabled") === false) return out;
    // browser.cdpUrl is the default profile's CDP endpoint
    const top = getString(c, "browser.cdpUrl");
    const profiles: [string, unknown, string][] = [
      ...(top ? [["default", { cdpUrl: top }, "browser.cdpUrl"] as [string, unknown, string]] : []),
      ...Object.entries(getObject(c, "browser.profiles") ?? {}).map(
        ([name, p]) => [name, p, `browser.profiles.${name}.cdpUrl`] as [string, unknown, string],
      ),
    ];
    for (const [name, p, key] of profiles) {
      if (!isObject(p) || typeof p.cdpUrl !== "string") continue;
      let u: URL;
      try {
        u = new URL(p.cdpUrl);
      } catch {
        continue;
      }
      if (isLoopbackAddress(u.hostname)) continue;
      if (u.protocol === "http:" || u.protocol === "ws:") {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-062",
            openclawCheckId: "browser.remote_cdp_http",
            severity: "medium",
            title: `Remote browser profile ${name} uses plain HTTP`,
            group: "config",
            evidence: [keyEvidence(ctx, key, "The DevTools connection is unencrypted")],
            remediation: "Use https/wss or an SSH tunnel for remote CDP.",
          }),
        );
      }
      if (isPrivateHost(u.hostname)) {
        out.push(
          mk(ctx, {
            ruleId: "CP-AUDIT-063",
            openclawCheckId: "browser.remote_cdp_private_host",
            severity: "medium",
            title: `Remote browser profile ${name} targets a private host`,
            group: "config",
            evidence: [keyEvidence(ctx, key, u.hostname)],
            remediation: "Check that this internal host is intended.",
          }),
        );
      }
    }
    if (getBool(c, "browser.extensionRelay.allowLegacyAuth") === true) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-064",
          openclawCheckId: "browser.extension_relay_legacy_auth",
          severity: "medium",
          title: "Browser relay accepts legacy auth",
          group: "config",
          evidence: [keyEvidence(ctx, "browser.extensionRelay.allowLegacyAuth", "Legacy relay auth is on")],
          remediation: "Set browser.extensionRelay.allowLegacyAuth to false.",
          fixes: ["dangerous-flags"],
        }),
      );
    }
    return out;
  },
};

const plugins: AuditCheck = {
  id: "CP-AUDIT-065",
  openclawCheckId: "plugins.extensions_no_allowlist",
  title: "Installed plugins without an allow-list",
  group: "config",
  run(ctx) {
    const dir = join(ctx.target.stateDir, "extensions");
    if (!existsSync(dir)) return [];
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => !n.startsWith("."));
    } catch {
      return [];
    }
    if (names.length === 0 || (getArray(ctx.config.effective, "plugins.allow") ?? []).length > 0) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "medium",
        title: this.title,
        group: this.group,
        asset: dir,
        evidence: [
          {
            source: "file",
            detail: `${names.length} plugin(s) load without plugins.allow: ${names.slice(0, 10).join(", ")}`,
            location: dir,
            path: dir,
          },
        ],
        remediation: "Set plugins.allow to the plugin ids you installed on purpose.",
      }),
    ];
  },
};

const suppressions: AuditCheck = {
  id: "CP-AUDIT-066",
  openclawCheckId: "security.audit.suppressions.active",
  title: "OpenClaw audit suppressions are configured",
  group: "config",
  run(ctx) {
    const list = getArray(ctx.config.effective, "security.audit.suppressions") ?? [];
    if (list.length === 0) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "info",
        title: `${list.length} OpenClaw audit suppression(s) configured`,
        group: this.group,
        evidence: [
          keyEvidence(
            ctx,
            "security.audit.suppressions",
            "OpenClaw hides these findings; clawpatrol still reports them",
          ),
        ],
        remediation: "Review that each suppression still has a reason.",
      }),
    ];
  },
};

const attackSurface: AuditCheck = {
  id: "CP-AUDIT-090",
  openclawCheckId: "summary.attack_surface",
  title: "Attack surface summary",
  group: "host",
  run(ctx) {
    const c = ctx.config.effective;
    const open = openSurfaces(c).keys;
    const lines = [
      `listen: ${ctx.gw.hosts.join(", ")} port ${ctx.gw.port}${ctx.gw.exposed ? " (beyond loopback)" : ""}`,
      `auth: ${ctx.gw.authMode}${ctx.gw.hasSecret ? ` (${ctx.gw.secretSource})` : " (no secret)"}`,
      `open chat policies: ${open.length ? open.join(", ") : "none"}`,
      `elevated tools: ${getBool(c, "tools.elevated.enabled") === true ? "enabled" : "off"}`,
      `webhooks: ${getBool(c, "hooks.enabled") === true ? "enabled" : "off"}`,
      `browser control: ${getBool(c, "browser.enabled") === false ? "off" : "on"}`,
    ];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "info",
        title: this.title,
        group: this.group,
        evidence: [{ source: "summary", detail: lines.join("; "), excerpt: lines.join("\n") }],
        remediation: "For context only.",
      }),
    ];
  },
};

export const SETTINGS_CHECKS: AuditCheck[] = [
  dangerousFlagsCheck,
  hooksChecks,
  redactOff,
  elevated,
  exposureMatrix,
  sandbox,
  channels,
  browser,
  plugins,
  suppressions,
  attackSurface,
];
