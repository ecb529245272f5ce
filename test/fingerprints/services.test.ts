// n8n and Flowise: transcripts recorded from the real servers (scripts/record-services.ts: n8n
// 2.40.7 fresh and after its owner setup, Flowise 3.1.4 before and after its first account,
// each from npm in a namespace of its own, scanned over a veth) fingerprint exactly, from the
// recorded bytes and over real sockets; and the readers survive answers that only look alike.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintFlowise } from "../../src/fingerprints/flowise/fingerprint.ts";
import { fingerprintN8n, pageRelease } from "../../src/fingerprints/n8n/fingerprint.ts";
import { probeEndpoint } from "../../src/fingerprints/probe-endpoint.ts";
import { type Transcript, transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import type { HttpExchange } from "../../src/net/http.ts";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import { expectServiceObservation } from "../support/expect-service.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { SERVICE_CASES } from "../support/service-zoo.ts";

const load = (name: string): Transcript =>
  transcriptFromJson(readFileSync(new URL(`../fixtures/products/${name}.json`, import.meta.url), "utf8"));

describe("n8n and Flowise transcripts from the real servers, fingerprinted from the recorded bytes", () => {
  for (const c of SERVICE_CASES) {
    it(c.name, () => {
      const t = load(c.name);
      expect(t.viaLoopback).toBe(false);
      expectServiceObservation(observe(t, NO_ADVISORIES), c);
    });
  }
});

describe("n8n and Flowise transcripts, replayed over real sockets", () => {
  const servers: ReplayServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  for (const c of SERVICE_CASES) {
    it(c.name, async () => {
      const recorded = load(c.name);
      const server = await startReplayServer(recorded);
      servers.push(server);
      const t = await probeEndpoint(
        { ...recorded.endpoint, ip: server.host, port: server.port },
        { limits: limitsForTimeout(3000), beforeConnect: async () => {} },
        false,
      );
      // The plan is deterministic given the answers: it asks exactly what was recorded.
      expect(t.http.map((x) => `${x.request.method} ${x.request.path}`)).toEqual(
        recorded.http.map((x) => `${x.request.method} ${x.request.path}`),
      );
      expectServiceObservation(observe(t, NO_ADVISORIES), c);
    });
  }
});

/** One recorded exchange with its body replaced. */
function withBody(x: HttpExchange, body: string, status = x.response!.status): HttpExchange {
  return { ...x, response: { ...x.response!, status, body: Buffer.from(body), bodyTruncated: false } };
}

function replaced(t: Transcript, path: string, body: string, status?: number, method = "GET"): Transcript {
  return {
    ...t,
    http: t.http.map((x) =>
      x.request.path === path && x.request.method === method ? withBody(x, body, status) : x,
    ),
  };
}

describe("what only looks like n8n or Flowise", () => {
  const fresh = load("n8n-2.40.7-fresh");
  const root = fresh.http.find((x) => x.request.path === "/")!;
  it("the editor page's config meta names the exact release", () => {
    expect(pageRelease(root)).toBe("2.40.7");
  });
  it("a release that is not a version, or a meta that is not base64 JSON, gives no version", () => {
    const meta = (release: string) =>
      `<title>n8n.io - Workflow Automation</title><meta name="n8n:config:sentry" content="${Buffer.from(JSON.stringify({ release })).toString("base64")}">`;
    expect(pageRelease(withBody(root, meta("n8n@2.40.7\u001b[2J")))).toBeNull();
    expect(pageRelease(withBody(root, meta("other@1.2.3")))).toBeNull();
    expect(pageRelease(withBody(root, meta(`n8n@${"9".repeat(300)}`)))).toBeNull();
    expect(pageRelease(withBody(root, '<meta name="n8n:config:sentry" content="bm90IGpzb24=">'))).toBeNull();
  });
  it("a public API answer of another shape is no public API", () => {
    const t = replaced(fresh, "/api/v1/workflows", '{"message":"Unauthorized","code":401}', 401);
    expect(fingerprintN8n(t).facts?.publicApi).toBe(false);
  });
  it("a Flowise account check that says something else decides nothing", () => {
    const flowise = load("flowise-3.1.4-no-account");
    const t = replaced(flowise, "/api/v1/auth/resolve", '{"redirectUrl":"/elsewhere"}', 200, "POST");
    const v = fingerprintFlowise(t);
    expect(v.product).toBe("flowise");
    expect(v.auth).toBe("required");
    expect(v.facts?.accountSetUp).toBeUndefined();
  });
});
