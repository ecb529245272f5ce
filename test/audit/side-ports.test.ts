// Side ports derived from the gateway port: unit cases, then the same derivation checked against
// the real releases installed by the zoo (their own derive functions, called, and their dist text).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { derivedSidePorts } from "../../src/audit/side-ports.ts";
import { describeLive } from "../support/live.ts";

const INST = join(process.env.ZOO_HOME ?? join(process.env.HOME ?? "/root", ".cache/clawzoo"), "inst");
const ports = (p: number, v: string | null) => derivedSidePorts(p, v)?.map((s) => s.port) ?? null;

describe("effectiveGateway side ports", () => {
  it("are the release's derived ports: the 2026.9.6 extension relay at gateway + 10, none on 2026.5.28", async () => {
    const { buildContext, cleanupScenarios } = await import("./support/scenario.ts");
    const of = (version: string) =>
      buildContext({ config: `{ gateway: { port: 28789 } }`, version }).gw.sidePorts.map((p) => p.port);
    expect(of("2026.9.6")).toEqual([28791, 28792, 28799]);
    expect(of("2026.5.28")).toEqual([28791, 28792]);
    expect(
      buildContext({
        config: `{ gateway: { port: 28789 }, browser: { enabled: false } }`,
        version: "2026.9.6",
      }).gw.sidePorts,
    ).toEqual([]);
    cleanupScenarios();
  });
});

describe("derivedSidePorts", () => {
  it("follows the gateway port, per era", () => {
    expect(ports(28789, "2026.9.6")).toEqual([28791, 28792, 28799]);
    expect(ports(28789, "2026.5.28")).toEqual([28791, 28792]);
    expect(ports(18789, "2026.1.24-3")).toEqual([18791, 18792]);
    expect(ports(18789, "2026.1.16")).toEqual([18790, 18791, 18792, 18793]);
    // unknown version: every era's ports
    expect(ports(18809, null)).toEqual([18810, 18811, 18812, 18813, 18819]);
  });

  it("falls back to OpenClaw's fixed defaults past 65535, and drops what cannot exist", () => {
    expect(ports(65534, "2026.9.6")).toEqual([18791, 18792, 18799]);
    expect(ports(65533, "2026.5.28")).toEqual([65535]);
    expect(derivedSidePorts(65533, "2026.5.28")).toEqual([{ port: 65535, what: "browser control" }]);
  });

  it("nothing when the browser is off, null when the gateway port is not a port", () => {
    expect(derivedSidePorts(18789, "2026.9.6", { browserEnabled: false })).toEqual([]);
    expect(derivedSidePorts(0, "2026.9.6")).toBeNull();
    expect(derivedSidePorts(70000, null)).toBeNull();
  });
});

function builds(): string[] {
  if (!existsSync(INST)) return [];
  return readdirSync(INST).filter((b) => /^(openclaw|clawdbot)-\d/.test(b));
}

function pkgDir(build: string): string {
  return join(INST, build, "node_modules", build.startsWith("clawdbot") ? "clawdbot" : "openclaw");
}

function distFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.m?js$/.test(e.name)) out.push(p);
    }
  };
  walk(join(dir, "dist"));
  return out;
}

describeLive(
  "side ports against the real releases",
  builds().length > 0 ? null : `no zoo installs under ${INST}`,
  () => {
    it("clawdbot 2026.1.24-3 and openclaw 2026.1.29: their own derive functions agree", async () => {
      for (const build of builds().filter((b) => /2026\.1\.(24|29)/.test(b))) {
        const mod = (await import(
          pathToFileURL(join(pkgDir(build), "dist/config/port-defaults.js")).href
        )) as {
          deriveDefaultBrowserControlPort: (p: number) => number;
          deriveDefaultBridgePort: (p: number) => number;
          deriveDefaultCanvasHostPort: (p: number) => number;
        };
        for (const gw of [1, 18789, 28789, 65532, 65533, 65534, 65535]) {
          const legacy = derivedSidePorts(gw, "2026.1.16")!;
          const byWhat = (w: string) => legacy.find((s) => s.what === w)?.port;
          expect(byWhat("browser control"), `${build} ${gw}`).toBe(mod.deriveDefaultBrowserControlPort(gw));
          expect(byWhat("legacy node bridge"), `${build} ${gw}`).toBe(mod.deriveDefaultBridgePort(gw));
          expect(byWhat("legacy canvas host"), `${build} ${gw}`).toBe(mod.deriveDefaultCanvasHostPort(gw));
        }
      }
    });

    it("every build derives browser control = gateway + 2 and CDP = control + 1; only 2026.9.6 has the relay at control + 8", () => {
      for (const build of builds()) {
        const text = distFiles(pkgDir(build))
          .map((f) => readFileSync(f, "utf8"))
          .join("\n");
        expect(text, build).toMatch(/derivePort\(gatewayPort, 2, DEFAULT_BROWSER_CONTROL_PORT\)/);
        expect(text, build).toMatch(/derivedPort = controlPort \+ 1;/);
        const version = build.replace(/^\w+-/, "");
        const relay = /EXTENSION_RELAY_PORT_OFFSET = (\d+);/.exec(text);
        const ours = derivedSidePorts(18789, version)!.find((s) => s.what === "browser extension relay");
        if (relay) expect(ours?.port, build).toBe(18791 + Number(relay[1]));
        else expect(ours, build).toBeUndefined();
      }
    });
  },
);
