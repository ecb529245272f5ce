// Zero false positives across products: every registered fingerprinter runs on every
// recorded transcript of every product (the OpenClaw zoo from both vantages, its side ports,
// the product zoo) and names a product only on its own. And the registry covers the product
// list exactly once.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMFYUI_RULES } from "../../src/fingerprints/comfyui/rules.ts";
import { FLOWISE_RULES } from "../../src/fingerprints/flowise/rules.ts";
import { LITELLM_RULES } from "../../src/fingerprints/litellm/rules.ts";
import { LLAMA_CPP_RULES } from "../../src/fingerprints/llama-cpp/rules.ts";
import { MCP_RULES } from "../../src/fingerprints/mcp/rules.ts";
import { N8N_RULES } from "../../src/fingerprints/n8n/rules.ts";
import { OLLAMA_RULES } from "../../src/fingerprints/ollama/rules.ts";
import { OPEN_WEBUI_RULES } from "../../src/fingerprints/open-webui/rules.ts";
import { fingerprintTranscript } from "../../src/fingerprints/probe-endpoint.ts";
import { PRODUCTS } from "../../src/fingerprints/products.ts";
import { FINGERPRINTERS, fingerprinterOf } from "../../src/fingerprints/registry.ts";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { VLLM_RULES } from "../../src/fingerprints/vllm/rules.ts";
import { SCAN_RULES } from "../../src/scan/rules.ts";
import { loadSpecs, SOURCE_FIXTURE_DIR } from "../products/source-server.ts";
import { PRODUCT_ZOO } from "../support/product-zoo.ts";

interface Case {
  name: string;
  t: Transcript;
  /** The fingerprinter whose product this is, or null for an endpoint that is none. */
  owner: string | null;
}

function loadDir(dir: string): { file: string; t: Transcript }[] {
  const url = new URL(`../fixtures/${dir}/`, import.meta.url);
  return readdirSync(url)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({ file: f.slice(0, -5), t: transcriptFromJson(readFileSync(new URL(f, url), "utf8")) }));
}

const cases: Case[] = [];
for (const vantage of ["local", "remote"])
  for (const { file, t } of loadDir(`zoo/${vantage}`))
    cases.push({
      name: `zoo/${vantage}/${file}`,
      t,
      owner: file.startsWith("side-") ? null : "openclaw",
    });
for (const { file, t } of loadDir("products")) {
  const z = PRODUCT_ZOO.find((z) => z.name === file);
  cases.push({ name: `products/${file}`, t, owner: z ? fingerprinterOf(z.product).id : "unknown" });
}
// Products fingerprinted from their published source: transcripts recorded against their specs.
for (const spec of loadSpecs())
  for (const v of spec.variants) {
    const t = transcriptFromJson(readFileSync(new URL(`${v.name}.json`, SOURCE_FIXTURE_DIR), "utf8"));
    cases.push({ name: `products/source-derived/${v.name}`, t, owner: fingerprinterOf(spec.product).id });
  }

describe("every fingerprinter on every product's transcripts", () => {
  it("has transcripts of every registered fingerprinter's product (nothing tested only on itself)", () => {
    for (const f of FINGERPRINTERS)
      expect(
        cases.some((c) => c.owner === f.id),
        f.id,
      ).toBe(true);
    expect(cases.filter((c) => c.owner === null).length).toBeGreaterThan(0);
  });
  for (const f of FINGERPRINTERS) {
    it(`${f.id} names a product only on its own transcripts`, () => {
      for (const c of cases) {
        const v = f.fingerprint(c.t);
        if (c.owner === f.id) expect(v.product, c.name).not.toBeNull();
        else expect(v.product, `${f.id} on ${c.name}`).toBeNull();
        if (v.product !== null) expect(f.meta.products, c.name).toContain(v.product);
      }
    });
  }
  it("the combined verdict picks the owner's product on each transcript", () => {
    for (const c of cases) {
      const { verdict, by } = fingerprintTranscript(c.t);
      expect(by?.id ?? null, c.name).toBe(c.owner);
      if (c.owner === null) expect(verdict.product, c.name).toBeNull();
    }
  });
});

describe("the registry", () => {
  it("covers the product list, each product by exactly one fingerprinter", () => {
    const covered = FINGERPRINTERS.flatMap((f) => [...f.meta.products]);
    expect([...covered].sort()).toEqual([...PRODUCTS].sort());
    expect(new Set(covered).size).toBe(covered.length);
  });
  it("has unique fingerprinter ids and unique scan rule ids", () => {
    const ids = FINGERPRINTERS.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    const rules = [
      ...Object.values(SCAN_RULES),
      ...Object.values(MCP_RULES),
      ...Object.values(OLLAMA_RULES),
      ...Object.values(OPEN_WEBUI_RULES),
      ...Object.values(LITELLM_RULES),
      ...Object.values(VLLM_RULES),
      ...Object.values(LLAMA_CPP_RULES),
      ...Object.values(COMFYUI_RULES),
      ...Object.values(N8N_RULES),
      ...Object.values(FLOWISE_RULES),
    ].map((r) => r.id);
    expect(new Set(rules).size).toBe(rules.length);
  });
});
