// Exec tool hardening, as OpenClaw's audit judges it (collectExecRuntimeFindings, 2026.3.13 on;
// each check id exists from the release that added it, and the release alignment names it only
// there): safe bins that are interpreters or have broad semantics, trusted safe-bin dirs that
// are mutable, and filesystem tools denied while exec (a shell) stays available.
import { isAbsolute, resolve } from "node:path";
import { before } from "../bind.ts";
import { getArray, getObject, getString, isObject, type Json } from "../config.ts";
import type { AuditCheck, AuditFinding, CheckContext } from "../types.ts";
import { keyEvidence, mk } from "./util.ts";

const INTERPRETERS = new Set(
  "ash awk bash busybox bun cmd cmd.exe cscript dash deno fish gawk gsed ksh lua mawk nawk node nodejs perl php powershell powershell.exe pypy pwsh pwsh.exe python python2 python3 ruby sed sh toybox wscript zsh".split(
    " ",
  ),
);
const INTERPRETER_PATTERNS = [
  /^python\d+(?:\.\d+)?$/,
  /^ruby\d+(?:\.\d+)?$/,
  /^perl\d+(?:\.\d+)?$/,
  /^php\d+(?:\.\d+)?$/,
  /^node\d+(?:\.\d+)?$/,
];
/** Safe bins whose semantics go beyond a stdin filter (jq's env/input, awk's system(), sed's e/w). */
const BROAD_SEMANTICS = new Set(["jq", "awk", "gawk", "mawk", "nawk", "sed", "gsed"]);

export function safeBinName(raw: string): string {
  const t = raw.trim().toLowerCase();
  return (t.split(/[\\/]/).at(-1) ?? t).replace(/\.(?:exe|cmd|bat|com)$/i, "");
}

/** 2026.4.15 added the awk and sed families to the interpreters (before: stream filters). */
const FILTERS_BEFORE_2026_4_15 = new Set(["awk", "gawk", "mawk", "nawk", "sed", "gsed"]);

function isInterpreter(name: string, version: string | null): boolean {
  if (version !== null && before(version, "2026.4.15") && FILTERS_BEFORE_2026_4_15.has(name)) return false;
  return INTERPRETERS.has(name) || INTERPRETER_PATTERNS.some((re) => re.test(name));
}

/** Why a trusted safe-bin dir is risky, or null (OpenClaw's classification). */
export function riskyTrustedDir(entry: string): string | null {
  const raw = entry.trim();
  if (!raw) return null;
  if (!isAbsolute(raw)) return "relative path: its meaning depends on the working directory";
  const n = resolve(raw).replace(/\\/g, "/").toLowerCase();
  if (/^\/(?:private\/|var\/)?tmp(?:\/|$)/.test(n))
    return "temporary directory: anyone can plant a binary there";
  if (["/usr/local/bin", "/opt/homebrew/bin", "/opt/local/bin", "/home/linuxbrew/.linuxbrew/bin"].includes(n))
    return "package-manager bin directory (often user-writable)";
  if (n.startsWith("/users/") || n.startsWith("/home/") || n.includes("/.local/bin"))
    return "home-scoped bin directory (typically user-writable)";
  return null;
}

/** tools.exec and every agent's tools.exec, with the key prefix for evidence. */
function execScopes(cfg: Json): { key: string; exec: Record<string, Json> }[] {
  const out: { key: string; exec: Record<string, Json> }[] = [];
  const g = getObject(cfg, "tools.exec");
  if (g) out.push({ key: "tools.exec", exec: g });
  (getArray(cfg, "agents.list") ?? []).forEach((a, i) => {
    if (isObject(a) && isObject(a.tools) && isObject(a.tools.exec))
      out.push({ key: `agents.list.${i}.tools.exec`, exec: a.tools.exec });
  });
  return out;
}

const strings = (v: Json | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function safeBinFindings(ctx: CheckContext): AuditFinding[] {
  const cfg = ctx.config.effective;
  const out: AuditFinding[] = [];
  const globalProfiles = getObject(cfg, "tools.exec.safeBinProfiles") ?? {};
  const interp: { key: string; bins: string[] }[] = [];
  const broad: { key: string; bins: string[] }[] = [];
  const dirs: { key: string; dir: string; why: string }[] = [];
  for (const s of execScopes(cfg)) {
    const bins = [...new Set(strings(s.exec.safeBins).map(safeBinName).filter(Boolean))].sort();
    const profiles = {
      ...globalProfiles,
      ...(isObject(s.exec.safeBinProfiles) ? s.exec.safeBinProfiles : {}),
    };
    const i = bins.filter((b) => isInterpreter(b, ctx.target.version) && !(b in profiles));
    if (i.length) interp.push({ key: `${s.key}.safeBins`, bins: i });
    const b = bins.filter((x) => BROAD_SEMANTICS.has(x));
    if (b.length) broad.push({ key: `${s.key}.safeBins`, bins: b });
    for (const d of strings(s.exec.safeBinTrustedDirs)) {
      const why = riskyTrustedDir(d);
      if (why) dirs.push({ key: `${s.key}.safeBinTrustedDirs`, dir: d, why });
    }
  }
  if (interp.length)
    out.push(
      mk(ctx, {
        ruleId: "CP-AUDIT-140",
        openclawCheckId: "tools.exec.safe_bins_interpreter_unprofiled",
        severity: "medium",
        title: "Exec safe bins include interpreters without a profile",
        group: "config",
        evidence: interp.map((h) => keyEvidence(ctx, h.key, `interpreters: ${h.bins.join(", ")}`)),
        remediation:
          "Take interpreters (python, node, sh, awk, …) out of safeBins, or give each a hardened tools.exec.safeBinProfiles entry: a safe bin runs without approval.",
      }),
    );
  if (broad.length)
    out.push(
      mk(ctx, {
        ruleId: "CP-AUDIT-141",
        openclawCheckId: "tools.exec.safe_bins_broad_behavior",
        severity: "medium",
        title: "Exec safe bins include tools with broad semantics",
        group: "config",
        evidence: broad.map((h) => keyEvidence(ctx, h.key, `broad: ${h.bins.join(", ")}`)),
        remediation:
          "jq, awk and sed can read the environment, run commands or write files: remove them from safeBins and allow them through approvals instead.",
      }),
    );
  if (dirs.length)
    out.push(
      mk(ctx, {
        ruleId: "CP-AUDIT-142",
        openclawCheckId: "tools.exec.safe_bin_trusted_dirs_risky",
        severity: "medium",
        title: "Exec trusts safe bins from mutable directories",
        group: "config",
        evidence: dirs.map((h) => keyEvidence(ctx, h.key, `${h.dir}: ${h.why}`)),
        remediation: "Trust only root-owned system directories (/bin, /usr/bin) for safe bins.",
      }),
    );
  return out;
}

const MUTATING_FS = ["write", "edit", "apply_patch"];

/**
 * Filesystem tools all denied while exec stays available, outside a read-only sandbox.
 * OpenClaw resolves the full tool policy (profiles, groups, per-agent and per-provider);
 * this reads the global allow/deny lists and profile, which is what the corpus exercises.
 */
function fsDisabledButExec(ctx: CheckContext): AuditFinding[] {
  const cfg = ctx.config.effective;
  const globalSandbox = getString(cfg, "agents.defaults.sandbox.mode") ?? "off";
  const globalAccess = getString(cfg, "agents.defaults.sandbox.workspaceAccess") ?? "none";
  const globalProfile = getString(cfg, "tools.profile");
  const globalAllow = getArray(cfg, "tools.allow")?.map(String);
  const globalDeny = strings(getArray(cfg, "tools.deny"));
  // the defaults, then every listed agent with its own profile/allow/deny/sandbox over them
  const scopes: {
    key: string;
    profile?: string;
    allow?: string[];
    deny: string[];
    sandbox: string;
    access: string;
  }[] = [
    {
      key: "tools",
      profile: globalProfile,
      allow: globalAllow,
      deny: globalDeny,
      sandbox: globalSandbox,
      access: globalAccess,
    },
  ];
  (getArray(cfg, "agents.list") ?? []).forEach((a, i) => {
    if (!isObject(a) || typeof a.id !== "string") return;
    const t = isObject(a.tools) ? a.tools : {};
    const sb = isObject(a.sandbox) ? a.sandbox : {};
    scopes.push({
      key: `agents.list.${i}.tools`,
      profile: typeof t.profile === "string" ? t.profile : globalProfile,
      allow: Array.isArray(t.allow) ? t.allow.map(String) : globalAllow,
      deny: [...globalDeny, ...strings(t.deny)],
      sandbox: typeof sb.mode === "string" ? sb.mode : globalSandbox,
      access: typeof sb.workspaceAccess === "string" ? sb.workspaceAccess : globalAccess,
    });
  });
  const globalHost = getString(cfg, "tools.exec.host");
  const hits = scopes.filter((s) => {
    // constrained only when exec itself runs in that sandbox (host sandbox, or auto under "all")
    const host = globalHost ?? "auto";
    if (s.sandbox === "all" && s.access !== "rw" && (host === "auto" || host === "sandbox")) return false;
    const deny = new Set(s.deny);
    const inAllow = (tool: string, group: string) =>
      s.allow === undefined || s.allow.includes(tool) || s.allow.includes(group) || s.allow.includes("*");
    // the minimal and messaging profiles have no exec; tools.allow narrows, it does not widen them
    const execOn =
      !deny.has("exec") &&
      !deny.has("group:runtime") &&
      inAllow("exec", "group:runtime") &&
      s.profile !== "minimal" &&
      s.profile !== "messaging";
    return execOn && MUTATING_FS.every((t) => deny.has(t) || deny.has("group:fs") || !inAllow(t, "group:fs"));
  });
  if (hits.length === 0) return [];
  return [
    mk(ctx, {
      ruleId: "CP-AUDIT-143",
      openclawCheckId: "tools.exec.fs_tools_disabled_but_exec_enabled",
      severity: "medium",
      title: "File tools are off but exec can still write files",
      group: "config",
      evidence: hits.map((h) =>
        keyEvidence(
          ctx,
          h.key,
          "write/edit/apply_patch are unavailable while exec is allowed: the shell writes wherever the host or sandbox lets it",
          `profile ${h.profile ?? "(default)"}, allow ${JSON.stringify(h.allow ?? "(all)")}, deny ${JSON.stringify(h.deny)}`,
        ),
      ),
      remediation:
        'For a read-only agent deny exec and process too; if the shell is intended, run it in sandbox mode "all" with workspaceAccess "ro" or "none".',
    }),
  ];
}

/** Agents whose exec host is the sandbox while their sandbox mode is off: exec fails closed. */
function hostSandboxAgents(ctx: CheckContext): AuditFinding[] {
  const cfg = ctx.config.effective;
  const defaults = getString(cfg, "agents.defaults.sandbox.mode") ?? "off";
  const risky: string[] = [];
  (getArray(cfg, "agents.list") ?? []).forEach((a, i) => {
    if (!isObject(a) || typeof a.id !== "string") return;
    const host = isObject(a.tools) && isObject(a.tools.exec) ? a.tools.exec.host : undefined;
    const mode = isObject(a.sandbox) && typeof a.sandbox.mode === "string" ? a.sandbox.mode : defaults;
    if (host === "sandbox" && mode === "off") risky.push(`agents.list.${i}.tools.exec.host`);
  });
  if (risky.length === 0) return [];
  return [
    mk(ctx, {
      ruleId: "CP-AUDIT-145",
      openclawCheckId: "tools.exec.host_sandbox_no_sandbox_agents",
      severity: "medium",
      title: "Agents run exec in a sandbox that is off",
      group: "config",
      evidence: risky
        .slice(0, 5)
        .map((k) => keyEvidence(ctx, k, "exec host sandbox while this agent's sandbox mode is off")),
      remediation:
        'Turn the sandbox on for these agents (sandbox.mode "non-main" or "all") or set their tools.exec.host to "gateway" with approvals.',
    }),
  ];
}

/** tools.profile "minimal" while some agent sets a wider profile of its own (2026.3.13 on). */
function minimalOverridden(ctx: CheckContext): AuditFinding[] {
  const cfg = ctx.config.effective;
  if (getString(cfg, "tools.profile") !== "minimal") return [];
  const entries: [string, Json][] = [
    ...(getArray(cfg, "agents.list") ?? []).map(
      (a, i) => [`agents.list.${i}.tools.profile`, a] as [string, Json],
    ),
    ...Object.entries(getObject(cfg, "agents.entries") ?? {}).map(
      ([id, a]) => [`agents.entries.${id}.tools.profile`, a] as [string, Json],
    ),
  ];
  const wider = entries.filter(
    ([, a]) =>
      isObject(a) &&
      typeof a.id === "string" &&
      isObject(a.tools) &&
      typeof a.tools.profile === "string" &&
      a.tools.profile !== "minimal",
  );
  if (wider.length === 0) return [];
  return [
    mk(ctx, {
      ruleId: "CP-AUDIT-144",
      openclawCheckId: "tools.profile_minimal_overridden",
      severity: "medium",
      title: "The minimal tools profile is overridden by agents",
      group: "config",
      evidence: wider.map(([key]) =>
        keyEvidence(ctx, key, "this agent's own profile wins over the global minimal one"),
      ),
      remediation:
        'Set those agents to tools.profile "minimal" (or drop their override) if minimal tools are meant for everyone.',
    }),
  ];
}

const toolsExec: AuditCheck = {
  id: "CP-AUDIT-140",
  openclawCheckId: "tools.exec.safe_bins_interpreter_unprofiled",
  title: "Exec tool hardening",
  group: "config",
  run(ctx) {
    return [
      ...safeBinFindings(ctx),
      ...fsDisabledButExec(ctx),
      ...minimalOverridden(ctx),
      ...hostSandboxAgents(ctx),
    ];
  },
};

export const TOOLS_EXEC_CHECKS: AuditCheck[] = [toolsExec];
