// The npm registry side of `clawpatrol update`: read the clawpatrol-data packument, pick the
// newest release this client can read, download its tarball and check it against the
// registry's own `dist.integrity` (sha512) before anything looks inside it.
import { createHash } from "node:crypto";
import { DATA_PACKAGE_NAME, DATA_SCHEMA, parseDataVersion } from "../core/data-dir.ts";
import { RunError, UsageError } from "../core/errors.ts";

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";
/** A packument lists every version's metadata; the data package's stays far below this. */
const MAX_PACKUMENT_BYTES = 32 << 20;
/** The data package is a few MB; anything much larger is not one. */
export const MAX_TARBALL_BYTES = 64 << 20;
const TIMEOUT_MS = 60_000;

export interface DataRelease {
  version: string;
  tarball: string;
  /** SRI string from the registry, e.g. `sha512-…`. */
  integrity: string;
}

/** The registry base URL from --registry: http(s) only, ending in `/`. */
export function registryUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--registry: not a URL: ${text}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--registry: must be an http:// or https:// URL: ${text}`);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

async function fetchBytes(url: URL, limit: number, what: string, accept: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new RunError(
      `cannot fetch ${what} from ${url.href}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new RunError(`cannot fetch ${what} from ${url.href}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await res.body?.cancel();
    throw new RunError(`${what} at ${url.href} is larger than ${limit} bytes; refused`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > limit) throw new RunError(`${what} at ${url.href} is larger than ${limit} bytes; refused`);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, total);
}

/**
 * The newest non-deprecated release whose version is `<DATA_SCHEMA>.<date>.<n>` (a release
 * for another data schema is for another clawpatrol), or null when there is none.
 */
export function newestRelease(packument: unknown): DataRelease | null {
  const versions = (packument as { versions?: Record<string, unknown> } | null)?.versions;
  if (typeof versions !== "object" || versions === null) return null;
  let best: { key: [number, number]; release: DataRelease } | null = null;
  for (const [version, meta] of Object.entries(versions)) {
    const v = parseDataVersion(version);
    if (!v || v.schema !== DATA_SCHEMA) continue;
    const m = meta as { deprecated?: unknown; dist?: { tarball?: unknown; integrity?: unknown } } | null;
    if (!m || m.deprecated) continue;
    const tarball = m.dist?.tarball;
    const integrity = m.dist?.integrity;
    if (typeof tarball !== "string" || typeof integrity !== "string") continue;
    const key: [number, number] = [v.day, v.serial];
    if (!best || key[0] > best.key[0] || (key[0] === best.key[0] && key[1] > best.key[1]))
      best = { key, release: { version, tarball, integrity } };
  }
  return best?.release ?? null;
}

/** Read the packument of the data package and pick the release to install. */
export async function findNewestRelease(registry: URL): Promise<DataRelease> {
  const url = new URL(encodeURIComponent(DATA_PACKAGE_NAME), registry);
  // The abbreviated form carries versions, dist and deprecated: all that is needed.
  const bytes = await fetchBytes(
    url,
    MAX_PACKUMENT_BYTES,
    `${DATA_PACKAGE_NAME} metadata`,
    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8",
  );
  let packument: unknown;
  try {
    packument = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new RunError(`${url.href}: the registry's answer is not JSON`);
  }
  const release = newestRelease(packument);
  if (!release)
    throw new RunError(`${url.href}: no ${DATA_PACKAGE_NAME} release for data schema ${DATA_SCHEMA}`);
  return release;
}

/** Whether `bytes` match an SRI string; only sha512 counts (what npm registries publish). */
export function matchesIntegrity(bytes: Uint8Array, integrity: string): boolean {
  const wanted = integrity
    .trim()
    .split(/\s+/)
    .filter((s) => s.startsWith("sha512-"))
    .map((s) => s.slice("sha512-".length).split("?")[0]!);
  if (wanted.length === 0) return false;
  const actual = createHash("sha512").update(bytes).digest("base64");
  return wanted.includes(actual);
}

/** Download a release's tarball and verify it against the registry's integrity. */
export async function downloadRelease(release: DataRelease): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(release.tarball);
  } catch {
    throw new RunError(`registry names a tarball that is not a URL: ${release.tarball}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new RunError(`registry names a tarball that is not http(s): ${release.tarball}`);
  if (!release.integrity.split(/\s+/).some((s) => s.startsWith("sha512-")))
    throw new RunError(
      `${DATA_PACKAGE_NAME}@${release.version}: the registry gives no sha512 integrity; refused`,
    );
  const bytes = await fetchBytes(
    url,
    MAX_TARBALL_BYTES,
    `${DATA_PACKAGE_NAME}@${release.version}`,
    "application/octet-stream",
  );
  if (!matchesIntegrity(bytes, release.integrity))
    throw new RunError(
      `${DATA_PACKAGE_NAME}@${release.version}: tarball does not match the registry's integrity (sha512); nothing changed`,
    );
  return bytes;
}
