// Shared readers and builders for the self-hosted AI services fingerprinted over plain HTTP
// and JSON (Ollama, Open WebUI, LiteLLM, vLLM, llama.cpp server, ComfyUI): each product folder
// says which routes it asks and what their answers mean; this module reads bodies safely,
// words evidence the same way, and builds the verdict and the findings every one of them has
// (reachable from the network, no credentials asked). Every string read here came from the
// target: capped and stripped of control characters.
import type { Evidence, Finding, Severity } from "../findings/model.ts";
import { type HttpExchange, headerValue } from "../net/http.ts";
import { capText } from "../util/text.ts";
import type { FindingContext } from "./contract.ts";
import type { Product } from "./product-ids.ts";
import type { ProbeSession } from "./session.ts";
import { findHttp, type Transcript } from "./transcript.ts";
import { type AuthState, type Facts, NOT_A_GATEWAY, type Verdict } from "./verdict.ts";

/** Bodies larger than this are not parsed as JSON (a model listing can be big; a config is not). */
const MAX_JSON = 512 * 1024;

export function asObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Printable, trimmed, capped text of a target-controlled value, or null when it is not a string. */
export function cleanText(v: unknown, max = 80): string | null {
  if (typeof v !== "string") return null;
  const printable = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  return printable.length > 0 ? capText(printable, max).text : null;
}

/** The exchange for `GET <base><path>`, when it got an HTTP answer. */
export function answered(t: Transcript, path: string, method = "GET"): HttpExchange | undefined {
  const x = findHttp(t, method, path);
  return x?.response ? x : undefined;
}

/** The parsed JSON body of an answer with `status` (null: another status, too big, or not JSON). */
export function jsonBody(x: HttpExchange | undefined, status = 200): unknown {
  const res = x?.response;
  if (!res || res.status !== status || res.bodyTruncated || res.body.length > MAX_JSON) return null;
  try {
    return JSON.parse(res.body.toString("utf8"));
  } catch {
    return null;
  }
}

/** The body as text (first 4 KiB), for banners and page titles. */
export function bodyHead(x: HttpExchange | undefined): string {
  return x?.response ? x.response.body.subarray(0, 4096).toString("utf8") : "";
}

/** The `<title>` of an HTML page, capped. */
export function htmlTitle(x: HttpExchange | undefined): string | null {
  const m = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(bodyHead(x));
  return m ? cleanText(m[1]) : null;
}

export function header(x: HttpExchange | undefined, name: string): string | undefined {
  return x?.response ? headerValue(x.response.headers, name) : undefined;
}

/** One piece of evidence: the request, what it shows, and the first bytes of the answer. */
export function evidenceOf(x: HttpExchange, detail: string): Evidence {
  const c = capText(bodyHead(x).slice(0, 1024), 300);
  return {
    source: `${x.request.method} ${x.request.path}`,
    detail,
    excerpt: c.text,
    ...(c.truncated ? { truncated: true } : {}),
    location: x.request.path,
  };
}

export interface ServiceVerdict {
  product: Product;
  /** How sure the product is (published-source fingerprints stay below live-tested ones). */
  confidence: number;
  version: string | null;
  auth: AuthState;
  authConfidence: number;
  evidence: Evidence[];
  facts: Facts;
}

export function serviceVerdict(v: ServiceVerdict): Verdict {
  return {
    ...NOT_A_GATEWAY,
    product: v.product,
    version: v.version,
    auth: v.auth,
    confidence: {
      product: v.confidence,
      version: v.version ? Math.min(0.9, v.confidence) : 0,
      auth: v.authConfidence,
      remoteLooksLocal: 0,
    },
    evidence: v.evidence,
    facts: v.facts,
  };
}

/** A finding rule: stable id, title, remediation and references. */
export interface ServiceRule {
  id: string;
  title: string;
  remediation: string;
  references: readonly string[];
}

export interface ServiceRules {
  /** Reachable from a non-loopback vantage. */
  exposed: ServiceRule;
  /** Answers its API without credentials. */
  noAuth: ServiceRule;
}

/**
 * The two findings every service has: reachable from the network (medium behind auth, high
 * without), and no credentials asked (critical from the network: anyone who reaches it uses
 * it; low on loopback, where it is how most people run it).
 */
export function serviceFindings(rules: ServiceRules, v: Verdict, where: FindingContext): Finding[] {
  const network = where.exposure === "network";
  const findings: Finding[] = [];
  if (network)
    findings.push(
      finding(rules.exposed, v.auth === "required" ? "medium" : "high", where, [
        { source: "scan", detail: `answered on ${where.asset} from a non-loopback vantage` },
      ]),
    );
  if (v.auth === "not-required")
    findings.push(finding(rules.noAuth, network ? "critical" : "low", where, v.evidence));
  return findings;
}

export function finding(
  rule: ServiceRule,
  severity: Severity,
  where: FindingContext,
  evidence: Evidence[],
): Finding {
  return {
    ruleId: rule.id,
    severity,
    title: rule.title,
    asset: where.asset,
    evidence,
    remediation: rule.remediation,
    references: [...rule.references],
  };
}

/** A JSON object whose keys are exactly `keys` (order free): a tight shape, not "has a field". */
export function hasExactKeys(v: unknown, keys: readonly string[]): boolean {
  const o = asObject(v);
  if (!o) return false;
  const own = Object.keys(o);
  return own.length === keys.length && keys.every((k) => k in o);
}

/**
 * An OpenAI-style model listing (`{"object":"list","data":[{"id","object":"model","owned_by"}]}`):
 * the model ids (capped) and the `owned_by` values seen, or null when it is not one.
 */
export function openAiModels(v: unknown): { ids: string[]; owners: Set<string> } | null {
  const o = asObject(v);
  if (!o || o.object !== "list" || !Array.isArray(o.data)) return null;
  const ids: string[] = [];
  const owners = new Set<string>();
  for (const m of o.data.slice(0, 1000)) {
    const model = asObject(m);
    if (!model) return null;
    const id = cleanText(model.id, 120);
    if (id) ids.push(id);
    const owner = cleanText(model.owned_by, 40);
    if (owner) owners.add(owner);
  }
  return { ids, owners };
}

/** At most `n` names joined for a fact, with an ellipsis when there were more. */
export function listFact(names: string[], n = 8): string {
  return names.slice(0, n).join(",") + (names.length > n ? ",…" : "");
}

/**
 * GET each of `paths` under the base path that this session has not asked yet (another
 * fingerprinter's probe may have), pipelined on the kept connection.
 */
export async function askOnce(s: ProbeSession, paths: readonly string[]): Promise<void> {
  const asked = new Set(s.http.filter((x) => x.request.method === "GET").map((x) => x.request.path));
  const missing = paths.map((p) => s.base + p).filter((p) => !asked.has(p));
  if (missing.length === 0) return;
  await s.several(
    missing.map((path) => ({ method: "GET", path, headers: [["Accept", "application/json"]] })),
  );
}

/** FastAPI's answer to a path it has no route for: `404 {"detail":"Not Found"}`. */
export function isFastApiNotFound(x: HttpExchange | undefined): boolean {
  const v = asObject(jsonBody(x, 404));
  return v !== null && hasExactKeys(v, ["detail"]) && v.detail === "Not Found";
}
