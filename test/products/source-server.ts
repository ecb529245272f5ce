// Servers built from the products' own published source (issue 17): for the AI services that
// cannot be installed here (Ollama, Open WebUI, LiteLLM, vLLM, llama.cpp server, ComfyUI),
// test/fixtures/products/source-derived/specs/<product>.json lists each route the
// fingerprinter reads, the answer the product's source gives (status, headers, body) and the
// file and line it comes from. This module serves one variant of a spec over real HTTP, so
// the real probe can be recorded against it (record-source-derived.ts) and re-checked against
// the recording in the unit tests.
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Product } from "../../src/fingerprints/products.ts";

export interface AnswerSpec {
  status: number;
  headers: [string, string][];
  body?: string;
  json?: unknown;
  /** The file (and line) or page of the product this answer comes from. */
  source: string;
}

export interface RouteSpec extends AnswerSpec {
  method: string;
  path: string;
}

export interface VariantExpectation {
  auth: "required" | "not-required" | "unknown";
  version: string | null;
  /** Facts the record must carry with exactly these values (others may be present). */
  facts: Record<string, string | number | boolean>;
  /** Exactly the finding rule ids of the record, seen from the network. */
  rules: string[];
}

export interface VariantSpec {
  name: string;
  expect: VariantExpectation;
  routes: RouteSpec[];
}

export interface ProductSpec {
  product: Product;
  source: { repo: string; commit: string; note: string };
  /** Headers the product puts on every answer. */
  headers: [string, string][];
  /** The answer to any route the variant does not list. */
  notFound: AnswerSpec;
  variants: VariantSpec[];
}

export const SPEC_DIR = new URL("../fixtures/products/source-derived/specs/", import.meta.url);
export const SOURCE_FIXTURE_DIR = new URL("../fixtures/products/source-derived/", import.meta.url);

export function loadSpecs(): ProductSpec[] {
  return readdirSync(SPEC_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, SPEC_DIR), "utf8")) as ProductSpec);
}

export function answerBody(a: AnswerSpec): Buffer {
  return Buffer.from(a.json !== undefined ? JSON.stringify(a.json) : (a.body ?? ""), "utf8");
}

export interface SourceServer {
  host: string;
  port: number;
  /** Requests served so far, as "METHOD path". */
  requests: string[];
  close(): Promise<void>;
}

/** Serves one variant on 127.0.0.1 (an ephemeral port). */
export async function startSourceServer(spec: ProductSpec, variant: VariantSpec): Promise<SourceServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push(`${req.method} ${path}`);
    const route = variant.routes.find((r) => r.method === req.method && r.path === path) ?? spec.notFound;
    const body = answerBody(route);
    // Drain any request body first, as the products' servers do.
    req.resume();
    req.on("end", () => {
      res.writeHead(route.status, [...spec.headers, ...route.headers].flat());
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
