// Zero false positives across products: every registered fingerprinter runs on every
// recorded transcript of every product (the OpenClaw zoo from both vantages, its side ports,
// the product zoo, the source-derived transcripts) and on the generic lookalikes (probed
// here with every fingerprinter's plan), and names a product only on its own. And the
// registry covers the product list exactly once.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintTranscript, probeEndpoint } from "../../src/fingerprints/probe-endpoint.ts";
import { PRODUCTS } from "../../src/fingerprints/products.ts";
import { FINGERPRINTERS, fingerprinterOf } from "../../src/fingerprints/registry.ts";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { SCAN_RULES } from "../../src/scan/rules.ts";
import { loadSpecs, SOURCE_FIXTURE_DIR } from "../products/source-server.ts";
import { type Lookalikes, startLookalikes } from "../support/lookalikes.ts";
import { PRODUCT_ZOO } from "../support/product-zoo.ts";
import { SERVICE_CASES } from "../support/service-zoo.ts";

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
  const service = SERVICE_CASES.find((c) => c.name === file);
  const product = z?.product ?? service?.instance.service.product;
  cases.push({ name: `products/${file}`, t, owner: product ? fingerprinterOf(product).id : "unknown" });
}
// Products fingerprinted from their published source: transcripts recorded against their specs.
for (const spec of loadSpecs())
  for (const v of spec.variants) {
    const t = transcriptFromJson(readFileSync(new URL(`${v.name}.json`, SOURCE_FIXTURE_DIR), "utf8"));
    cases.push({ name: `products/source-derived/${v.name}`, t, owner: fingerprinterOf(spec.product).id });
  }

describe("every fingerprinter on every product's transcripts", () => {
  // The generic lookalikes, probed as a scan probes them (every fingerprinter's plan).
  let lookalikes: Lookalikes;
  beforeAll(async () => {
    lookalikes = await startLookalikes();
    for (const [port, name] of lookalikes.ports) {
      const t = await probeEndpoint(
        {
          host: "127.0.0.1",
          ip: "127.0.0.1",
          family: 4,
          port,
          tls: null,
          basePath: "",
          hostHeader: `127.0.0.1:${port}`,
          servername: null,
        },
        { limits: limitsForTimeout(3000), beforeConnect: async () => {} },
        true,
      );
      cases.push({ name: `lookalike: ${name}`, t, owner: null });
    }
  });
  afterAll(() => lookalikes.close());

  it("includes every generic lookalike, each answered over HTTP", () => {
    const probed = cases.filter((c) => c.name.startsWith("lookalike: "));
    expect(probed.length).toBe(lookalikes.ports.size);
    for (const c of probed) expect(c.t.http[0]?.response, c.name).toBeTruthy();
  });
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
      ...FINGERPRINTERS.flatMap((f) => Object.values(f.rules ?? {})),
    ].map((r) => r.id);
    // Every fingerprinter that makes findings declares the rules it makes them with.
    for (const f of FINGERPRINTERS) if (f.findings) expect(f.rules, f.id).toBeDefined();
    expect(new Set(rules).size).toBe(rules.length);
  });
});
