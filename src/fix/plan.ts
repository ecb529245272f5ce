// Turns an audit of one gateway into a repair plan: config edits (made with the
// comment-keeping JSON5 editor), file-mode changes, and the reasons for each. Only keys
// the installed version accepts are written (its config schema is strict). Changes that
// could cut the owner off (a remote-only setup) are held back unless --allow-lockout.

import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createTwoFilesPatch } from "diff";
import { atLeast, before, isLoopbackAddress } from "../audit/bind.ts";
import { sideSecretFiles } from "../audit/checks/files.ts";
import { HTTP_DENY } from "../audit/checks/gateway.ts";
import { dangerousFlags } from "../audit/checks/settings.ts";
import { getArray, getBool, getPath, getString, isObject, type Json, locate } from "../audit/config.ts";
import type { AuditFinding, CheckContext } from "../audit/types.ts";
import { applyEdits } from "./json5-edit.ts";
import { resolveWriteTarget, TargetRefusal, unwritableReason } from "./target-file.ts";

export interface ConfigEdit {
  path: string[];
  /** undefined removes the key. */
  value: Json | undefined;
  why: string;
  action: string;
}

export interface ModeChange {
  path: string;
  from: number;
  to: number;
  why: string;
}

export interface FileChange {
  path: string;
  before: string;
  after: string;
  mode: number;
  edits: ConfigEdit[];
}

export interface HeldBack {
  action: string;
  why: string;
  flag: string;
}

export interface FixPlan {
  stateDir: string;
  configPath: string;
  files: FileChange[];
  modes: ModeChange[];
  held: HeldBack[];
  /** Problems that need the user (service files, env, versions without the key). */
  advice: string[];
  refused: string | null;
  /** A newly generated gateway token, if the plan sets one (shown once, redacted elsewhere). */
  newToken: { kind: "token" | "password"; value: string } | null;
  newHooksToken: string | null;
}

export interface PlanOptions {
  allowLockout?: boolean;
  /** Only these action ids (default: all). */
  only?: string[];
}

export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

const oct = (m: number) => m.toString(8).padStart(3, "0");

/** Why a config may not be edited (Nix mode, read-only, not writable); null when it may. */
export function immutableReason(ctx: CheckContext): string | null {
  const env = ctx.target.env;
  if (env.OPENCLAW_NIX_MODE === "1" || env.CLAWDBOT_NIX_MODE === "1") {
    return "OPENCLAW_NIX_MODE=1: this config is managed by Nix and immutable; change it in your Nix configuration instead.";
  }
  const p = ctx.config.path;
  try {
    if (lstatSync(p).isSymbolicLink() && resolve(dirname(p), readlinkSync(p)).startsWith("/nix/store/")) {
      return `${p} links into /nix/store (Nix-managed, read-only); change it in your Nix configuration instead.`;
    }
  } catch {
    // missing file: writing a new one is fine if the dir is writable
  }
  // the file that would be replaced: kind (FIFO, device, directory, dangling link), read-only, owner
  try {
    return unwritableReason(resolveWriteTarget(p));
  } catch (err) {
    if (err instanceof TargetRefusal) return err.message;
    throw err;
  }
}

function localOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** Evidence that the owner reaches this gateway from elsewhere (binding to loopback would cut them off). */
export function remoteUseEvidence(ctx: CheckContext, findings: AuditFinding[]): string[] {
  const ev: string[] = [];
  for (const o of (getArray(ctx.config.effective, "gateway.controlUi.allowedOrigins") ?? []).map(String)) {
    try {
      const h = new URL(o).hostname.replace(/^\[|\]$/g, "");
      if (!isLoopbackAddress(h) && h !== "localhost") ev.push(`gateway.controlUi.allowedOrigins lists ${o}`);
    } catch {
      // "*" and other non-URLs
    }
  }
  for (const f of findings) {
    if (f.ruleId === "CP-AUDIT-300") ev.push(f.title);
  }
  if (ctx.gw.inContainer)
    ev.push("the gateway runs in a container, where clients connect through a published port");
  const svc = ctx.target.services.find((s) => s.flags.bind && s.flags.bind !== "loopback");
  if (svc) ev.push(`${svc.path} starts it with --bind ${svc.flags.bind}`);
  return ev;
}

function want(opts: PlanOptions, id: string): boolean {
  return !opts.only || opts.only.includes(id);
}

export function planFixes(ctx: CheckContext, findings: AuditFinding[], opts: PlanOptions = {}): FixPlan {
  const cfg = ctx.config;
  const c = cfg.effective;
  const v = ctx.target.version;
  const product = ctx.target.product;
  const edits: ConfigEdit[] = [];
  const held: HeldBack[] = [];
  const advice: string[] = [];
  const ids = new Set(findings.flatMap((f) => f.fixes ?? []));
  const has = (id: string) => ids.has(id) && want(opts, id);
  let newToken: FixPlan["newToken"] = null;
  let newHooksToken: string | null = null;
  const plan: FixPlan = {
    stateDir: ctx.target.stateDir,
    configPath: cfg.path,
    files: [],
    modes: [],
    held,
    advice,
    refused: null,
    newToken: null,
    newHooksToken: null,
  };

  // --- bind to loopback
  let willBeLoopback = !ctx.gw.exposed;
  if (has("bind-loopback") && ctx.gw.exposed) {
    const remote = remoteUseEvidence(ctx, findings);
    if (remote.length > 0 && !opts.allowLockout) {
      held.push({
        action: "bind-loopback",
        why: `Binding to loopback would cut off remote clients: ${remote.join("; ")}. Reach it through an SSH tunnel (ssh -L 18789:127.0.0.1:${ctx.gw.port} host) or Tailscale Serve instead.`,
        flag: "--allow-lockout",
      });
    } else {
      edits.push({
        path: ["gateway", "bind"],
        value: "loopback",
        why: `the gateway ${ctx.gw.hosts.join(", ")}:${ctx.gw.port} is reachable from other machines`,
        action: "bind-loopback",
      });
      if (getPath(c, ["gateway", "customBindHost"]) !== undefined)
        edits.push({
          path: ["gateway", "customBindHost"],
          value: undefined,
          why: "not used with loopback",
          action: "bind-loopback",
        });
      willBeLoopback = true;
      const svc = ctx.target.services.find((s) => s.flags.bind && s.flags.bind !== "loopback");
      if (svc)
        advice.push(
          `${svc.path} passes --bind ${svc.flags.bind}, which overrides the config: remove it and reload the service.`,
        );
      if (ctx.gw.inContainer)
        advice.push('In Docker, also publish the port on loopback only: "127.0.0.1:18789:18789".');
    }
  }

  // --- a strong gateway secret
  const weak = findings.some((f) => (f.fixes ?? []).includes("auth-token"));
  if (has("auth-token") && weak) {
    const rawTok = getPath(c, ["gateway", "auth", "token"]);
    const rawPw = getPath(c, ["gateway", "auth", "password"]);
    const managed = (x: Json | undefined) =>
      isObject(x ?? null) || (typeof x === "string" && x.includes("$" + "{"));
    if (ctx.gw.authMode === "password" && getString(c, "gateway.auth.mode") === "password") {
      if (managed(rawPw))
        advice.push(
          "The gateway password comes from a SecretRef or an environment variable: set a long random value at its source.",
        );
      else {
        const pw = generateSecret();
        newToken = { kind: "password", value: pw };
        edits.push({
          path: ["gateway", "auth", "password"],
          value: pw,
          why: "the password is short or a placeholder",
          action: "auth-token",
        });
      }
    } else if (managed(rawTok)) {
      advice.push(
        "The gateway token comes from a SecretRef or an environment variable: set a long random value at its source.",
      );
    } else if (ctx.gw.authMode === "trusted-proxy") {
      advice.push("trusted-proxy auth: secure the proxy; no token was written.");
    } else {
      const tok =
        typeof rawTok === "string" &&
        rawTok.trim().length >= 32 &&
        !/^(changeme|token|undefined|null)$/i.test(rawTok.trim())
          ? null
          : generateSecret();
      if (getString(c, "gateway.auth.mode") !== "token")
        edits.push({
          path: ["gateway", "auth", "mode"],
          value: "token",
          why: `auth is ${ctx.gw.authMode}: anyone who reaches the port is an operator`,
          action: "auth-token",
        });
      if (tok) {
        newToken = { kind: "token", value: tok };
        edits.push({
          path: ["gateway", "auth", "token"],
          value: tok,
          why: "no token, or a short/placeholder one",
          action: "auth-token",
        });
      }
    }
  }

  // --- distinct, long hooks token and a safe hooks path
  if (has("hooks-token")) {
    const ht = getString(c, "hooks.token");
    if (ht !== undefined && !ht.includes("$" + "{")) {
      newHooksToken = generateSecret();
      edits.push({
        path: ["hooks", "token"],
        value: newHooksToken,
        why: "the webhook token is short or equals the gateway secret",
        action: "hooks-token",
      });
    }
  }
  if (has("hooks-path") && getString(c, "hooks.path")?.trim().replace(/\/+$/, "") === "") {
    edits.push({
      path: ["hooks", "path"],
      value: "/hooks",
      why: "hooks at / shadow every other route",
      action: "hooks-path",
    });
  }

  // --- dangerous flags off
  if (has("dangerous-flags")) {
    for (const f of dangerousFlags(c)) {
      const path = f.key.split(".");
      if (
        f.key === "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback" &&
        !willBeLoopback &&
        (getArray(c, "gateway.controlUi.allowedOrigins") ?? []).length === 0
      ) {
        edits.push({
          path: ["gateway", "controlUi", "allowedOrigins"],
          value: localOrigins(ctx.gw.port),
          why: "a non-loopback Control UI needs explicit origins once the Host fallback is gone",
          action: "dangerous-flags",
        });
      }
      if (f.key === "tools.exec.applyPatch.workspaceOnly")
        edits.push({
          path,
          value: undefined,
          why: "patches may write outside the workspace",
          action: "dangerous-flags",
        });
      else if (f.key === "plugins.entries.acpx.config.permissionMode")
        edits.push({
          path,
          value: undefined,
          why: "approve-all lets the plugin act without asking",
          action: "dangerous-flags",
        });
      else
        edits.push({
          path,
          value: undefined,
          why: `${f.key} is a debugging/break-glass switch`,
          action: "dangerous-flags",
        });
    }
    if (getBool(c, "gateway.allowRealIpFallback") === true)
      edits.push({
        path: ["gateway", "allowRealIpFallback"],
        value: undefined,
        why: "X-Real-IP can be spoofed",
        action: "dangerous-flags",
      });
    if (getString(c, "logging.redactSensitive") === "off")
      edits.push({
        path: ["logging", "redactSensitive"],
        value: "tools",
        why: "logs would keep secrets",
        action: "dangerous-flags",
      });
    if (getBool(c, "browser.extensionRelay.allowLegacyAuth") === true)
      edits.push({
        path: ["browser", "extensionRelay", "allowLegacyAuth"],
        value: false,
        why: "legacy relay auth is weak",
        action: "dangerous-flags",
      });
    const origins = getArray(c, "gateway.controlUi.allowedOrigins");
    if (origins?.some((o) => o === "*")) {
      const kept = origins.filter((o) => o !== "*");
      edits.push({
        path: ["gateway", "controlUi", "allowedOrigins"],
        value: kept.length ? kept : localOrigins(ctx.gw.port),
        why: '"*" lets any web page drive the Control UI',
        action: "dangerous-flags",
      });
    }
    const allow = getArray(c, "gateway.tools.allow");
    if (allow?.some((t) => HTTP_DENY.includes(String(t).toLowerCase()))) {
      edits.push({
        path: ["gateway", "tools", "allow"],
        value: allow.filter((t) => !HTTP_DENY.includes(String(t).toLowerCase())),
        why: "HTTP /tools/invoke must not reach control-plane tools",
        action: "dangerous-flags",
      });
    }
  }

  // --- mDNS off
  if (has("mdns-off") || (want(opts, "mdns-off") && getString(c, "discovery.mdns.mode") === "full")) {
    if (product === "clawdbot" || before(v, "2026.1.29"))
      advice.push(
        "This version has no discovery.mdns.mode: set CLAWDBOT_DISABLE_BONJOUR=1 in the gateway's service environment.",
      );
    else
      edits.push({
        path: ["discovery", "mdns", "mode"],
        value: "off",
        why: "mDNS advertises the host, install path and SSH port on the LAN",
        action: "mdns-off",
      });
  }

  // --- rate limit when it stays exposed
  if (
    has("rate-limit") &&
    !willBeLoopback &&
    atLeast(v, "2026.2.1") &&
    getPath(c, ["gateway", "auth", "rateLimit"]) === undefined
  ) {
    edits.push({
      path: ["gateway", "auth", "rateLimit"],
      value: { maxAttempts: 10, windowMs: 60000, lockoutMs: 300000 },
      why: "unlimited guesses at the secret",
      action: "rate-limit",
    });
  }

  // --- Tailscale Funnel → Serve (cuts off public clients)
  if (has("tailscale-serve") && ctx.gw.tailscaleMode === "funnel") {
    if (!opts.allowLockout)
      held.push({
        action: "tailscale-serve",
        why: "Switching Funnel to Serve stops public (non-tailnet) clients.",
        flag: "--allow-lockout",
      });
    else
      edits.push({
        path: ["gateway", "tailscale", "mode"],
        value: "serve",
        why: "Funnel publishes the gateway on the internet",
        action: "tailscale-serve",
      });
  }

  // --- group edits by the file that defines each key
  const byFile = new Map<string, ConfigEdit[]>();
  for (const e of edits) {
    const loc = locate(cfg, e.path.join("."));
    const file = loc?.path ?? cfg.path;
    byFile.set(file, [...(byFile.get(file) ?? []), e]);
  }
  for (const [file, list] of byFile) {
    const src = cfg.files.find((f) => f.path === file);
    const text = src?.text ?? "{}\n";
    const mount = src?.mountedAt ?? [];
    const after = applyEdits(
      text,
      list.map((e) => ({ path: e.path.slice(mount.length), value: e.value })),
    );
    if (after !== text)
      plan.files.push({ path: file, before: text, after, mode: src?.mode ?? 0o600, edits: list });
  }

  // --- file modes
  if (want(opts, "file-modes") && process.platform !== "win32") {
    // links are not followed (a link could point anywhere), except for the config's own files,
    // which a fix rewrites through their links anyway
    const modeWant = (p: string, to: number, why: string, followLink = false) => {
      try {
        const st = followLink ? statSync(p) : lstatSync(p);
        if (st.isSymbolicLink()) return;
        const cur = st.mode & 0o777;
        const next = cur & to; // only ever remove bits
        if (next !== cur) plan.modes.push({ path: p, from: cur, to: next, why });
      } catch {
        // absent
      }
    };
    const sd = ctx.target.stateDir;
    if (!ctx.target.stateDirFromConfig) modeWant(sd, 0o700, "state dir: only its owner should enter");
    if (cfg.exists) modeWant(cfg.path, 0o600, "config holds tokens", true);
    for (const f of cfg.files.slice(1))
      modeWant(f.path, 0o600, "config include holds settings and secrets", true);
    for (const f of sideSecretFiles(ctx)) modeWant(f.path, 0o600, `${f.kind} holds secrets`);
    modeWant(join(sd, "credentials"), 0o700, "channel credentials");
    for (const n of safeList(join(sd, "credentials")))
      modeWant(join(sd, "credentials", n), 0o600, "channel credentials");
    modeWant(join(sd, "agents"), 0o700, "agent state");
    for (const a of safeList(join(sd, "agents"))) {
      modeWant(join(sd, "agents", a), 0o700, "agent state");
      modeWant(join(sd, "agents", a, "agent"), 0o700, "agent credentials");
      modeWant(join(sd, "agents", a, "agent", "auth-profiles.json"), 0o600, "model API keys");
      modeWant(join(sd, "agents", a, "sessions"), 0o700, "transcripts");
      for (const s of safeList(join(sd, "agents", a, "sessions")))
        modeWant(join(sd, "agents", a, "sessions", s), 0o600, "transcripts");
    }
    const log = getString(c, "logging.file");
    if (log) modeWant(log, 0o600, "gateway log");
    for (const d of ["devices", "nodes", "identity"]) {
      modeWant(join(sd, d), 0o700, "pairing and identity stores");
      for (const n of safeList(join(sd, d))) modeWant(join(sd, d, n), 0o600, "pairing and identity stores");
    }
  }
  plan.newToken = newToken;
  plan.newHooksToken = newHooksToken;
  // a file we rewrite gets the tightened mode directly
  for (const f of plan.files) {
    const m = plan.modes.find((x) => x.path === f.path);
    if (m) f.mode = m.to;
  }
  return plan;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => {
      try {
        return !statSync(join(dir, n)).isSymbolicLink();
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

/** Text preview: a unified diff per file (secrets redacted) and the mode changes. */
export function renderPlan(plan: FixPlan, redactSecrets = true): string {
  const out: string[] = [];
  const hide = (s: string) => {
    let t = s;
    if (redactSecrets && plan.newToken)
      t = t.replaceAll(
        plan.newToken.value,
        `<new ${plan.newToken.kind}: ${plan.newToken.value.length} random chars>`,
      );
    if (redactSecrets && plan.newHooksToken)
      t = t.replaceAll(plan.newHooksToken, `<new hooks token: ${plan.newHooksToken.length} random chars>`);
    return t;
  };
  if (plan.refused) return `Refused for ${plan.configPath}: ${plan.refused}\n`;
  for (const f of plan.files) {
    out.push(`# ${f.path}`);
    for (const e of f.edits)
      out.push(`#   ${e.value === undefined ? "remove" : "set"} ${e.path.join(".")}: ${e.why} [${e.action}]`);
    out.push(
      hide(
        createTwoFilesPatch(f.path, f.path, f.before, f.after, "before", "after", { context: 2 }),
      ).trimEnd(),
    );
    out.push("");
  }
  if (plan.modes.length) {
    out.push("# file modes");
    for (const m of plan.modes) out.push(`chmod ${oct(m.from)} → ${oct(m.to)}  ${m.path}  (${m.why})`);
    out.push("");
  }
  for (const h of plan.held) out.push(`held back [${h.action}] (needs ${h.flag}): ${h.why}`);
  for (const a of plan.advice) out.push(`by hand: ${a}`);
  if (out.length === 0) out.push("Nothing to change.");
  return `${out.join("\n")}\n`;
}
