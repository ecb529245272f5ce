// Ollama, Open WebUI, LiteLLM, vLLM, llama.cpp server and ComfyUI cannot be installed here:
// their fingerprints are built from the products' own published source. Each spec
// (test/fixtures/products/source-derived/specs/) cites the file for every answer; the real
// probe was recorded against a server replaying those answers (test/products/
// record-source-derived.ts). These tests hold the fingerprints to the specs, check the
// recordings are still what the probe asks of such a server, and try the readers on
// answers that only look alike.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { Fingerprinter } from "../../src/fingerprints/contract.ts";
import { probeEndpoint } from "../../src/fingerprints/probe-endpoint.ts";
import { fingerprinterOf } from "../../src/fingerprints/registry.ts";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import type { HttpExchange } from "../../src/net/http.ts";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import {
  answerBody,
  loadSpecs,
  SOURCE_FIXTURE_DIR,
  type SourceServer,
  startSourceServer,
} from "../products/source-server.ts";

const SPECS = loadSpecs();
/** Products with source-derived specs that are also tested against the running product. */
const LIVE_TOO = new Set(["n8n", "flowise"]);
const load = (name: string): Transcript =>
  transcriptFromJson(readFileSync(new URL(`${name}.json`, SOURCE_FIXTURE_DIR), "utf8"));

describe("the source-derived specs", () => {
  it("cover every published-source product, each answer citing where it comes from", () => {
    const products = SPECS.map((s) => s.product).sort();
    expect(products).toEqual([
      "comfyui",
      "flowise",
      "litellm",
      "llama-cpp",
      "n8n",
      "ollama",
      "open-webui",
      "vllm",
    ]);
    for (const spec of SPECS) {
      // n8n and Flowise run live in the service zoo now (test/live/services.test.ts); their
      // specs stay for the older releases the zoo does not run (versionCli, 2.x without auth).
      if (!LIVE_TOO.has(spec.product))
        expect(fingerprinterOf(spec.product).meta.basis, spec.product).toBe("published-source");
      expect(spec.source.commit, spec.product).toMatch(/^[0-9a-f]{40}$/);
      expect(spec.notFound.source.length, spec.product).toBeGreaterThan(10);
      for (const v of spec.variants)
        for (const r of v.routes) expect(r.source.length, `${v.name} ${r.path}`).toBeGreaterThan(10);
    }
  });
});

for (const spec of SPECS) {
  describe(`${spec.product}, from its published source`, () => {
    const servers: SourceServer[] = [];
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });
    for (const v of spec.variants) {
      it(`${v.name}: product, version, auth, facts and findings`, () => {
        const t = load(v.name);
        expect(t.viaLoopback).toBe(false);
        const o = observe(t, NO_ADVISORIES);
        expect(o.product).toBe(spec.product);
        expect(o.version).toBe(v.expect.version);
        expect(o.auth).toBe(v.expect.auth);
        for (const [k, value] of Object.entries(v.expect.facts)) expect(o.facts?.[k], k).toEqual(value);
        expect(o.findings.map((f) => f.ruleId).sort()).toEqual([...v.expect.rules].sort());
        expect(o.evidence.length).toBeGreaterThan(0);
        // Published-source fingerprints never claim live-tested certainty.
        if (!LIVE_TOO.has(spec.product)) expect(o.confidence.product).toBeLessThanOrEqual(0.85);
        expect(o.confidence.product).toBeGreaterThanOrEqual(0.6);
      });
      it(`${v.name}: the recording is what the probe asks of the spec's server today`, async () => {
        const recorded = load(v.name);
        const server = await startSourceServer(spec, v);
        servers.push(server);
        const t = await probeEndpoint(
          { ...recorded.endpoint, ip: server.host, port: server.port },
          { limits: limitsForTimeout(3000), beforeConnect: async () => {} },
          false,
        );
        const summary = (x: HttpExchange) =>
          `${x.request.method} ${x.request.path} ${x.response?.status} ${x.response?.body.toString("base64")}`;
        expect(t.http.map(summary)).toEqual(recorded.http.map(summary));
        // Only reads: the probe never posts to these products' own routes.
        const own = new Set(v.routes.map((r) => `${r.method} ${r.path}`));
        for (const x of t.http)
          if (own.has(`${x.request.method} ${x.request.path}`)) expect(x.request.method).toBe("GET");
        // And every answer recorded for a listed route is byte for byte the spec's.
        for (const x of recorded.http) {
          const r = v.routes.find((r) => r.method === x.request.method && r.path === x.request.path);
          if (r) expect(x.response?.body.equals(answerBody(r)), r.path).toBe(true);
        }
      });
    }
  });
}

// --- lookalikes: each fingerprinter on answers that share one signal but not the product --------

function exchange(
  path: string,
  status: number,
  body: string,
  headers: [string, string][] = [],
): HttpExchange {
  const b = Buffer.from(body);
  return {
    request: { method: "GET", path, headers: [] },
    response: {
      httpVersion: "1.1",
      status,
      reason: "",
      headers: [["Content-Type", "application/json"], ...headers],
      body: b,
      bodyTruncated: false,
    },
    nonHttp: null,
    raw: b,
    tls: null,
    error: null,
    timedOut: false,
    ms: 1,
  };
}

function transcript(http: HttpExchange[]): Transcript {
  const t = load("ollama-open");
  return { ...t, http };
}

const of = (product: Parameters<typeof fingerprinterOf>[0]): Fingerprinter => fingerprinterOf(product);

describe("lookalikes are not claimed", () => {
  it("a bare {version} document is not Ollama, nor vLLM", () => {
    const t = transcript([
      exchange("/api/version", 200, '{"version":"1.2.3"}'),
      exchange("/version", 200, '{"version":"1.2.3"}'),
    ]);
    expect(of("ollama").fingerprint(t).product).toBeNull();
    expect(of("vllm").fingerprint(t).product).toBeNull();
  });
  it("a 401 {error: Unauthorized} alone is not vLLM; another server's model list is not vLLM", () => {
    const refusal = transcript([exchange("/v1/models", 401, '{"error":"Unauthorized"}')]);
    expect(of("vllm").fingerprint(refusal).product).toBeNull();
    const openai = transcript([
      exchange("/version", 200, '{"version":"1"}'),
      exchange(
        "/v1/models",
        200,
        '{"object":"list","data":[{"id":"m","object":"model","owned_by":"openai"}]}',
      ),
    ]);
    expect(of("vllm").fingerprint(openai).product).toBeNull();
  });
  it("a Server: llama.cpp header on answers that are not llama-server's is not enough", () => {
    const t = transcript([exchange("/", 404, "nope", [["Server", "llama.cpp"]])]);
    expect(of("llama-cpp").fingerprint(t).product).toBeNull();
  });
  it("an /api/config that does not name Open WebUI is not Open WebUI", () => {
    const body = JSON.stringify({ status: true, name: "Other UI", version: "1", features: { auth: false } });
    expect(of("open-webui").fingerprint(transcript([exchange("/api/config", 200, body)])).product).toBeNull();
  });
  it("a readiness document without litellm_version is not LiteLLM", () => {
    const t = transcript([exchange("/health/readiness", 200, '{"status":"healthy","db":"connected"}')]);
    expect(of("litellm").fingerprint(t).product).toBeNull();
  });
  it("a {data} settings document without n8n's userManagement is not n8n", () => {
    const body = JSON.stringify({ data: { settingsMode: "public", defaultLocale: "en" } });
    expect(of("n8n").fingerprint(transcript([exchange("/rest/settings", 200, body)])).product).toBeNull();
  });
  it("a bare {version} at /api/v1/version, without Flowise's page or settings, is not Flowise", () => {
    const t = transcript([
      exchange("/api/v1/version", 200, '{"version":"2.2.8"}'),
      exchange("/api/v1/chatflows", 200, "[]"),
    ]);
    expect(of("flowise").fingerprint(t).product).toBeNull();
  });
  it("a page titled ComfyUI without ComfyUI's statistics is not ComfyUI", () => {
    const t = transcript([
      exchange("/", 200, "<html><title>ComfyUI</title></html>"),
      exchange("/system_stats", 404, ""),
    ]);
    expect(of("comfyui").fingerprint(t).product).toBeNull();
  });
});

describe("hostile answers are survived and capped", () => {
  it("control bytes and huge names in a model listing never reach a fact unescaped or uncapped", () => {
    const names = Array.from({ length: 100 }, (_, i) => ({ name: `\u001b[31m${"x".repeat(2000)}${i}` }));
    const t = transcript([
      exchange("/", 200, "Ollama is running"),
      exchange("/api/version", 200, JSON.stringify({ version: `9\u0007${"9".repeat(500)}` })),
      exchange("/api/tags", 200, JSON.stringify({ models: names })),
    ]);
    const v = of("ollama").fingerprint(t);
    expect(v.product).toBe("ollama");
    expect(v.facts?.modelsListed).toBe(100);
    const text = String(v.facts?.modelNames);
    expect(text).not.toMatch(/[\u0000-\u001f]/);
    expect(text.length).toBeLessThan(8 * 160);
    expect(v.version!.length).toBeLessThanOrEqual(80);
    expect(v.version).not.toMatch(/[\u0000-\u001f]/);
  });
  it("a listing over the parse cap is not read (the banner still names the product)", () => {
    const huge = JSON.stringify({ models: Array.from({ length: 400 }, () => ({ name: "y".repeat(2000) })) });
    const t = transcript([exchange("/", 200, "Ollama is running"), exchange("/api/tags", 200, huge)]);
    const v = of("ollama").fingerprint(t);
    expect(v.product).toBe("ollama");
    expect(v.facts?.modelsListed).toBeUndefined();
    expect(v.auth).toBe("unknown");
  });
  it("a truncated or non-JSON body is no evidence at all", () => {
    const t = transcript([exchange("/health/readiness", 200, '{"status":"ok","litellm_version":"1.0')]);
    expect(of("litellm").fingerprint(t).product).toBeNull();
  });
});
