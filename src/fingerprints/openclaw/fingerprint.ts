// Turns an OpenClaw-family probe transcript into a Verdict: product and era, exact version
// or the narrowest honest range, wire protocol, auth state, and whether the gateway treats
// a remote scanner as a local client. Every conclusion carries the evidence that decided
// it; signals that disagree are reported as conflicts and lower confidence.
import { createHash } from "node:crypto";
import { compareVersions, parseCalVer } from "../../advisories/calver.ts";
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import { capText } from "../../util/text.ts";
import { bodyText, findHttp, type Transcript } from "../transcript.ts";
import {
  type AuthState,
  type Confidence,
  NOT_A_GATEWAY,
  type Verdict,
  type VersionRangeOut,
} from "../verdict.ts";
import type { FamilyProduct } from "./meta.ts";
import { PROBE_REQUEST_ID } from "./probe.ts";
import {
  type Brand,
  challengeOf,
  connectAnswerOf,
  parseJsonObject,
  rootHtmlSignals,
  rootHtmlSignalsOf,
  serviceWorkerVersion,
} from "./signals.ts";
import { narrowByUi, PACKAGE_NAMES, type ReleaseRef, versionIndex } from "./version-table.ts";

const EXCERPT = 300;
/** Candidate lists longer than this are summarised by min/max only. */
const MAX_LISTED_CANDIDATES = 12;
/** Product is reported only when the combined family evidence reaches this. */
const PRODUCT_THRESHOLD = 0.8;

function excerpt(text: string): { excerpt: string; truncated?: boolean } {
  const c = capText(text, EXCERPT);
  return c.truncated ? { excerpt: c.text, truncated: true } : { excerpt: c.text };
}

function ev(source: string, detail: string, text?: string, location?: string): Evidence {
  return { source, detail, ...(text !== undefined ? excerpt(text) : {}), ...(location ? { location } : {}) };
}

/** Probability that at least one of several independent signals is right. */
function combine(weights: number[]): number {
  return 1 - weights.reduce((acc, w) => acc * (1 - w), 1);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function statusLine(x: HttpExchange): string {
  return x.response ? `${x.response.status} ${x.response.reason}` : (x.error ?? "no response");
}

function sha256(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}

/** A version string we are willing to repeat: CalVer, sane length. */
function cleanVersion(v: unknown): string | null {
  return typeof v === "string" && v.length <= 40 && parseCalVer(v) ? v : null;
}

interface FamilySignal {
  weight: number;
  brand: Brand | null;
  evidence: Evidence;
}

export function fingerprintOpenClaw(t: Transcript): Verdict {
  const evidence: Evidence[] = [];
  const conflicts: string[] = [];
  const family: FamilySignal[] = [];

  // --- Root page --------------------------------------------------------------------------
  const root = findHttp(t, "GET", "/");
  const rootBody = root?.response?.status === 200 ? bodyText(root) : "";
  const rootSha = root?.response ? sha256(root.response.body) : null;
  const html = root?.response?.status === 200 ? rootHtmlSignalsOf(root.response.body) : rootHtmlSignals("");
  if (html.titleBrand) {
    family.push({
      weight: 0.6,
      brand: html.titleBrand,
      evidence: ev(
        "GET /",
        `Control UI title names ${html.titleBrand}`,
        /<title>[^<]{0,80}<\/title>/i.exec(rootBody)?.[0],
        "/",
      ),
    });
  }
  if (html.elementBrand) {
    family.push({
      weight: 0.6,
      brand: html.elementBrand,
      evidence: ev("GET /", `custom element <${html.elementBrand}-app>`, `<${html.elementBrand}-app>`, "/"),
    });
  }
  if (html.globalsBrand) {
    family.push({
      weight: 0.5,
      brand: html.globalsBrand,
      evidence: ev(
        "GET /",
        "inline Control UI globals (2026.1.21–2026.2.14 era)",
        `window.__${html.globalsBrand.toUpperCase()}_…`,
        "/",
      ),
    });
  }
  if (html.buildId) {
    family.push({
      weight: 0.7,
      brand: "openclaw",
      evidence: ev("GET /", "Control UI build id attribute", html.buildId, "/"),
    });
  }

  // --- WebSocket ----------------------------------------------------------------------------
  const socket = t.ws[0];
  const inFrames = socket?.frames.filter((f) => f.dir === "in" && f.text !== null) ?? [];
  const challenge = inFrames.map((f) => challengeOf(f.text!)).find((c) => c !== null) ?? null;
  const answer =
    inFrames.map((f) => connectAnswerOf(f.text!, PROBE_REQUEST_ID)).find((a) => a !== null) ?? null;
  let protocol: number | null = null;
  if (challenge) {
    family.push({
      weight: 0.9,
      brand: null,
      evidence: ev(
        "WebSocket /",
        `server sent connect.challenge first${challenge.capabilities.length ? ` with capabilities ${capText(challenge.capabilities.join(","), 200).text}` : ""}`,
        inFrames[0]?.text ?? "",
      ),
    });
  }
  if (answer) {
    if (answer.expectedProtocol !== null) protocol = answer.expectedProtocol;
    const detail =
      answer.message === "protocol mismatch"
        ? `refused our protocol-1 connect before auth; expects protocol ${answer.expectedProtocol ?? "?"}`
        : `answered our connect frame: ${answer.message ?? answer.code ?? "ok"}`;
    family.push({
      weight:
        answer.message === "protocol mismatch" || answer.message?.startsWith("invalid connect params")
          ? 0.8
          : 0.5,
      brand: null,
      evidence: ev(
        "WebSocket /",
        detail,
        inFrames.find((f) => connectAnswerOf(f.text!, PROBE_REQUEST_ID))?.text ?? undefined,
      ),
    });
  }
  if (t.budgetExhausted) {
    evidence.push(
      ev("probe", "the endpoint's time budget ran out; some probes were not sent (slow or stalling target)"),
    );
  }
  if (socket?.closedOnHelloOk) {
    evidence.push(
      ev(
        "WebSocket /",
        "gateway granted a session to an unauthenticated connect; closed at once, nothing sent",
      ),
    );
  }

  // --- Static files and version claims -----------------------------------------------------
  const claims: { version: string; source: string; raw: string }[] = [];
  if (html.buildVersion)
    claims.push({ version: html.buildVersion, source: "GET / build id", raw: html.buildId ?? "" });
  const sw = findHttp(t, "GET", "/sw.js");
  const swInfo = sw?.response?.status === 200 ? serviceWorkerVersion(bodyText(sw)) : null;
  if (swInfo?.version)
    claims.push({ version: swInfo.version, source: "GET /sw.js cache version", raw: swInfo.raw });

  const startupz = findHttp(t, "GET", "/startupz");
  const startupJson = startupz?.response ? parseJsonObject(bodyText(startupz)) : null;
  const startupIsProbe =
    startupJson !== null && typeof startupJson.status === "string" && "ok" in startupJson;
  const startupVersion = startupIsProbe ? cleanVersion(startupJson?.version) : null;
  if (startupVersion)
    claims.push({ version: startupVersion, source: "GET /startupz version", raw: bodyText(startupz) });

  const config = findHttp(t, "GET", "/__openclaw/control-ui-config.json");
  const configJson = config?.response?.status === 200 ? parseJsonObject(bodyText(config)) : null;
  const configVersion = configJson ? cleanVersion(configJson.serverVersion) : null;
  if (configVersion)
    claims.push({
      version: configVersion,
      source: "GET /__openclaw/control-ui-config.json serverVersion",
      raw: bodyText(config),
    });
  if (configJson && typeof configJson.basePath === "string") {
    family.push({
      weight: 0.6,
      brand: "openclaw",
      evidence: ev(
        "GET /__openclaw/control-ui-config.json",
        "public Control UI config (2026.2.15–2026.4.21 era)",
        bodyText(config),
      ),
    });
  }

  // Files served byte-for-byte, and paths that are not files (404 or the SPA fallback).
  const files: { path: string; sha256: string }[] = [];
  const absentPaths: string[] = [];
  const api = new Set([
    "/",
    "/healthz",
    "/readyz",
    "/startupz",
    "/tools/invoke",
    "/__openclaw/control-ui-config.json",
  ]);
  for (const x of t.http) {
    if (x.request.method !== "GET" || !x.response) continue;
    const rel = x.request.path.slice(t.endpoint.basePath.length) || "/";
    if (api.has(rel)) continue;
    const sha = sha256(x.response.body);
    if (x.response.status === 404 || (x.response.status === 200 && sha === rootSha)) absentPaths.push(rel);
    else if (x.response.status === 200 && !x.response.bodyTruncated) files.push({ path: rel, sha256: sha });
  }
  const buildIds = [html.buildId, swInfo?.raw].filter((s): s is string => typeof s === "string");
  // Absent files only narrow a set that positive signals (known assets, file hashes, build
  // ids) already found; on their own they would "match" any server that 404s everything.
  const positive = narrowByUi({ assetNames: html.assetNames, files, buildIds });
  const narrowed =
    positive.candidates.length > 0
      ? narrowByUi({ assetNames: html.assetNames, files, absentPaths, buildIds })
      : positive;
  if (narrowed.candidates.length > 0) {
    family.push({
      weight: 0.9,
      brand: narrowed.candidates[0]!.package,
      evidence: ev(
        "GET /",
        `Control UI assets match ${narrowed.candidates.length} published release(s)`,
        narrowed.decidedBy.join("; "),
      ),
    });
  }
  if (narrowed.conflict) conflicts.push(...narrowed.conflicts.map((c) => `version table: ${c}`));

  // --- Era markers (server-side features, independent of the UI) ---------------------------
  const healthz = findHttp(t, "GET", "/healthz");
  const healthJson = healthz?.response?.status === 200 ? parseJsonObject(bodyText(healthz)) : null;
  const hasHealth = healthJson?.ok === true && healthJson.status === "live";
  if (hasHealth)
    evidence.push(
      ev("GET /healthz", "liveness probe present (2026.3.2 or later)", bodyText(healthz), "/healthz"),
    );

  // --- Product -----------------------------------------------------------------------------
  const productScore = combine(family.map((f) => f.weight));
  let product: FamilyProduct | null = null;
  if (productScore >= PRODUCT_THRESHOLD) {
    const brands = new Set(family.map((f) => f.brand).filter((b): b is Brand => b !== null));
    if (brands.size > 1) conflicts.push(`brand signals disagree: ${[...brands].join(" vs ")}`);
    // The release table is the most specific brand signal, then the page itself.
    product =
      (narrowed.candidates.length > 0 && !narrowed.conflict ? narrowed.candidates[0]!.package : null) ??
      html.titleBrand ??
      html.elementBrand ??
      html.globalsBrand ??
      "openclaw";
  }
  evidence.unshift(...family.map((f) => f.evidence));

  if (product === null) {
    return {
      ...NOT_A_GATEWAY,
      confidence: { ...NOT_A_GATEWAY.confidence, product: round(1 - productScore) },
      conflicts,
      evidence:
        family.length > 0
          ? evidence
          : [ev("GET /", `not an OpenClaw-family gateway: ${root ? statusLine(root) : "no answer"}`)],
    };
  }

  // --- Version -----------------------------------------------------------------------------
  const version = decideVersion(
    claims,
    narrowed.candidates,
    narrowed.conflict,
    hasHealth,
    challenge !== null,
    conflicts,
    evidence,
  );
  distrustImpersonation(product, version, conflicts);

  // --- Auth --------------------------------------------------------------------------------
  const auth = decideAuth(t, conflicts, evidence);

  // --- Remote treated as local -------------------------------------------------------------
  const rll = decideRemoteLooksLocal(t, auth.state, startupIsProbe, startupVersion, conflicts, evidence);

  const familyBrandsDisagree = conflicts.some((c) => c.startsWith("brand signals"));
  const confidence: Confidence = {
    product: round(familyBrandsDisagree ? Math.min(productScore, 0.6) : productScore),
    version: round(version.confidence),
    auth: round(auth.confidence),
    remoteLooksLocal: round(rll.confidence),
  };
  return {
    product,
    version: version.version,
    versionRange: version.range,
    protocol,
    auth: auth.state,
    remoteLooksLocal: rll.value,
    confidence,
    conflicts,
    evidence,
  };
}

function rangeOf(versions: string[]): VersionRangeOut {
  const sorted = [...new Set(versions)].sort(compareVersions);
  return {
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
    candidates: sorted.length <= MAX_LISTED_CANDIDATES ? sorted : [],
  };
}

function decideVersion(
  claims: { version: string; source: string; raw: string }[],
  candidates: ReleaseRef[],
  tableConflict: boolean,
  hasHealth: boolean,
  hasChallenge: boolean,
  conflicts: string[],
  evidence: Evidence[],
): { version: string | null; range: VersionRangeOut | null; confidence: number } {
  for (const c of claims) evidence.push(ev(c.source, `version ${c.version} stated pre-auth`, c.raw));
  const claimed = [...new Set(claims.map((c) => c.version))];
  const tableVersions = [...new Set(candidates.map((c) => c.version))];
  let version: string | null = null;
  let range: VersionRangeOut | null = null;
  let confidence = 0;

  if (claimed.length > 1) {
    conflicts.push(
      `pre-auth version statements disagree: ${claims.map((c) => `${c.source}=${c.version}`).join(", ")}`,
    );
    range = rangeOf([...claimed, ...tableVersions]);
    confidence = 0.2;
  } else if (claimed.length === 1) {
    const v = claimed[0]!;
    if (tableVersions.length > 0 && !tableVersions.includes(v)) {
      conflicts.push(`stated version ${v} does not match the Control UI build (${tableVersions.join(", ")})`);
      range = rangeOf([v, ...tableVersions]);
      confidence = 0.2;
    } else {
      version = v;
      confidence = tableVersions.length === 1 ? 0.99 : claims.length > 1 ? 0.95 : 0.85;
    }
  } else if (tableVersions.length === 1 && !tableConflict) {
    version = tableVersions[0]!;
    confidence = 0.95;
  } else if (tableVersions.length > 0) {
    range = rangeOf(tableVersions);
    confidence = tableConflict ? 0.2 : 0.8;
  } else if (hasHealth) {
    range = { min: "2026.3.2", max: null, candidates: [] };
    confidence = 0.5;
  } else if (hasChallenge) {
    range = { min: "2026.1.20", max: null, candidates: [] };
    confidence = 0.4;
  }

  // Server-side era markers must agree with whatever the UI or a version field claimed.
  const check = (marker: boolean, min: string, what: string) => {
    const v = version ?? range?.max;
    if (marker && v && compareVersions(v, min) < 0) {
      conflicts.push(`${what} (${min} or later) contradicts version ${v}`);
      if (version) range = rangeOf([version]);
      version = null;
      confidence = Math.min(confidence, 0.3);
    }
  };
  check(hasHealth, "2026.3.2", "/healthz liveness probe");
  check(hasChallenge, "2026.1.20", "connect.challenge frame");
  if (version) range = null;
  return { version, range, confidence };
}

/**
 * A page that disagrees about which product it is cannot vouch for an exact version, and a
 * version the release table knows only under another name (a "clawdbot 2026.9.6") is an
 * impersonation: both are conflicts, and the exact version becomes a range of one with low
 * confidence (ARCHITECTURE principle 5: never a confident wrong answer).
 */
function distrustImpersonation(
  product: FamilyProduct,
  version: { version: string | null; range: VersionRangeOut | null; confidence: number },
  conflicts: string[],
): void {
  const v = version.version;
  if (!v) return;
  const index = versionIndex();
  const publishedAs = PACKAGE_NAMES.filter((p) => index.idOf({ package: p, version: v }) !== undefined);
  const foreign = publishedAs.length > 0 && !publishedAs.includes(product);
  if (foreign) conflicts.push(`version ${v} was published as ${publishedAs.join("/")}, never as ${product}`);
  if (foreign || conflicts.some((c) => c.startsWith("brand signals"))) {
    version.range = rangeOf([v]);
    version.version = null;
    version.confidence = Math.min(version.confidence, 0.3);
  }
}

function decideAuth(
  t: Transcript,
  conflicts: string[],
  evidence: Evidence[],
): { state: AuthState; confidence: number } {
  const votes: { state: Exclude<AuthState, "unknown">; weight: number }[] = [];
  const tools = findHttp(t, "POST", "/tools/invoke");
  const toolsBody = bodyText(tools);
  if (tools?.response?.status === 401 && /unauthori[sz]ed/i.test(toolsBody)) {
    votes.push({ state: "required", weight: 0.95 });
    evidence.push(
      ev(
        "POST /tools/invoke",
        "empty request refused with 401: gateway auth is enforced",
        toolsBody,
        "/tools/invoke",
      ),
    );
  } else if (tools?.response?.status === 400 && /tools\.invoke requires/i.test(toolsBody)) {
    votes.push({ state: "not-required", weight: 0.95 });
    evidence.push(
      ev(
        "POST /tools/invoke",
        "empty request reached argument validation (400) without credentials: no auth",
        toolsBody,
        "/tools/invoke",
      ),
    );
  } else if (tools?.response?.status === 429) {
    evidence.push(
      ev("POST /tools/invoke", "rate limited (429): auth state not observed", toolsBody, "/tools/invoke"),
    );
  }
  const config = findHttp(t, "GET", "/__openclaw/control-ui-config.json");
  if (config?.response?.status === 401) {
    votes.push({ state: "required", weight: 0.7 });
    evidence.push(
      ev(
        "GET /__openclaw/control-ui-config.json",
        "Control UI config refused with 401 (HTTP auth on)",
        bodyText(config),
      ),
    );
  }
  if (votes.length === 0) return { state: "unknown", confidence: 0 };
  const states = new Set(votes.map((v) => v.state));
  if (states.size > 1) {
    conflicts.push("auth signals disagree: some endpoints refuse without credentials, others answer");
    return { state: "unknown", confidence: 0.3 };
  }
  return { state: votes[0]!.state, confidence: combine(votes.map((v) => v.weight)) };
}

function decideRemoteLooksLocal(
  t: Transcript,
  auth: AuthState,
  startupIsProbe: boolean,
  startupVersion: string | null,
  conflicts: string[],
  evidence: Evidence[],
): { value: boolean; confidence: number } {
  if (t.viaLoopback) {
    evidence.push(
      ev("vantage", "scanned over loopback: the gateway rightly treats this scanner as local; not judged"),
    );
    return { value: false, confidence: 0 };
  }
  const local: number[] = [];
  const remote: number[] = [];
  const readyz = findHttp(t, "GET", "/readyz");
  const ready = readyz?.response ? parseJsonObject(bodyText(readyz)) : null;
  if (ready && typeof ready.ready === "boolean") {
    const detailKeys = Object.keys(ready).filter((k) => k !== "ready");
    if (detailKeys.length > 0) {
      local.push(0.9);
      evidence.push(
        ev(
          "GET /readyz",
          "readiness details shown to an unauthenticated non-loopback client: treated as local",
          bodyText(readyz),
          "/readyz",
        ),
      );
    } else {
      remote.push(0.8);
      evidence.push(
        ev("GET /readyz", "readiness details withheld: treated as remote", bodyText(readyz), "/readyz"),
      );
    }
  }
  if (startupIsProbe) {
    const startupz = findHttp(t, "GET", "/startupz");
    if (startupVersion) {
      local.push(0.9);
      evidence.push(
        ev(
          "GET /startupz",
          "version and uptime shown to an unauthenticated non-loopback client: treated as local",
          bodyText(startupz),
        ),
      );
    } else {
      remote.push(0.8);
    }
  }
  if (auth === "not-required") {
    // No OpenClaw-family release binds a non-loopback address without auth; reaching one
    // from off-host means something on its host forwards to a loopback listener.
    local.push(0.75);
    evidence.push(
      ev(
        "deduction",
        "no-auth gateway reached from off-host: it listens on loopback behind a forwarder or proxy",
      ),
    );
  }
  if (local.length > 0 && remote.length > 0) {
    conflicts.push("local-treatment signals disagree (some probes saw local details, others not)");
    return { value: true, confidence: 0.4 };
  }
  if (local.length > 0) return { value: true, confidence: combine(local) };
  if (remote.length > 0) return { value: false, confidence: combine(remote) };
  return { value: false, confidence: 0.3 };
}
