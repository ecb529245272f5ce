// Model hygiene, as OpenClaw's audit judges it (collectModelHygieneFindings and
// collectSmallModelRiskFindings in every release from clawdbot 2026.1.24 to 2026.9.6): the
// models named by agents.defaults.model/imageModel and by each agents.list entry, matched
// against the release's own name patterns.
import { before } from "../bind.ts";
import { getArray, getBool, getObject, getPath, getString, isObject, type Json } from "../config.ts";
import type { AuditCheck, AuditFinding, CheckContext } from "../types.ts";
import { keyEvidence, mk } from "./util.ts";

interface ModelRef {
  id: string;
  /** The config key that names it (evidence). */
  key: string;
}

function modelValues(value: Json | undefined, key: string, out: ModelRef[]): void {
  if (typeof value === "string" && value.trim()) out.push({ id: value.trim(), key });
  else if (isObject(value)) {
    if (typeof value.primary === "string" && value.primary.trim())
      out.push({ id: value.primary.trim(), key: `${key}.primary` });
    if (Array.isArray(value.fallbacks))
      for (const f of value.fallbacks)
        if (typeof f === "string" && f.trim()) out.push({ id: f.trim(), key: `${key}.fallbacks` });
  }
}

/** Every configured model reference, as OpenClaw's collectAuditModelRefs lists them. */
export function configuredModels(cfg: Json): ModelRef[] {
  const out: ModelRef[] = [];
  modelValues(getPath(cfg, ["agents", "defaults", "model"]), "agents.defaults.model", out);
  modelValues(getPath(cfg, ["agents", "defaults", "imageModel"]), "agents.defaults.imageModel", out);
  // the roster: agents.list (an array) or, from 2026.9, agents.entries (keyed by id)
  (getArray(cfg, "agents.list") ?? []).forEach((a, i) => {
    if (isObject(a)) modelValues(a.model, `agents.list.${i}.model`, out);
  });
  for (const [id, a] of Object.entries(getObject(cfg, "agents.entries") ?? {}))
    if (isObject(a)) modelValues(a.model, `agents.entries.${id}.model`, out);
  return out;
}

const LEGACY: { re: RegExp; label: string }[] = [
  { re: /\bgpt-3\.5\b/i, label: "GPT-3.5 family" },
  { re: /\bclaude-(instant|2)\b/i, label: "Claude 2/Instant family" },
  { re: /\bgpt-4-(0314|0613)\b/i, label: "Legacy GPT-4 snapshots" },
];

/**
 * "Claude 4.5 or higher" widened over the releases: clawdbot 2026.1.24 knew only 4-5/4.5,
 * 2026.1.29 also 45, 2026.3.13 on any 4.5+ and 5+.
 */
function claude45OrHigher(ctx: CheckContext, id: string): boolean {
  const { product, version } = ctx.target;
  if (product !== "openclaw") return /\bclaude-[^\s/]*?(?:-4-5\b|4\.5\b)/i.test(id);
  if (version !== null && before(version, "2026.3.13"))
    return /\bclaude-[^\s/]*?(?:-4-?5\b|4\.5\b)/i.test(id);
  return /\bclaude-[^\s/]*?(?:-4-?(?:[5-9]|[1-9]\d)\b|4\.(?:[5-9]|[1-9]\d)\b|-[5-9](?:\b|[.-]))/i.test(id);
}

function weakReason(ctx: CheckContext, id: string): string | null {
  if (/\bhaiku\b/i.test(id)) return "Haiku tier";
  if (/\bgpt-/i.test(id) && !/\bgpt-5(?:\b|[.-])/i.test(id)) return "below GPT-5";
  if (/\bclaude-/i.test(id) && !claude45OrHigher(ctx, id)) return "below Claude 4.5";
  return null;
}

/** Parameter count in billions from a model name ("llama3:8b" → 8), the largest one named. */
export function paramBillions(id: string): number | null {
  let best: number | null = null;
  for (const m of id.toLowerCase().matchAll(/(?:^|[^a-z0-9])[a-z]?(\d+(?:\.\d+)?)b(?=[^a-z0-9]|$)/g)) {
    const v = Number(m[1]);
    if (Number.isFinite(v) && v > 0 && (best === null || v > best)) best = v;
  }
  return best;
}

const SMALL_MODEL_MAX_B = 300;

/**
 * Whether a small model can reach web or browser tools. OpenClaw resolves the full tool policy
 * per agent; this reads the same switches from the config: the minimal profile, the browser
 * switched off, and web/browser tools denied. Where the two could differ (per-agent and
 * per-provider policies) clawpatrol errs towards "reachable".
 */
function webToolsReachable(cfg: Json): boolean {
  if (getString(cfg, "tools.profile") === "minimal") return false;
  const deny = new Set((getArray(cfg, "tools.deny") ?? []).map(String));
  const browser = getBool(cfg, "browser.enabled") !== false && !deny.has("browser") && !deny.has("group:ui");
  const webDenied = deny.has("group:web");
  const fetch = !webDenied && !deny.has("web_fetch") && getBool(cfg, "tools.web.fetch.enabled") !== false;
  const search =
    !webDenied && !deny.has("web_search") && isObject(getObject(cfg, "tools.web.search") ?? null);
  return browser || fetch || search;
}

const models: AuditCheck = {
  id: "CP-AUDIT-130",
  openclawCheckId: "models.legacy",
  title: "Configured models are legacy or below the recommended tier",
  group: "config",
  run(ctx) {
    const cfg = ctx.config.effective;
    const refs = configuredModels(cfg);
    const out: AuditFinding[] = [];
    const legacy = refs.flatMap((r) => {
      const hit = LEGACY.find((p) => p.re.test(r.id));
      return hit ? [{ ...r, why: hit.label }] : [];
    });
    if (legacy.length)
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-130",
          openclawCheckId: "models.legacy",
          severity: "medium",
          title: "Some configured models are legacy",
          group: "config",
          evidence: legacy.map((r) => keyEvidence(ctx, r.key, `${r.id}: ${r.why}`, JSON.stringify(r.id))),
          remediation: "Use a current, instruction-hardened model for any agent that can run tools.",
        }),
      );
    const weak = refs.flatMap((r) => {
      const why = weakReason(ctx, r.id);
      return why ? [{ ...r, why }] : [];
    });
    if (weak.length)
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-131",
          openclawCheckId: "models.weak_tier",
          severity: "medium",
          title: "Some configured models are below the recommended tier",
          group: "config",
          evidence: weak.map((r) => keyEvidence(ctx, r.key, `${r.id}: ${r.why}`, JSON.stringify(r.id))),
          remediation:
            "Smaller and older models follow injected instructions more readily: use a top-tier model (GPT-5+, Claude 4.5+) for agents with tools or untrusted inboxes.",
        }),
      );
    const small = refs
      .filter((r) => !r.key.startsWith("agents.defaults.imageModel"))
      .flatMap((r) => {
        const b = paramBillions(r.id);
        return b !== null && b <= SMALL_MODEL_MAX_B ? [{ ...r, b }] : [];
      });
    if (small.length) {
      const reachable = webToolsReachable(cfg);
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-132",
          openclawCheckId: "models.small_params",
          severity: reachable ? "high" : "info",
          title: reachable
            ? "Small models can reach web or browser tools"
            : "Small models in use (web and browser tools off)",
          group: "config",
          evidence: small.map((r) =>
            keyEvidence(ctx, r.key, `${r.id}: about ${r.b}B parameters`, JSON.stringify(r.id)),
          ),
          remediation:
            'Keep small models away from untrusted input: deny web_search, web_fetch and browser for them (tools.deny ["group:web", "browser"]) and run their agents sandboxed (agents.defaults.sandbox.mode "all").',
        }),
      );
    }
    return out;
  },
};

export const MODEL_CHECKS: AuditCheck[] = [models];
