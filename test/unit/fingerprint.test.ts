// The fingerprint's rules on recorded transcripts that we alter on purpose: contradictory or
// crafted signals must lower confidence and be reported, never yield a confident wrong answer.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fingerprintOpenClaw } from "../../src/fingerprints/openclaw/fingerprint.ts";
import { rootHtmlSignals, versionOfBuildId } from "../../src/fingerprints/openclaw/signals.ts";
import { type Transcript, transcriptFromJson, transcriptToJson } from "../../src/fingerprints/transcript.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import { tableRow } from "../../src/scan/render.ts";

const load = (vantage: string, name: string) =>
  transcriptFromJson(
    readFileSync(new URL(`../fixtures/zoo/${vantage}/${name}.json`, import.meta.url), "utf8"),
  );

/** Replace the body of one recorded GET (and its raw bytes, consistently). */
/** A deep copy that keeps Buffers (structuredClone would turn them into plain Uint8Arrays). */
const clone = (t: Transcript) => transcriptFromJson(transcriptToJson(t));

function withBody(t: Transcript, path: string, body: string, status = 200): Transcript {
  const copy = clone(t);
  const x = copy.http.find((h) => h.request.path === path && h.request.method === "GET");
  if (!x?.response) throw new Error(`no recorded GET ${path}`);
  x.response.status = status;
  x.response.body = Buffer.from(body);
  x.raw = Buffer.from(`HTTP/1.1 ${status} OK\r\nContent-Length: ${x.response.body.length}\r\n\r\n${body}`);
  return copy;
}

describe("signals", () => {
  it("reads build ids and versions", () => {
    expect(versionOfBuildId("2026.9.6-release-eb377ac59e6c-2026-09-23T16-33-12.144Z")).toBe("2026.9.6");
    expect(versionOfBuildId("2026.5.28-e93216080aa1")).toBe("2026.5.28");
    expect(versionOfBuildId("2026.1.24-3")).toBe("2026.1.24-3");
    expect(versionOfBuildId("dev")).toBeNull();
    expect(versionOfBuildId("9".repeat(10_000))).toBeNull();
  });

  it("extracts brand, assets and globals from the root page", () => {
    const s = rootHtmlSignals(
      '<title>Clawdbot Control</title><script>window.__CLAWDBOT_CONTROL_UI_BASE_PATH__="";window.__CLAWDBOT_ASSISTANT_NAME__="Molty";</script><script type="module" src="./assets/index-Cl-Y9zqE.js?x=1"></script><clawdbot-app></clawdbot-app>',
    );
    expect(s).toMatchObject({
      titleBrand: "clawdbot",
      elementBrand: "clawdbot",
      globalsBrand: "clawdbot",
      assistantName: "Molty",
    });
    expect(s.assetNames).toEqual(["index-Cl-Y9zqE.js"]);
  });
});

describe("contradictory and crafted signals", () => {
  it("a service worker claiming another version than the UI build is a conflict, not an answer", () => {
    const t = withBody(
      load("local", "oc528-custom-password"),
      "/sw.js",
      'const EMBEDDED_CACHE_VERSION = "2026.9.6-release-aaaaaaaaaaaa";',
    );
    const v = fingerprintOpenClaw(t);
    expect(v.product).toBe("openclaw");
    expect(v.version).toBeNull();
    expect(v.versionRange?.candidates).toEqual(expect.arrayContaining(["2026.5.28", "2026.9.6"]));
    expect(v.confidence.version).toBeLessThanOrEqual(0.3);
    expect(v.conflicts.join(" ")).toMatch(/2026\.9\.6/);
    const o = observe(t, NO_ADVISORIES);
    expect(o.findings.map((f) => f.ruleId)).toContain("CP-SCAN-006");
  });

  it("an era marker that contradicts the UI build lowers confidence", () => {
    // A clawdbot-era UI cannot come with the /healthz probe of 2026.3.2+.
    const t = withBody(load("local", "cb124-lan-token"), "/healthz", '{"ok":true,"status":"live"}');
    const v = fingerprintOpenClaw(t);
    expect(v.version).toBeNull();
    expect(v.conflicts.join(" ")).toMatch(/healthz/);
    expect(v.confidence.version).toBeLessThanOrEqual(0.3);
  });

  it("a 10,000-character version field is not repeated as a version", () => {
    const t = withBody(
      load("remote", "oc96-noauth-relayed"),
      "/startupz",
      JSON.stringify({ ok: true, status: "started", version: "2".repeat(10_000) }),
    );
    const v = fingerprintOpenClaw(t);
    expect(v.version).toBe("2026.9.6");
    expect(JSON.stringify(v).length).toBeLessThan(20_000);
  });

  it("a page impersonating OpenClaw by title alone is not a gateway", () => {
    const t = withBody(load("local", "side-18871"), "/", "<title>OpenClaw Control</title>");
    expect(fingerprintOpenClaw(t).product).toBeNull();
  });

  it("escape sequences from a target never reach the terminal raw", () => {
    const t = withBody(
      load("local", "oc96-lan-token"),
      "/sw.js",
      'const EMBEDDED_CACHE_VERSION = "\u001b]0;pwned\u0007\u001b[31m2026.1.1";',
    );
    const o = observe(t, NO_ADVISORIES);
    const row = tableRow({ ...o, error: "\u001b[2Jcleared", conflicts: ["\u001b]8;;http://x\u0007link"] });
    expect(row).not.toMatch(/\u001b|\u0007/);
  });

  it("remote local-treatment signals that disagree are reported", () => {
    // Full readiness details (local) but a reduced /startupz (remote): inconsistent.
    const t = withBody(load("remote", "oc96-noauth-relayed"), "/startupz", '{"ok":true,"status":"started"}');
    const v = fingerprintOpenClaw(t);
    expect(v.conflicts.join(" ")).toMatch(/local-treatment/);
    expect(v.confidence.remoteLooksLocal).toBeLessThan(0.5);
  });

  it("an auth answer that disagrees with another is unknown, not a guess", () => {
    const t = clone(load("local", "oc96-loopback-noauth"));
    const config = t.http.find((h) => h.request.path === "/__openclaw/control-ui-config.json")!;
    config.response!.status = 401;
    config.response!.body = Buffer.from('{"error":{"message":"Unauthorized","type":"unauthorized"}}');
    const v = fingerprintOpenClaw(t);
    expect(v.auth).toBe("unknown");
    expect(v.conflicts.join(" ")).toMatch(/auth signals disagree/);
  });
});
