// One scenario per audit rule: each must fire on its scenario (with its OpenClaw id), and
// a hardened config must stay free of problem findings. A meta-test fails when a rule id in
// src/audit has no scenario here.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ListeningSocket } from "../../src/audit/types.ts";
import { cleanupScenarios, ids, run, type Scenario } from "./support/scenario.ts";

afterAll(cleanupScenarios);

const LOG = (lines: string[]) =>
  lines
    .map((l) => JSON.stringify({ "0": '{"subsystem":"gateway/ws"}', "1": l, time: "2026-11-20T10:00:00Z" }))
    .join("\n");

const sock = (address: string, port: number, extra: Partial<ListeningSocket> = {}): ListeningSocket => ({
  proto: address.includes(":") ? "tcp6" : "tcp",
  address,
  port,
  inode: 1,
  pid: 4242,
  process: "openclaw-gateway",
  ...extra,
});

const proc = {
  pid: 4242,
  cmdline: ["openclaw-gateway"],
  env: {},
  stateDir: null,
  configPath: null,
  packageDir: null,
};

interface Case {
  name: string;
  s: Scenario;
  expect: [string, string | null][];
}

const cases: Case[] = [
  {
    name: "lan without auth",
    s: { config: `{ gateway: { bind: "lan", auth: { mode: "none" } } }` },
    expect: [
      ["CP-AUDIT-001", "gateway.bind_no_auth"],
      ["CP-AUDIT-025", "gateway.http.no_auth"],
    ],
  },
  {
    name: "loopback without auth (clawdbot implicit none)",
    s: { config: `{ gateway: { bind: "loopback", auth: {} } }`, product: "clawdbot", version: "2026.1.24-3" },
    expect: [
      ["CP-AUDIT-002", "gateway.loopback_no_auth"],
      ["CP-AUDIT-003", "gateway.trusted_proxies_missing"],
      ["CP-AUDIT-107", null],
    ],
  },
  {
    name: "lan with a token",
    s: {
      config: `{ gateway: { bind: "lan", auth: { token: "${"a".repeat(40)}" }, controlUi: { allowedOrigins: ["https://x.example"] } } }`,
    },
    // only `openclaw doctor` reports gateway.bind_network_accessible, never `security audit`
    expect: [["CP-AUDIT-029", null]],
  },
  {
    name: "lan Control UI without origins",
    s: { config: `{ gateway: { bind: "lan", auth: { token: "${"a".repeat(40)}" } } }` },
    expect: [
      ["CP-AUDIT-004", "gateway.control_ui.allowed_origins_required"],
      ["CP-AUDIT-014", "gateway.auth_no_rate_limit"],
    ],
  },
  {
    name: "wide origins, host fallback, insecure auth, device auth off",
    s: {
      config: `{ gateway: { bind: "lan", auth: { token: "${"a".repeat(40)}" }, controlUi: { allowedOrigins: ["*"], dangerouslyAllowHostHeaderOriginFallback: true, allowInsecureAuth: true, dangerouslyDisableDeviceAuth: true } } }`,
      version: "2026.5.28",
    },
    expect: [
      ["CP-AUDIT-005", "gateway.control_ui.allowed_origins_wildcard"],
      ["CP-AUDIT-006", "gateway.control_ui.host_header_origin_fallback"],
      ["CP-AUDIT-007", "gateway.control_ui.insecure_auth"],
      ["CP-AUDIT-008", "gateway.control_ui.device_auth_disabled"],
      ["CP-AUDIT-024", "config.insecure_or_dangerous_flags"],
    ],
  },
  {
    // 2026.9.6's audit folds these two into config.insecure_or_dangerous_flags
    name: "insecure auth and device auth off on a release whose audit has no own check for them",
    s: {
      config: `{ gateway: { bind: "lan", auth: { token: "${"a".repeat(40)}" }, controlUi: { allowedOrigins: ["https://x.example"], allowInsecureAuth: true, dangerouslyDisableDeviceAuth: true } } }`,
    },
    // the real 2026.9.6 audit reports neither, not even as a dangerous flag (recorded corpus)
    expect: [
      ["CP-AUDIT-007", null],
      ["CP-AUDIT-008", null],
    ],
  },
  {
    name: "device auth off counts as a dangerous flag before 2026.9.6",
    s: {
      config: `{ gateway: { controlUi: { dangerouslyDisableDeviceAuth: true } } }`,
      version: "2026.5.28",
    },
    expect: [["CP-AUDIT-024", "config.insecure_or_dangerous_flags"]],
  },
  {
    name: "real-ip fallback",
    s: { config: `{ gateway: { allowRealIpFallback: true } }` },
    expect: [["CP-AUDIT-009", "gateway.real_ip_fallback_enabled"]],
  },
  {
    name: "funnel",
    s: { config: `{ gateway: { tailscale: { mode: "funnel" }, auth: { password: "${"p".repeat(30)}" } } }` },
    expect: [["CP-AUDIT-010", "gateway.tailscale_funnel"]],
  },
  {
    name: "serve",
    s: { config: `{ gateway: { tailscale: { mode: "serve" } } }` },
    expect: [["CP-AUDIT-011", "gateway.tailscale_serve"]],
  },
  {
    name: "short token",
    s: { config: `{ gateway: { auth: { mode: "token", token: "short-one" } } }` },
    expect: [["CP-AUDIT-012", "gateway.token_too_short"]],
  },
  {
    name: "short password",
    s: { config: `{ gateway: { auth: { mode: "password", password: "hunter2hunter" } } }` },
    expect: [
      ["CP-AUDIT-012", "gateway.password_too_short"],
      ["CP-AUDIT-200", "config.secrets.gateway_password_in_config"],
    ],
  },
  {
    name: "placeholder token",
    s: { config: `{ gateway: { auth: { mode: "token", token: "undefined" } } }` },
    expect: [["CP-AUDIT-013", "gateway.token_placeholder_value"]],
  },
  {
    // OpenClaw knows only blank/undefined/null as placeholders: an example word is just short
    name: "example-word token",
    s: { config: `{ gateway: { auth: { mode: "token", token: "changeme" } } }` },
    expect: [
      ["CP-AUDIT-013", null],
      ["CP-AUDIT-012", "gateway.token_too_short"],
    ],
  },
  {
    name: "trusted proxy with every gap",
    s: {
      config: `{ gateway: { auth: { mode: "trusted-proxy", trustedProxy: { allowLoopback: true, deviceAutoApprove: { enabled: true, scopes: ["operator.admin"] } } } } }`,
    },
    expect: [
      ["CP-AUDIT-015", "gateway.trusted_proxy_auth"],
      ["CP-AUDIT-016", "gateway.trusted_proxy_no_proxies"],
      ["CP-AUDIT-017", "gateway.trusted_proxy_no_user_header"],
      ["CP-AUDIT-018", "gateway.trusted_proxy_no_allowlist"],
      ["CP-AUDIT-019", "gateway.trusted_proxy_allow_loopback"],
      ["CP-AUDIT-020", "gateway.trusted_proxy_device_auto_approve"],
      ["CP-AUDIT-021", "gateway.trusted_proxy_device_auto_approve_admin"],
    ],
  },
  {
    name: "HTTP tools allow",
    s: { config: `{ gateway: { tools: { allow: ["sessions_spawn", "read"] } } }` },
    expect: [["CP-AUDIT-022", "gateway.tools_invoke_http.dangerous_allow"]],
  },
  {
    name: "mDNS full",
    s: { config: `{ discovery: { mdns: { mode: "full" } } }`, env: { OPENCLAW_DISABLE_BONJOUR: "0" } },
    expect: [
      ["CP-AUDIT-023", "discovery.mdns_full_mode"],
      ["CP-AUDIT-107", null],
    ],
  },
  {
    name: "session key override",
    s: { config: `{ gateway: { http: { endpoints: { chatCompletions: { enabled: true } } } } }` },
    expect: [["CP-AUDIT-026", "gateway.http.session_key_override_enabled"]],
  },
  {
    name: "env token differs",
    s: {
      config: `{ gateway: { auth: { token: "${"c".repeat(40)}" } } }`,
      env: { OPENCLAW_GATEWAY_TOKEN: "d".repeat(40) },
    },
    expect: [["CP-AUDIT-027", "gateway.env_token_overrides_config"]],
  },
  {
    name: "MCP apps",
    s: { config: `{ mcp: { apps: { enabled: true } } }` },
    expect: [["CP-AUDIT-028", "mcp.apps.enabled"]],
  },
  {
    name: "hooks",
    s: {
      config: `{ gateway: { auth: { token: "same-token-12" } }, hooks: { enabled: true, token: "same-token-12", path: "/", allowRequestSessionKey: true } }`,
    },
    expect: [
      ["CP-AUDIT-031", "hooks.token_reuse_gateway_token"],
      ["CP-AUDIT-032", "hooks.token_too_short"],
      ["CP-AUDIT-033", "hooks.path_root"],
      ["CP-AUDIT-034", "hooks.default_session_key_unset"],
      ["CP-AUDIT-035", "hooks.allowed_agent_ids_unrestricted"],
      ["CP-AUDIT-036", "hooks.request_session_key_enabled"],
      ["CP-AUDIT-037", "hooks.request_session_key_prefixes_missing"],
      ["CP-AUDIT-200", "config.secrets.hooks_token_in_config"],
    ],
  },
  {
    name: "redaction off",
    s: { config: `{ logging: { redactSensitive: "off" } }`, version: "2026.3.13" },
    expect: [["CP-AUDIT-038", "logging.redact_off"]],
  },
  {
    name: "elevated wildcard + open chats + full exec",
    s: {
      config: `{ tools: { profile: "full", elevated: { enabled: true, allowFrom: { telegram: ["*"], discord: [${Array.from({ length: 30 }, (_, i) => `"u${i}"`).join(",")}] } }, exec: { security: "full", ask: "off" } }, channels: { telegram: { dmPolicy: "open", allowFrom: ["*"], groupPolicy: "open" } } }`,
    },
    expect: [
      ["CP-AUDIT-039", "tools.elevated.allowFrom.telegram.wildcard"],
      ["CP-AUDIT-040", "tools.elevated.allowFrom.discord.large"],
      ["CP-AUDIT-041", "tools.exec.security_full_configured"],
      ["CP-AUDIT-042", "security.exposure.open_channels_with_exec"],
      ["CP-AUDIT-043", "security.exposure.open_groups_with_elevated"],
      ["CP-AUDIT-044", "security.exposure.open_groups_with_runtime_or_fs"],
      ["CP-AUDIT-045", "security.exposure.open_groups_with_control_plane_tools"],
      ["CP-AUDIT-046", "security.trust_model.multi_user_heuristic"],
      ["CP-AUDIT-053", "channels.telegram.dm.open"],
      // 2026.9.6's audit has no dm.scope_main_multiuser check any more (2026.1.24 to 2026.5.28 do)
      ["CP-AUDIT-056", null],
      ["CP-AUDIT-057", "channels.telegram.warning.*"],
      // the DM allowFrom is no group sender list: OpenClaw reports the group list missing
      ["CP-AUDIT-058", "channels.telegram.groups.allowFrom.missing"],
    ],
  },
  {
    name: "telegram group sender list with a wildcard",
    s: { config: `{ channels: { telegram: { groupPolicy: "open", groupAllowFrom: ["*"] } } }` },
    expect: [["CP-AUDIT-059", "channels.telegram.groups.allowFrom.wildcard"]],
  },
  {
    name: "telegram wildcard in the pairing store",
    s: {
      config: `{ channels: { telegram: { groupPolicy: "open" } } }`,
      files: { "state/credentials/telegram-allowFrom.json": `{ "version": 1, "allowFrom": ["*"] }` },
    },
    expect: [["CP-AUDIT-059", "channels.telegram.groups.allowFrom.wildcard"]],
  },
  {
    name: "sandbox",
    s: {
      config: `{ tools: { exec: { host: "sandbox" } }, agents: { defaults: { sandbox: { mode: "off", docker: { network: "host", binds: ["/var/run/docker.sock:/var/run/docker.sock", "data:/data"], securityOpt: ["seccomp=unconfined", "apparmor=unconfined"] } } } } }`,
    },
    expect: [
      ["CP-AUDIT-047", "sandbox.docker_config_mode_off"],
      ["CP-AUDIT-048", "sandbox.dangerous_bind_mount"],
      ["CP-AUDIT-049", "sandbox.dangerous_network_mode"],
      ["CP-AUDIT-050", "sandbox.bind_mount_non_absolute"],
      ["CP-AUDIT-051", "sandbox.dangerous_seccomp_profile"],
      ["CP-AUDIT-051", "sandbox.dangerous_apparmor_profile"],
      ["CP-AUDIT-052", "tools.exec.host_sandbox_no_sandbox_defaults"],
    ],
  },
  {
    name: "channel policies",
    s: {
      config: `{ channels: { discord: { dmPolicy: "open", allowFrom: ["a"], dangerouslyAllowNameMatching: true }, slack: { dmPolicy: "disabled" }, telegram: { groupPolicy: "open", groups: { "-100": {} } } } }`,
    },
    expect: [
      ["CP-AUDIT-054", "channels.discord.dm.open_invalid"],
      ["CP-AUDIT-055", "channels.slack.dm.disabled"],
      ["CP-AUDIT-058", "channels.telegram.groups.allowFrom.missing"],
      ["CP-AUDIT-060", "channels.discord.allowFrom.dangerous_name_matching_enabled"],
    ],
  },
  {
    name: "browser",
    s: {
      config: `{ browser: { profiles: { remote: { cdpUrl: "http://10.1.2.3:9222" } }, extensionRelay: { allowLegacyAuth: true } } }`,
    },
    expect: [
      ["CP-AUDIT-062", "browser.remote_cdp_http"],
      ["CP-AUDIT-063", "browser.remote_cdp_private_host"],
      ["CP-AUDIT-064", "browser.extension_relay_legacy_auth"],
    ],
  },
  {
    name: "plugins without allow-list",
    s: { config: "{}", files: { "state/extensions/evil/package.json": "{}" } },
    expect: [["CP-AUDIT-065", "plugins.extensions_no_allowlist"]],
  },
  {
    name: "suppressions",
    s: { config: `{ security: { audit: { suppressions: [{ checkId: "x", reason: "y" }] } } }` },
    expect: [
      ["CP-AUDIT-066", "security.audit.suppressions.active"],
      ["CP-AUDIT-090", "summary.attack_surface"],
    ],
  },
  {
    name: "state dir readable",
    s: { config: "{}", modes: { state: 0o755 } },
    expect: [["CP-AUDIT-070", "fs.state_dir.perms_readable"]],
  },
  {
    name: "state dir world-writable",
    s: { config: "{}", modes: { state: 0o777 } },
    expect: [["CP-AUDIT-071", "fs.state_dir.perms_world_writable"]],
  },
  {
    name: "state dir group-writable",
    s: { config: "{}", modes: { state: 0o770 } },
    expect: [["CP-AUDIT-072", "fs.state_dir.perms_group_writable"]],
  },
  {
    name: "config writable",
    s: { config: "{}", modes: { "openclaw.json": 0o666 } },
    expect: [["CP-AUDIT-074", "fs.config.perms_writable"]],
  },
  {
    name: "config world-readable",
    s: { config: "{}", modes: { "openclaw.json": 0o644 } },
    expect: [["CP-AUDIT-075", "fs.config.perms_world_readable"]],
  },
  {
    name: "config group-readable",
    s: { config: "{}", modes: { "openclaw.json": 0o640 } },
    expect: [["CP-AUDIT-076", "fs.config.perms_group_readable"]],
  },
  {
    name: "include modes",
    s: {
      config: `{ $include: ["./a.json5", "./b.json5", "./c.json5"] }`,
      files: { "a.json5": "{}", "b.json5": "{}", "c.json5": "{}" },
      modes: { "a.json5": 0o646, "b.json5": 0o644, "c.json5": 0o640 },
    },
    expect: [
      ["CP-AUDIT-078", "fs.config_include.perms_writable"],
      ["CP-AUDIT-079", "fs.config_include.perms_world_readable"],
      ["CP-AUDIT-080", "fs.config_include.perms_group_readable"],
    ],
  },
  {
    name: "credential stores",
    s: {
      config: `{ logging: { file: "__ROOT__/gw.log" } }`,
      files: {
        "state/credentials/x.json": "{}",
        "state/agents/main/agent/auth-profiles.json": "{}",
        "state/agents/ops/agent/auth-profiles.json": "{}",
        "state/agents/main/sessions/sessions.json": "{}",
        "gw.log": "",
      },
      modes: {
        "state/credentials": 0o755,
        "state/agents/main/agent/auth-profiles.json": 0o644,
        "state/agents/ops/agent/auth-profiles.json": 0o666,
        "state/agents/main/sessions/sessions.json": 0o644,
        "gw.log": 0o644,
      },
    },
    expect: [
      ["CP-AUDIT-082", "fs.credentials_dir.perms_readable"],
      ["CP-AUDIT-083", "fs.auth_profiles.perms_writable"],
      ["CP-AUDIT-084", "fs.auth_profiles.perms_readable"],
      ["CP-AUDIT-085", "fs.sessions_store.perms_readable"],
      ["CP-AUDIT-086", "fs.log_file.perms_readable"],
    ],
  },
  {
    name: "credentials dir writable",
    s: { config: "{}", files: { "state/credentials/x.json": "{}" }, modes: { "state/credentials": 0o777 } },
    expect: [["CP-AUDIT-081", "fs.credentials_dir.perms_writable"]],
  },
  {
    name: "side files readable",
    s: {
      config: "{}",
      files: {
        "openclaw.json.bak": `{ gateway: { auth: { token: "${"e".repeat(40)}" } } }`,
        "state/.env": "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123\n",
      },
      modes: { "openclaw.json.bak": 0o644, "state/.env": 0o640 },
    },
    expect: [
      ["CP-AUDIT-088", null],
      ["CP-AUDIT-201", null],
      ["CP-AUDIT-202", null],
    ],
  },
  {
    name: "live: wildcard listener, side port, config mismatch",
    s: {
      config: `{ gateway: { port: 18789, auth: { token: "${"a".repeat(40)}" } } }`,
      sockets: [sock("0.0.0.0", 18789), sock("0.0.0.0", 18791)],
      processes: [proc],
      probes: [{ address: "192.0.2.10", port: 18789, reachable: true }],
    },
    expect: [
      ["CP-AUDIT-100", null],
      ["CP-AUDIT-101", null],
      ["CP-AUDIT-103", null],
    ],
  },
  {
    name: "relay in front of a no-auth loopback gateway",
    s: {
      config: `{ gateway: { port: 18829, auth: { mode: "none" } } }`,
      sockets: [
        sock("127.0.0.1", 18829),
        sock("0.0.0.0", 28829, {
          pid: 99,
          process: "/usr/bin/node",
          cmdline: ["/usr/bin/node", "relay.mjs", "0.0.0.0", "28829", "127.0.0.1", "18829"],
        }),
      ],
      processes: [proc],
    },
    expect: [["CP-AUDIT-104", null]],
  },
  {
    name: "container default bind",
    s: { config: `{ gateway: { auth: { token: "${"a".repeat(40)}" } } }`, inContainer: true },
    expect: [["CP-AUDIT-106", null]],
  },
  {
    name: "unreadable include and missing env",
    s: { config: `{ $include: "../outside.json5", gateway: { auth: { token: "\${NOPE_TOKEN}" } } }` },
    expect: [
      ["CP-AUDIT-110", null],
      ["CP-AUDIT-111", null],
    ],
  },
  {
    name: "old version advisories",
    s: { config: "{}", product: "clawdbot", version: "2026.1.24-3" },
    expect: [["CP-AUDIT-120", null]],
  },
  { name: "unknown version", s: { config: "{}", version: null }, expect: [["CP-AUDIT-121", null]] },
  {
    name: "service file secret and device store tokens",
    s: {
      config: "{}",
      files: {
        "unit.service": "[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN=ffffffffffffffffffffffffffffffff\n",
        "state/devices/paired.json": JSON.stringify({
          dev1: {
            deviceId: "dev1",
            displayName: "laptop",
            platform: "linux",
            role: "operator",
            scopes: ["operator.admin"],
            remoteIp: "203.0.113.7",
            tokens: { operator: { token: "t".repeat(40) } },
          },
        }),
      },
    },
    expect: [
      ["CP-AUDIT-203", null],
      ["CP-AUDIT-303", null],
    ],
  },
  {
    name: "logs with remote sessions, probes and proxy warnings; approved senders; changed keys",
    s: {
      config: `{ logging: { file: "__ROOT__/gw.log" }, gateway: { tools: { allow: ["exec"] } } }`,
      files: {
        "gw.log": LOG([
          "webchat connected conn=1 remote=203.0.113.9 client=webchat v2",
          "closed before connect conn=2 remote=198.51.100.4 fwd=n/a",
          "unauthorized conn=3 remote=10.0.0.8 reason=token_mismatch",
          "Loopback connection with non-local Host header. Treating it as remote.",
        ]),
        "state/credentials/telegram-allowFrom.json": `{ "allowFrom": ["42"] }`,
        "openclaw.json.bak": "{}",
      },
    },
    expect: [
      ["CP-AUDIT-300", null],
      ["CP-AUDIT-301", null],
      ["CP-AUDIT-302", null],
      ["CP-AUDIT-304", null],
      ["CP-AUDIT-305", null],
    ],
  },
  {
    name: "legacy, weak-tier and small models (models.ts)",
    s: {
      config: `{ agents: { defaults: { model: { primary: "openai/gpt-3.5-turbo", fallbacks: ["anthropic/claude-3-haiku-20240307", "ollama/llama3:8b"] } } } }`,
    },
    expect: [
      ["CP-AUDIT-130", "models.legacy"],
      ["CP-AUDIT-131", "models.weak_tier"],
      ["CP-AUDIT-132", "models.small_params"],
    ],
  },
  {
    name: "exec safe bins and fs drift (tools-exec.ts)",
    s: {
      config: `{ tools: { allow: ["exec", "read"], exec: { safeBins: ["python3", "jq"], safeBinTrustedDirs: ["/tmp/bin"] } } }`,
    },
    expect: [
      ["CP-AUDIT-140", "tools.exec.safe_bins_interpreter_unprofiled"],
      ["CP-AUDIT-141", "tools.exec.safe_bins_broad_behavior"],
      ["CP-AUDIT-142", "tools.exec.safe_bin_trusted_dirs_risky"],
      ["CP-AUDIT-143", "tools.exec.fs_tools_disabled_but_exec_enabled"],
    ],
  },
  {
    name: "agent exec host sandbox with the sandbox off (tools-exec.ts)",
    s: {
      config: `{ agents: { list: [{ id: "main", default: true, tools: { exec: { host: "sandbox" } } }] } }`,
    },
    expect: [["CP-AUDIT-145", "tools.exec.host_sandbox_no_sandbox_agents"]],
  },
  {
    name: "group rooms share the main session (trust-model.ts)",
    s: { config: `{ session: { groupScope: "main" } }` },
    expect: [["CP-AUDIT-160", "security.trust_model.group_scope_main"]],
  },
  {
    name: "minimal profile overridden by an agent (tools-exec.ts)",
    s: {
      config: `{ tools: { profile: "minimal" }, agents: { list: [{ id: "main" }, { id: "ops", tools: { profile: "full" } }] } }`,
    },
    expect: [["CP-AUDIT-144", "tools.profile_minimal_overridden"]],
  },
  {
    name: "node command allow and deny lists (nodes.ts)",
    s: {
      config: `{ gateway: { nodes: { allowCommands: ["camera.snap", "canvas.present"], denyCommands: ["system.run*"] } } }`,
      version: "2026.5.28",
    },
    expect: [
      ["CP-AUDIT-150", "gateway.nodes.allow_commands_dangerous"],
      ["CP-AUDIT-151", "gateway.nodes.deny_commands_ineffective"],
    ],
  },
];

describe("audit checks", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { findings } = await run(c.s);
      for (const [rule, oc] of c.expect) {
        const hit = findings.filter((f) => f.ruleId === rule);
        expect(hit.length, `${rule} should fire; got ${ids(findings).join(" ")}`).toBeGreaterThan(0);
        if (oc !== null) expect(hit.map((f) => f.openclawCheckId)).toContain(oc);
        for (const f of hit) {
          expect(f.title.length).toBeGreaterThan(0);
          expect(f.remediation.length).toBeGreaterThan(0);
          expect(f.evidence.length).toBeGreaterThan(0);
        }
      }
    });
  }

  it("service env secrets are found through the unit file", async () => {
    const { buildContext } = await import("./support/scenario.ts");
    const { parseSystemdUnit } = await import("../../src/audit/discovery.ts");
    const { auditTarget } = await import("../../src/audit/run.ts");
    const ctx = buildContext({ config: "{}" });
    const unitPath = join(ctx.target.stateDir, "..", "gw.service");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      unitPath,
      "[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN=abcdefabcdefabcdefabcdefabcdef12\nExecStart=/usr/bin/openclaw gateway --bind lan --port 18800\n",
    );
    const svc = parseSystemdUnit(unitPath, readFileSync(unitPath, "utf8"));
    expect(svc.flags).toMatchObject({ bind: "lan", port: 18800 });
    ctx.target.services.push(svc);
    const f = await auditTarget(ctx);
    expect(f.some((x) => x.ruleId === "CP-AUDIT-202" && x.evidence.some((e) => e.path === unitPath))).toBe(
      true,
    );
  });

  it("a hardened config has no problem findings", async () => {
    const { findings } = await run({
      config: `{ gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: "${"9".repeat(48)}" }, trustedProxies: ["127.0.0.1"], controlUi: { allowedOrigins: ["https://control.example.com"] } }, discovery: { mdns: { mode: "off" } } }`,
      version: "2026.9.6",
    });
    const problems = findings.filter(
      (f) => f.severity !== "info" && f.group !== "secrets" && f.ruleId !== "CP-AUDIT-120",
    );
    expect(problems.map((f) => `${f.ruleId} ${f.title}`)).toEqual([]);
  });

  it("never prints a configured secret in evidence", async () => {
    const secret = "s3cr3t-TOKEN-value-that-is-long-enough-42";
    const { findings } = await run({
      config: `{ gateway: { bind: "lan", auth: { mode: "none", token: "${secret}" } }, hooks: { enabled: true, token: "${secret}" } }`,
    });
    expect(JSON.stringify(findings)).not.toContain(secret);
  });

  it("every rule id in src/audit has a scenario here", () => {
    const srcIds = new Set<string>();
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else
          for (const m of readFileSync(p, "utf8").matchAll(/CP-AUDIT-(\d{3})/g))
            srcIds.add(`CP-AUDIT-${m[1]}`);
      }
    };
    walk(join(import.meta.dirname, "../../src/audit"));
    const tested = new Set(cases.flatMap((c) => c.expect.map(([r]) => r)));
    tested.add("CP-AUDIT-202");
    tested.add("CP-AUDIT-073"); // symlinks: see files.test.ts
    tested.add("CP-AUDIT-077");
    tested.add("CP-AUDIT-087");
    tested.add("CP-AUDIT-105"); // compose: see discovery.test.ts
    tested.add("CP-AUDIT-400"); // --with-openclaw: see with-openclaw.test.ts
    const missing = [...srcIds].filter((x) => !tested.has(x)).sort();
    expect(missing).toEqual([]);
  });
});
