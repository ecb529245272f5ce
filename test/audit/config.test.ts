import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import JSON5 from "json5";
import { afterAll, describe, expect, it } from "vitest";
import { atLeast, effectiveGateway, envNames, resolveBind } from "../../src/audit/bind.ts";
import { getPath, loadConfig, locate } from "../../src/audit/config.ts";
import { findNode, lineColumn, parseTree } from "../../src/audit/json5-tree.ts";
import { cleanupScenarios, run } from "./support/scenario.ts";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "cp-cfg-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  cleanupScenarios();
});

describe("config loader", () => {
  it("reads JSON5 with comments, trailing commas and quoted/unquoted keys, with positions", () => {
    const d = tmp();
    const p = join(d, "openclaw.json");
    writeFileSync(
      p,
      `// top\n{\n  /* c */ gateway: {\n    'bind': "lan", // here\n    "port": 18789,\n  },\n}\n`,
    );
    const cfg = loadConfig(p, { env: {} });
    expect(cfg.effective).toEqual({ gateway: { bind: "lan", port: 18789 } });
    expect(locate(cfg, "gateway.bind")).toMatchObject({ path: p, line: 4, column: 5 });
    expect(locate(cfg, "gateway.port")).toMatchObject({ line: 5 });
  });

  it("resolves $include (string and list, nested dirs), siblings win, and reports positions in the include", () => {
    const d = tmp();
    mkdirSync(join(d, "inc"));
    writeFileSync(
      join(d, "openclaw.json"),
      `{ $include: ["./inc/a.json5", "./inc/b.json5"], gateway: { port: 1 } }`,
    );
    writeFileSync(
      join(d, "inc/a.json5"),
      `{ gateway: { port: 2, bind: "lan" }, hooks: { $include: "./hooks.json5" } }`,
    );
    writeFileSync(join(d, "inc/b.json5"), `{ gateway: { auth: { token: "x" } } }`);
    writeFileSync(join(d, "inc/hooks.json5"), `{\n  enabled: true,\n}`);
    const cfg = loadConfig(join(d, "openclaw.json"), { env: {} });
    expect(cfg.effective).toEqual({
      gateway: { port: 1, bind: "lan", auth: { token: "x" } },
      hooks: { enabled: true },
    });
    expect(locate(cfg, "gateway.bind")?.path).toBe(join(d, "inc/a.json5"));
    expect(locate(cfg, "gateway.port")?.path).toBe(join(d, "openclaw.json"));
    expect(locate(cfg, "hooks.enabled")).toMatchObject({ path: join(d, "inc/hooks.json5"), line: 2 });
    expect(cfg.files.map((f) => f.path)).toHaveLength(4);
  });

  it("refuses includes outside the config dir unless OPENCLAW_INCLUDE_ROOTS allows them, and stops cycles", () => {
    const d = tmp();
    const other = tmp();
    writeFileSync(join(other, "x.json5"), `{ a: 1 }`);
    writeFileSync(
      join(d, "openclaw.json"),
      `{ $include: "${join(other, "x.json5")}", self: { $include: "./openclaw.json" } }`,
    );
    const denied = loadConfig(join(d, "openclaw.json"), { env: {} });
    expect(denied.effective.a).toBeUndefined();
    expect(denied.errors.join("\n")).toMatch(/outside the config directory/);
    const allowed = loadConfig(join(d, "openclaw.json"), { env: { OPENCLAW_INCLUDE_ROOTS: other } });
    expect(allowed.effective.a).toBe(1);
    expect(allowed.errors.join("\n")).toMatch(/cycle|deeper/);
  });

  it("substitutes env variables, keeps the escaped form literal, and records unresolved variables", () => {
    const d = tmp();
    writeFileSync(
      join(d, "openclaw.json"),
      `{ gateway: { auth: { token: "\${TOK}", password: "\${MISSING}" } }, note: "$\${TOK}" }`,
    );
    const cfg = loadConfig(join(d, "openclaw.json"), { env: { TOK: "abc" } });
    expect(getPath(cfg.effective, ["gateway", "auth", "token"])).toBe("abc");
    expect(cfg.effective.note).toBe(`$${"{"}TOK}`);
    expect(cfg.unresolvedEnv).toEqual(["gateway.auth.password"]);
  });

  it("maps legacy keys to current names", () => {
    const d = tmp();
    writeFileSync(
      join(d, "openclaw.json"),
      `{ browser: { ssrfPolicy: { allowPrivateNetwork: true } }, gateway: { nodes: { allowCommands: ["system.run"] } }, tools: { exec: { security: "full", ask: "off" } }, agents: { list: [{ id: "ops" }] } }`,
    );
    const cfg = loadConfig(join(d, "openclaw.json"), { env: {} });
    expect(getPath(cfg.effective, ["browser", "ssrfPolicy", "dangerouslyAllowPrivateNetwork"])).toBe(true);
    expect(getPath(cfg.effective, ["gateway", "nodes", "commands", "allow"])).toEqual(["system.run"]);
    expect(getPath(cfg.effective, ["tools", "exec", "mode"])).toBe("full");
    expect(getPath(cfg.effective, ["agents", "entries", "ops", "id"])).toBe("ops");
  });

  it("treats a missing file as defaults and a broken one as an error", () => {
    const d = tmp();
    expect(loadConfig(join(d, "none.json"), { env: {} })).toMatchObject({ exists: false, effective: {} });
    writeFileSync(join(d, "bad.json"), "{ nope");
    expect(loadConfig(join(d, "bad.json"), { env: {} }).errors[0]).toMatch(/not valid JSON5/);
  });

  it("position tree agrees with json5 on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        const obj = { root: v };
        const text = JSON.stringify(obj, null, 2);
        const tree = parseTree(text);
        const hit = findNode(tree, ["root"]);
        expect(hit).not.toBeNull();
        expect(JSON5.parse(text.slice(hit!.node.start, hit!.node.end))).toEqual(
          JSON5.parse(JSON.stringify(v)),
        );
      }),
      { numRuns: 150 },
    );
    expect(lineColumn("a\nbc", 3)).toEqual({ line: 2, column: 2 });
  });
});

describe("bind and auth per version", () => {
  const base = {
    product: "openclaw" as const,
    customBindHost: undefined,
    tailscaleMode: "off",
    inContainer: false,
    tailnetIp: null,
  };
  it("follows the per-version bind table", () => {
    expect(resolveBind({ ...base, version: "2026.9.6", bind: "loopback" }).hosts).toEqual([
      "127.0.0.1",
      "::1",
    ]);
    expect(resolveBind({ ...base, version: "2026.9.6", bind: "lan" }).hosts).toEqual(["0.0.0.0"]);
    expect(resolveBind({ ...base, version: "2026.1.15", bind: "tailnet" }).hosts).toEqual(["0.0.0.0"]);
    expect(resolveBind({ ...base, version: "2026.1.8", bind: "auto" }).hosts).toEqual(["0.0.0.0"]);
    expect(resolveBind({ ...base, version: "2026.3.13", bind: "auto" }).hosts).toEqual(["127.0.0.1"]);
    expect(
      resolveBind({ ...base, version: "2026.3.13", bind: "custom", customBindHost: "not-ip" }).hosts,
    ).toEqual(["0.0.0.0"]);
    expect(
      resolveBind({ ...base, version: "2026.5.28", bind: "custom", customBindHost: "127.0.0.52" }).hosts,
    ).toEqual(["127.0.0.52"]);
    expect(
      resolveBind({ ...base, version: "2026.9.6", bind: "custom", customBindHost: "10.0.0.5" }).hosts,
    ).toEqual(["10.0.0.5", "127.0.0.1"]);
    expect(resolveBind({ ...base, version: "2026.9.6", bind: undefined, inContainer: true }).hosts).toEqual([
      "0.0.0.0",
    ]);
    expect(resolveBind({ ...base, version: "2026.3.13", bind: undefined, inContainer: true }).hosts).toEqual([
      "127.0.0.1",
      "::1",
    ]);
    expect(
      resolveBind({
        ...base,
        version: "2026.9.6",
        bind: undefined,
        inContainer: true,
        tailscaleMode: "serve",
      }).hosts,
    ).toEqual(["127.0.0.1", "::1"]);
    expect(
      resolveBind({ ...base, version: "2026.4.1", bind: "tailnet", tailnetIp: "100.64.1.2" }).hosts,
    ).toEqual(["100.64.1.2", "127.0.0.1"]);
    expect(atLeast(null, "2026.1.1")).toBe(true);
  });

  it("knows which env names each version reads", () => {
    expect(envNames("clawdbot", "2026.1.24-3").token).toEqual(["CLAWDBOT_GATEWAY_TOKEN"]);
    expect(envNames("openclaw", "2026.1.29").token).toContain("CLAWDBOT_GATEWAY_TOKEN");
    expect(envNames("openclaw", "2026.9.6").token).toEqual(["OPENCLAW_GATEWAY_TOKEN"]);
  });

  it("computes effective auth: implicit none before 2026.1.29, env tokens, flags", async () => {
    const { ctx: old } = await run({
      config: `{ gateway: { bind: "loopback" } }`,
      product: "clawdbot",
      version: "2026.1.24-3",
    });
    expect(old.gw).toMatchObject({ authMode: "none", hasSecret: false });
    const { ctx: envTok } = await run({
      config: `{ gateway: { bind: "lan" } }`,
      version: "2026.9.6",
      env: { OPENCLAW_GATEWAY_TOKEN: "x".repeat(40), OPENCLAW_GATEWAY_PORT: "19000" },
    });
    expect(envTok.gw).toMatchObject({
      authMode: "token",
      hasSecret: true,
      secretSource: "env",
      port: 19000,
      portSource: "OPENCLAW_GATEWAY_PORT",
      exposed: true,
    });
    const { ctx: legacyIgnored } = await run({
      config: `{}`,
      version: "2026.9.6",
      env: { CLAWDBOT_GATEWAY_TOKEN: "x".repeat(40) },
    });
    expect(legacyIgnored.gw.secretSource).not.toBe("env");
    const { ctx: runtime } = await run({ config: `{ gateway: { bind: "loopback" } }`, version: "2026.9.6" });
    expect(runtime.gw).toMatchObject({ authMode: "token", secretSource: "generated-at-runtime" });
    const { ctx: flagged } = await run({
      config: `{ gateway: { bind: "loopback", auth: { token: "${"t".repeat(40)}" } } }`,
      services: [
        {
          kind: "systemd",
          path: "/x",
          env: {},
          envFiles: [],
          flags: { bind: "lan", port: 18999 },
          published: [],
          packageDir: null,
        },
      ],
    });
    expect(flagged.gw).toMatchObject({ bindMode: "lan", bindSource: "--bind", port: 18999, exposed: true });
    void effectiveGateway;
  });

  it("reports a symlinked state dir and config, and synced folders", async () => {
    const d = tmp();
    const real = join(d, "Dropbox", "oc");
    mkdirSync(join(real, "state"), { recursive: true, mode: 0o700 });
    writeFileSync(join(real, "openclaw.json"), "{}", { mode: 0o600 });
    symlinkSync(join(real, "state"), join(d, "state-link"));
    symlinkSync(join(real, "openclaw.json"), join(d, "cfg-link.json"));
    const { runAudit } = await import("../../src/audit/run.ts");
    const r = await runAudit({
      stateDir: join(d, "state-link"),
      configPath: join(d, "cfg-link.json"),
      home: join(d, "home"),
      env: {},
      noProcesses: true,
      noLive: true,
      globalRoots: [],
      logDirs: [],
    });
    const got = r.findings.map((f) => f.openclawCheckId);
    expect(got).toContain("fs.state_dir.symlink");
    expect(got).toContain("fs.config.symlink");
    const r2 = await runAudit({
      stateDir: join(real, "state"),
      configPath: join(real, "openclaw.json"),
      home: join(d, "home"),
      env: {},
      noProcesses: true,
      noLive: true,
      globalRoots: [],
      logDirs: [],
    });
    expect(r2.findings.map((f) => f.openclawCheckId)).toContain("fs.synced_dir");
  });
});
