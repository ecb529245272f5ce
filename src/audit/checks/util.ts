// Small helpers shared by the checks: evidence that points at a config key, severity
// mapping, and OpenClaw's own notion of "exposed" (bind ≠ loopback as written).
import type { Evidence, Severity } from "../../findings/model.ts";
import { capText } from "../../util/text.ts";
import { before } from "../bind.ts";
import { getPath, type Json, locate } from "../config.ts";
import { catalogueFor } from "../release-checks.ts";
import { type AuditFinding, type CheckContext, type FindingInput, finding } from "../types.ts";

export const DOCS = "https://docs.openclaw.ai/gateway/security";

/** Evidence for a config key: file, line, column and the value (secrets redacted by the caller). */
export function keyEvidence(ctx: CheckContext, dotted: string, detail: string, shown?: string): Evidence {
  const loc = locate(ctx.config, dotted);
  const value = getPath(ctx.config.effective, dotted.split("."));
  const excerpt = shown ?? (value === undefined ? undefined : JSON.stringify(redactJson(value, dotted)));
  const capped = excerpt === undefined ? undefined : capText(excerpt, 300);
  return {
    source: "config",
    detail,
    location: dotted,
    ...(capped ? { excerpt: `${dotted} = ${capped.text}`, truncated: capped.truncated } : {}),
    path: loc?.path ?? ctx.config.path,
    ...(loc ? { line: loc.line, column: loc.column } : {}),
  };
}

export function fileEvidence(path: string, detail: string, excerpt?: string, line?: number): Evidence {
  return {
    source: "file",
    detail,
    location: path,
    path,
    ...(excerpt !== undefined ? { excerpt } : {}),
    ...(line ? { line } : {}),
  };
}

/** The way OpenClaw's own audit decides "exposed": the configured bind mode is not loopback. */
export function ocExposed(ctx: CheckContext): boolean {
  const raw = getPath(ctx.config.effective, ["gateway", "bind"]);
  return (typeof raw === "string" ? raw : "loopback") !== "loopback";
}

/** Exposure as it really is: a listen address that is not loopback (per version, container, flags). */
export function reallyExposed(ctx: CheckContext): boolean {
  return ctx.gw.exposed || ctx.gw.tailscaleMode === "funnel";
}

export function mk(
  ctx: CheckContext,
  input: Omit<FindingInput, "asset" | "stateDir"> & { asset?: string },
): AuditFinding {
  return finding({
    ...input,
    asset: input.asset ?? ctx.config.path,
    stateDir: ctx.target.stateDir,
    references: input.references ?? [DOCS],
  });
}

export function sev(exposed: boolean, hi: Severity, lo: Severity): Severity {
  return exposed ? hi : lo;
}

const SECRETISH = /(token|password|secret|apikey|api_key|privatekey|bottoken|apptoken)$/i;

/** A copy of a config value with every secret-looking string redacted. */
export function redactJson(v: Json, key: string): Json {
  const last = key.split(".").pop() ?? key;
  if (typeof v === "string") return SECRETISH.test(last) ? redact(v) : v;
  if (Array.isArray(v)) return v.map((x, i) => redactJson(x, `${key}.${i}`));
  if (v && typeof v === "object") {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redactJson(x, `${key}.${k}`);
    return out;
  }
  return v;
}

/** Redact a secret for display: a short prefix, the length, never the whole value. */
export function redact(secret: string): string {
  const s = secret.trim();
  if (s.length <= 8) return `${"*".repeat(s.length)} (${s.length} chars)`;
  const keep = s.length >= 24 ? 4 : 2;
  return `${s.slice(0, keep)}…${"*".repeat(4)} (${s.length} chars)`;
}

/** The severities the audited release's own audit gives a check (empty when uncatalogued). */
export function releaseSeverities(ctx: CheckContext, checkId: string): string[] {
  return (
    catalogueFor(ctx.target.product, ctx.target.version)?.checks.find((c) => c.id === checkId)?.severities ??
    []
  );
}

/**
 * Before 2026.1.29 (and on clawdbot) a gateway whose auth mode is token or password but has
 * no such secret refuses to start; only mode "none" (explicit or implied) runs open.
 */
export function startsOpenOnlyWithModeNone(ctx: CheckContext): boolean {
  const { product, version } = ctx.target;
  return product !== "openclaw" || (version !== null && before(version, "2026.1.29"));
}

/** OpenClaw's "remotely exposed": bound beyond loopback, or published by Tailscale Serve/Funnel. */
export function remotelyExposed(ctx: CheckContext): boolean {
  return (
    ocExposed(ctx) ||
    reallyExposed(ctx) ||
    ctx.gw.tailscaleMode === "serve" ||
    ctx.gw.tailscaleMode === "funnel"
  );
}
