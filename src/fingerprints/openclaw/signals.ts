// Pure extractors: small functions that read one signal out of a response. Each returns
// plain data; deciding what the signals mean together is fingerprint.ts's job.
import { capText } from "../../util/text.ts";

import type { FamilyProduct } from "./meta.ts";

export type Brand = FamilyProduct;

const MAX_SCAN = 512 * 1024;

export interface RootHtmlSignals {
  titleBrand: Brand | null;
  elementBrand: Brand | null;
  globalsBrand: Brand | null;
  /** Content-hashed asset basenames referenced by the page (index-XXXX.js, ...). */
  assetNames: string[];
  /** Version embedded in the page (build-id attribute or ?v= query), if any. */
  buildVersion: string | null;
  buildId: string | null;
  /** Window globals of the 2026.1.21–2.14 era leak the assistant name. */
  assistantName: string | null;
}

const TITLE = /<title>\s*(OpenClaw|Clawdbot|Moltbot) Control\s*<\/title>/i;
const ELEMENT = /<(openclaw|clawdbot|moltbot)-app[\s>]/i;
const GLOBALS = /window\.__(OPENCLAW|CLAWDBOT|MOLTBOT)_CONTROL_UI_BASE_PATH__/;
const ASSET = /(?:src|href)\s*=\s*["']([^"'<>]{1,300})["']/gi;
const BUILD_ID = /data-openclaw-control-ui-build-id\s*=\s*["']([^"']{1,300})["']/i;
const ASSISTANT = /window\.__(?:OPENCLAW|CLAWDBOT|MOLTBOT)_ASSISTANT_NAME__\s*=\s*("(?:[^"\\]|\\.){0,200}")/;
const CALVER_PREFIX =
  /^(\d{4}\.\d{1,2}\.\d{1,3}(?:-\d{1,4})?(?:-(?:alpha|beta|rc)\.?\d{1,4})?)(?=$|-release|-[0-9a-f]{12})/;

function brandOf(word: string | undefined): Brand | null {
  const w = word?.toLowerCase();
  return w === "openclaw" || w === "clawdbot" || w === "moltbot" ? w : null;
}

/** Basename of an asset URL, without query or fragment: "./assets/index-Ab_12.js?v=1" → "index-Ab_12.js". */
export function assetBasename(url: string): string | null {
  const path = url.split(/[?#]/)[0]!;
  const base = path.slice(path.lastIndexOf("/") + 1);
  return /^[\w.-]{1,200}\.(?:js|mjs|css)$/.test(base) ? base : null;
}

/** Leading CalVer of a build id like "2026.9.6-release-eb377ac59e6c-…" or "2026.5.28-e93216080aa1". */
export function versionOfBuildId(buildId: string): string | null {
  return CALVER_PREFIX.exec(buildId)?.[1] ?? null;
}

export function rootHtmlSignals(html: string): RootHtmlSignals {
  const text = html.length > MAX_SCAN ? html.slice(0, MAX_SCAN) : html;
  const assets = new Set<string>();
  for (const m of text.matchAll(ASSET)) {
    const url = m[1]!;
    if (!/(^|\/)assets\//.test(url)) continue;
    const base = assetBasename(url);
    if (base) assets.add(base);
  }
  const buildId = BUILD_ID.exec(text)?.[1] ?? null;
  let assistantName: string | null = null;
  const a = ASSISTANT.exec(text);
  if (a) {
    try {
      assistantName = String(JSON.parse(a[1]!));
    } catch {
      assistantName = null;
    }
  }
  return {
    titleBrand: brandOf(TITLE.exec(text)?.[1]),
    elementBrand: brandOf(ELEMENT.exec(text)?.[1]),
    globalsBrand: brandOf(GLOBALS.exec(text)?.[1]),
    assetNames: [...assets],
    buildVersion: buildId ? versionOfBuildId(buildId) : null,
    buildId,
    assistantName,
  };
}

// The probe (is this the family? which static files tell its release apart?) and the
// fingerprint both read the root page; the regex scan of a page is done once per body.
const signalsByBody = new WeakMap<Buffer, RootHtmlSignals>();

/** rootHtmlSignals of a response body (decoded as UTF-8), memoised per Buffer. */
export function rootHtmlSignalsOf(body: Buffer): RootHtmlSignals {
  let signals = signalsByBody.get(body);
  if (!signals) {
    signals = rootHtmlSignals(body.toString("utf8"));
    signalsByBody.set(body, signals);
  }
  return signals;
}

/** `const EMBEDDED_CACHE_VERSION = "2026.5.28-e93216080aa1";` in the service worker. */
export function serviceWorkerVersion(js: string): { raw: string; version: string | null } | null {
  const m = /EMBEDDED_CACHE_VERSION\s*=\s*["']([^"'\n]{1,200})["']/.exec(js.slice(0, MAX_SCAN));
  if (!m) return null;
  return { raw: m[1]!, version: versionOfBuildId(m[1]!) };
}

/** Cut a target-controlled string with a visible marker (never silently). */
function capped(text: string, max: number): string {
  return capText(text, max).text;
}

export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (text.length === 0 || text.length > 64 * 1024) return null;
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return null;
  try {
    const v = JSON.parse(trimmed);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// A frame's JSON, parsed once: the probe reads each frame (to decide on its reply) and the
// fingerprint reads it again, as a challenge and as an answer. Only read, never modified.
// Bounded: a scan of millions of gateways must not keep every frame it saw.
const parsedFrames = new Map<string, Record<string, unknown> | null>();
function frameJson(text: string): Record<string, unknown> | null {
  let obj = parsedFrames.get(text);
  if (obj === undefined) {
    obj = parseJsonObject(text);
    if (parsedFrames.size >= 256) parsedFrames.clear();
    parsedFrames.set(text, obj);
  }
  return obj;
}

/** The gateway's first WebSocket frame: `{"type":"event","event":"connect.challenge","payload":{"nonce":…,"ts":…}}`. */
export function challengeOf(text: string): { nonce: string; capabilities: string[] } | null {
  const obj = frameJson(text);
  if (obj?.type !== "event" || obj.event !== "connect.challenge") return null;
  const payload = obj.payload as Record<string, unknown> | undefined;
  if (!payload || typeof payload.nonce !== "string" || typeof payload.ts !== "number") return null;
  // Target-controlled strings: bounded, and a cut is visible (they end up in evidence details).
  const caps = Array.isArray(payload.capabilities)
    ? payload.capabilities
        .filter((c): c is string => typeof c === "string")
        .slice(0, 16)
        .map((c) => capped(c, 64))
    : [];
  return { nonce: capped(payload.nonce, 100), capabilities: caps };
}

export interface ConnectAnswer {
  ok: boolean;
  helloOk: boolean;
  code: string | null;
  message: string | null;
  detailCode: string | null;
  expectedProtocol: number | null;
  minimumProbeProtocol: number | null;
}

/** The gateway's answer to our `connect` request frame. */
export function connectAnswerOf(text: string, requestId: string): ConnectAnswer | null {
  const obj = frameJson(text);
  if (obj?.type !== "res" || obj.id !== requestId) return null;
  const error = (obj.error ?? null) as Record<string, unknown> | null;
  const details = (error?.details ?? null) as Record<string, unknown> | null;
  const payload = (obj.payload ?? null) as Record<string, unknown> | null;
  const num = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 1000 ? v : null);
  return {
    ok: obj.ok === true,
    helloOk: payload?.type === "hello-ok",
    code: typeof error?.code === "string" ? capped(error.code, 100) : null,
    message: typeof error?.message === "string" ? capped(error.message, 300) : null,
    detailCode: typeof details?.code === "string" ? capped(details.code, 100) : null,
    expectedProtocol: num(details?.expectedProtocol),
    minimumProbeProtocol: num(details?.minimumProbeProtocol),
  };
}

/** True for a frame that grants a session: we must close at once and never act on it. */
export function isHelloOk(text: string): boolean {
  return /"hello-ok"/.test(text) && /"type"\s*:\s*"res"/.test(text);
}
