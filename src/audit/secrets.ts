// Plaintext secrets on disk: in the config and its includes, config backups, .env
// files, service definitions and paired-device stores. Each is shown redacted, with
// where it sits, which provider it belongs to and how to rotate it. A secret that sat on
// a gateway reachable from the network is marked "rotate now".
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import type { Evidence, Severity } from "../findings/model.ts";
import { isSecretRef } from "./bind.ts";
import { sideSecretFiles } from "./checks/files.ts";
import { redact } from "./checks/util.ts";
import { getBool, isObject, type Json } from "./config.ts";
import { parseEnvFile } from "./discovery/service-files.ts";
import { findNode, lineColumn, parseTree } from "./json5-tree.ts";
import { type AuditFinding, type CheckContext, finding } from "./types.ts";

export type SecretKind = "gateway" | "hooks" | "model-provider" | "chat-channel" | "device-token" | "other";

export interface SecretHit {
  value: string;
  kind: SecretKind;
  provider: string;
  path: string;
  key: string;
  line?: number;
  column?: number;
  where: "config" | "include" | "backup" | "env-file" | "service" | "device-store" | "credentials";
}

const SECRET_KEY =
  /(^|[._-])(token|password|passwd|secret|apikey|api_key|api-key|bottoken|apptoken|signingsecret|webhooksecret|clientsecret|privatekey|private_key|accesstoken|refreshtoken|encryptkey|verificationtoken|key)$/i;
const NOT_SECRET_KEY =
  /(^|\.)(maxtokens|tokenlimit|tokens|keyprefix|sessionkey|defaultsessionkey|publickey|keyid|userheader|key_id|hotkey|apikeyenv|storekey)$/i;

const VALUE_PATTERNS: [RegExp, string, SecretKind][] = [
  [/^sk-ant-[A-Za-z0-9_-]{20,}$/, "anthropic", "model-provider"],
  [/^sk-(proj-|svcacct-)?[A-Za-z0-9_-]{20,}$/, "openai", "model-provider"],
  [/^sk-or-v1-[a-f0-9]{32,}$/, "openrouter", "model-provider"],
  [/^gsk_[A-Za-z0-9]{20,}$/, "groq", "model-provider"],
  [/^AIza[0-9A-Za-z_-]{30,}$/, "google", "model-provider"],
  [/^hf_[A-Za-z0-9]{30,}$/, "huggingface", "model-provider"],
  [/^xai-[A-Za-z0-9]{20,}$/, "xai", "model-provider"],
  [/^\d{6,12}:AA[A-Za-z0-9_-]{30,}$/, "telegram", "chat-channel"],
  [/^xox[abpr]-[A-Za-z0-9-]{10,}$/, "slack", "chat-channel"],
  [/^xapp-[A-Za-z0-9-]{10,}$/, "slack", "chat-channel"],
  [/^[MN][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}$/, "discord", "chat-channel"],
  [/^gh[pousr]_[A-Za-z0-9]{30,}$/, "github", "other"],
  [/^AKIA[0-9A-Z]{16}$/, "aws", "other"],
];

/** Classify a secret by where it sits (key path) and, failing that, by its shape. */
export function classify(key: string, value: string): { kind: SecretKind; provider: string } {
  const k = key.toLowerCase();
  if (
    /^gateway\.auth\.(token|password)$/.test(k) ||
    /^gateway\.remote\.(token|password)$/.test(k) ||
    /(openclaw|clawdbot|moltbot)_gateway_(token|password)$/.test(k)
  ) {
    return { kind: "gateway", provider: "gateway" };
  }
  if (k === "hooks.token" || k.startsWith("hooks.")) return { kind: "hooks", provider: "hooks" };
  const ch = /^channels\.([^.]+)\./.exec(k);
  if (ch) return { kind: "chat-channel", provider: ch[1]! };
  const prov =
    /^models\.providers\.([^.]+)\./.exec(k) ?? /^(?:agents\..*\.)?(?:profiles|auth)\.([^.:]+)/.exec(k);
  for (const [re, provider, kind] of VALUE_PATTERNS) if (re.test(value.trim())) return { kind, provider };
  if (prov) return { kind: "model-provider", provider: prov[1]! };
  const envProv =
    /^(anthropic|openai|openrouter|groq|gemini|google|mistral|deepseek|xai|together|fireworks|perplexity|cohere)_api_key$/.exec(
      k,
    );
  if (envProv) return { kind: "model-provider", provider: envProv[1]! };
  const envChan = /^(telegram|discord|slack|whatsapp|matrix|signal|zalo|feishu|line)_/.exec(k);
  if (envChan) return { kind: "chat-channel", provider: envChan[1]! };
  if (/^skills\.entries\.([^.]+)\./.test(k))
    return { kind: "other", provider: `skill ${/^skills\.entries\.([^.]+)/.exec(k)![1]}` };
  return { kind: "other", provider: "unknown" };
}

function looksSecret(key: string, value: string): boolean {
  const v = value.trim();
  if (v.length < 8 || v.length > 4096) return false;
  if (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v)) return false; // env reference, not a value
  if (/^(https?|wss?|file):\/\//.test(v) && !/:[^/@]+@/.test(v)) return false;
  if (VALUE_PATTERNS.some(([re]) => re.test(v))) return true;
  const last = key.split(".").pop() ?? key;
  if (NOT_SECRET_KEY.test(key) || NOT_SECRET_KEY.test(last)) return false;
  if (!SECRET_KEY.test(last)) return false;
  // placeholders are reported by the weak-secret checks instead
  return !/^(changeme|change-me|xxx+|your[-_]?\w+|placeholder|example)$/i.test(v);
}

function walk(value: Json, path: string[], visit: (path: string[], v: string) => void, depth = 0): void {
  if (depth > 40) return;
  if (typeof value === "string") visit(path, value);
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walk(v, [...path, String(i)], visit, depth + 1);
    });
  } else if (isObject(value)) {
    if (isSecretRef(value)) return;
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit, depth + 1);
  }
}

function readCapped(path: string): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > 4 * 1024 * 1024) return null;
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Scan one JSON5 document (config, include, backup, store) for secrets, with positions. */
export function scanJsonText(
  text: string,
  file: string,
  where: SecretHit["where"],
  prefix: string[] = [],
): SecretHit[] {
  let value: Json;
  try {
    value = JSON5.parse(text) as Json;
  } catch {
    return scanLoose(text, file, where);
  }
  let tree: ReturnType<typeof parseTree> | null = null;
  try {
    tree = parseTree(text);
  } catch {
    tree = null;
  }
  const hits: SecretHit[] = [];
  walk(value, [], (path, v) => {
    const key = [...prefix, ...path].join(".");
    if (!looksSecret(key, v)) return;
    const { kind, provider } = classify(key, v);
    let pos: { line: number; column: number } | undefined;
    const node = tree ? findNode(tree, path) : null;
    if (node) pos = lineColumn(text, node.member ? node.member.keySpan.start : node.node.start);
    hits.push({ value: v, kind, provider, path: file, key, where, ...(pos ?? {}) });
  });
  return hits;
}

/** Line-based fallback for files that are not valid JSON5 (or env-like text). */
function scanLoose(text: string, file: string, where: SecretHit["where"]): SecretHit[] {
  const hits: SecretHit[] = [];
  text.split("\n").forEach((line, i) => {
    const m = /["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*["']([^"']{8,})["']/.exec(line);
    if (m && looksSecret(m[1]!, m[2]!)) {
      const { kind, provider } = classify(m[1]!, m[2]!);
      hits.push({
        value: m[2]!,
        kind,
        provider,
        path: file,
        key: m[1]!,
        where,
        line: i + 1,
        column: (m.index ?? 0) + 1,
      });
    }
  });
  return hits;
}

export function scanEnvText(text: string, file: string, where: SecretHit["where"]): SecretHit[] {
  const hits: SecretHit[] = [];
  const lines = text.split("\n");
  const env = parseEnvFile(text);
  for (const [k, v] of Object.entries(env)) {
    const keyish = /(TOKEN|PASSWORD|SECRET|API_KEY|APIKEY|PRIVATE_KEY)$/i.test(k);
    if (!v || (!keyish && !VALUE_PATTERNS.some(([re]) => re.test(v)))) continue;
    if (v.length < 8 || /^\$\{?[A-Za-z_]/.test(v)) continue;
    const { kind, provider } = classify(k, v);
    const line = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${k}\\s*=`).test(l));
    hits.push({
      value: v,
      kind,
      provider,
      path: file,
      key: k,
      where,
      ...(line >= 0 ? { line: line + 1, column: 1 } : {}),
    });
  }
  return hits;
}

function scanServiceFile(path: string, env: Record<string, string>): SecretHit[] {
  const text = readCapped(path) ?? "";
  const lines = text.split("\n");
  const hits: SecretHit[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!/(TOKEN|PASSWORD|SECRET|API_KEY|APIKEY)$/i.test(k) || !v || v.length < 8) continue;
    const idx = lines.findIndex((l) => l.includes(k) && l.includes(v));
    const { kind, provider } = classify(k, v);
    hits.push({
      value: v,
      kind,
      provider,
      path,
      key: k,
      where: "service",
      ...(idx >= 0 ? { line: idx + 1, column: 1 } : {}),
    });
  }
  return hits;
}

/** Device and node tokens from the JSON pairing stores (≤ 2026.4.x). */
export function scanDeviceStore(text: string, file: string): SecretHit[] {
  const hits: SecretHit[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return hits;
  }
  const visit = (v: unknown, path: string[]) => {
    if (isObject(v as Json)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k === "token" && typeof x === "string" && x.length >= 16) {
          hits.push({
            value: x,
            kind: "device-token",
            provider: `device ${path.find((p) => p.length > 12) ?? path[0] ?? "?"}`,
            path: file,
            key: [...path, k].join("."),
            where: "device-store",
          });
        } else visit(x, [...path, k]);
      }
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        visit(x, [...path, String(i)]);
      });
    }
  };
  visit(data, []);
  return hits;
}

export const PLAYBOOK: Record<SecretKind, string> = {
  gateway:
    "Gateway credential: generate a new one (`openssl rand -base64 32`, or `clawpatrol fix` when auth is weak), put it in gateway.auth.token (or the OPENCLAW_GATEWAY_TOKEN of the service), restart the gateway, then paste it into each client (Control UI settings, `gateway.remote.token` on remote CLIs). Revoke paired devices you do not recognise (`openclaw devices list` / `revoke`): device tokens survive a shared-token change.",
  hooks:
    "Webhook token: generate a new random value different from the gateway secret, set hooks.token, restart, and update every sender (Gmail Pub/Sub push, CI jobs, automations) with the new Authorization header.",
  "model-provider":
    "Model provider key: create a new key in the provider's console, store it outside the config (environment variable or SecretRef), restart, then delete the old key in the console and check its usage page for calls you did not make.",
  "chat-channel":
    'Chat channel credential: regenerate it where it was issued (Telegram @BotFather /revoke, Discord developer portal "Reset Token", Slack app "Regenerate" / reinstall, WhatsApp: log the linked device out and pair again), update the config or env, restart, and review the channel\'s pairing allow-list for senders you do not know.',
  "device-token":
    "Paired device token: revoke the device (`openclaw devices revoke <id>`) and pair it again; do it at once for devices you do not recognise.",
  other:
    "Other credential: rotate it where it was issued, store the new one outside config files, and delete leftover copies.",
};

const WHERE_RULE: Record<SecretHit["where"], { ruleId: string; base: Severity; label: string }> = {
  config: { ruleId: "CP-AUDIT-200", base: "low", label: "in the config" },
  include: { ruleId: "CP-AUDIT-200", base: "low", label: "in a config include" },
  backup: { ruleId: "CP-AUDIT-201", base: "medium", label: "in a config backup" },
  "env-file": { ruleId: "CP-AUDIT-202", base: "low", label: "in an .env file" },
  service: { ruleId: "CP-AUDIT-202", base: "medium", label: "in a service definition" },
  "device-store": { ruleId: "CP-AUDIT-203", base: "low", label: "in a paired-device store" },
  credentials: { ruleId: "CP-AUDIT-203", base: "low", label: "in a credentials store" },
};

const RANK: Severity[] = ["info", "low", "medium", "high", "critical"];

export interface SecretScanInput {
  ctx: CheckContext;
  /** True when the gateway was reachable from the network (exposed, relayed or proxied). */
  exposed: boolean;
  exposedWithoutAuth: boolean;
}

export function collectSecretHits(ctx: CheckContext): SecretHit[] {
  const hits: SecretHit[] = [];
  ctx.config.files.forEach((f, i) => {
    hits.push(...scanJsonText(f.text, f.path, i === 0 ? "config" : "include", f.mountedAt));
  });
  for (const side of sideSecretFiles(ctx)) {
    const text = readCapped(side.path);
    if (text === null) continue;
    if (side.kind === "config backup") hits.push(...scanJsonText(text, side.path, "backup"));
    else if (side.kind === ".env file") hits.push(...scanEnvText(text, side.path, "env-file"));
    else if (side.kind === "pairing/identity store") hits.push(...scanDeviceStore(text, side.path));
    else hits.push(...scanJsonText(text, side.path, "credentials"));
  }
  for (const extra of [join(ctx.home, ".config/openclaw/gateway.env")]) {
    const text = readCapped(extra);
    if (text) hits.push(...scanEnvText(text, extra, "env-file"));
  }
  for (const s of ctx.target.services) {
    hits.push(...scanServiceFile(s.path, s.env));
    for (const f of s.envFiles) {
      const t = readCapped(f);
      if (t) hits.push(...scanEnvText(t, f, "env-file"));
    }
  }
  return hits;
}

export function secretFindings(input: SecretScanInput): AuditFinding[] {
  const { ctx } = input;
  const hits = collectSecretHits(ctx);
  // one finding per (secret value, rule); every location is evidence
  const groups = new Map<string, SecretHit[]>();
  for (const h of hits) {
    const k = `${WHERE_RULE[h.where].ruleId}\0${h.kind}\0${h.value}`;
    const list = groups.get(k) ?? [];
    if (!list.some((x) => x.path === h.path && x.key === h.key)) list.push(h);
    groups.set(k, list);
  }
  const inCurrent = new Set(
    hits
      .filter(
        (h) =>
          h.where === "config" || h.where === "include" || h.where === "service" || h.where === "env-file",
      )
      .map((h) => h.value),
  );
  const out: AuditFinding[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const rule = WHERE_RULE[first.where];
    let severity = rule.base;
    const readableByOthers = list.some((h) => {
      try {
        return (statSync(h.path).mode & 0o044) !== 0;
      } catch {
        return false;
      }
    });
    if (readableByOthers && RANK.indexOf(severity) < RANK.indexOf("medium")) severity = "medium";
    // a secret still in use that sat on a network-reachable gateway
    const live = first.where !== "backup" || inCurrent.has(first.value);
    const rotateNow = input.exposed && live && (first.kind !== "device-token" || input.exposedWithoutAuth);
    if (rotateNow) severity = input.exposedWithoutAuth ? "critical" : "high";
    const ocId =
      (first.where === "config" || first.where === "include") && first.key === "gateway.auth.password"
        ? "config.secrets.gateway_password_in_config"
        : (first.where === "config" || first.where === "include") &&
            first.key === "hooks.token" &&
            // OpenClaw names a webhook token in the config only while webhooks are on
            getBool(ctx.config.effective, "hooks.enabled") === true
          ? "config.secrets.hooks_token_in_config"
          : null;
    const evidence: Evidence[] = list.map((h) => ({
      source: "file",
      detail: `${h.provider} ${h.kind === "device-token" ? "device token" : "secret"} ${WHERE_RULE[h.where].label} at ${h.key}`,
      excerpt: `${h.key} = ${redact(h.value)}`,
      location: h.key,
      path: h.path,
      ...(h.line ? { line: h.line, column: h.column ?? 1 } : {}),
    }));
    out.push({
      ...finding({
        ruleId: rule.ruleId,
        openclawCheckId: ocId,
        severity,
        title: `${rotateNow ? "Rotate now: " : ""}plaintext ${first.provider} ${first.kind === "device-token" ? "device token" : "secret"} ${rule.label}${list.length > 1 ? ` (${list.length} places)` : ""}`,
        group: "secrets",
        asset: first.path,
        evidence,
        remediation: `${rotateNow ? "This secret was on a gateway reachable from the network: assume it is known and rotate it now. " : ""}${PLAYBOOK[first.kind]}${first.where === "backup" ? " Then delete or chmod 600 the old backups." : ""}`,
        stateDir: ctx.target.stateDir,
        ...(first.where === "backup" ? { fixes: ["file-modes"] } : {}),
      }),
      secret: { kind: first.kind, provider: first.provider, rotateNow },
    });
  }
  return out;
}
