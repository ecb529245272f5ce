// Attribution rules without processes: what a process's environment says about its install, and
// how a finding that rests on the port alone says so and is one step less severe.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { attributeSocket, processInstall } from "../../src/audit/attribution.ts";
import { stateDirsNamedInLog } from "../../src/audit/compromise.ts";
import { auditTarget } from "../../src/audit/run.ts";
import type { ListeningSocket } from "../../src/audit/types.ts";
import { buildContext, cleanupScenarios, run } from "./support/scenario.ts";

afterAll(cleanupScenarios);

const sock = (patch: Partial<ListeningSocket>): ListeningSocket => ({
  proto: "tcp",
  address: "0.0.0.0",
  port: 18789,
  inode: 7,
  pid: 77,
  process: "node",
  ...patch,
});

describe("processInstall", () => {
  it("reads the real variable names, relative to the process's cwd and HOME", () => {
    expect(
      processInstall(
        ["node"],
        { OPENCLAW_STATE_DIR: "st", CLAWDBOT_CONFIG_PATH: "~/c.json", HOME: "/h" },
        "/w",
      ),
    ).toEqual({
      stateDirs: ["/w/st"],
      configPaths: ["/h/c.json"],
      via: ["OPENCLAW_STATE_DIR", "CLAWDBOT_CONFIG_PATH"],
    });
  });

  it("a gateway with no override serves its HOME's default (or profile) state dir", () => {
    expect(processInstall(["openclaw-gateway"], { HOME: "/home/u" }, null)?.stateDirs).toEqual([
      "/home/u/.openclaw",
    ]);
    expect(
      processInstall(["clawdbot-gateway"], { HOME: "/home/u", CLAWDBOT_PROFILE: "work" }, null)?.stateDirs,
    ).toEqual(["/home/u/.clawdbot-work"]);
    expect(
      processInstall(["openclaw-gateway"], { HOME: "/h", OPENCLAW_HOME: "/oc" }, null)?.stateDirs,
    ).toEqual(["/oc/.openclaw"]);
  });

  it("any other process with no variables names no install", () => {
    expect(processInstall(["python3", "-m", "http.server"], { HOME: "/h" }, "/")).toBeNull();
  });
});

describe("attributeSocket", () => {
  it("a process naming another install is never this one's; another namespace is never matched by port", () => {
    const ctx = buildContext({ config: "{}" });
    expect(
      attributeSocket(
        ctx,
        sock({ owner: { stateDirs: ["/elsewhere"], configPaths: [], via: ["OPENCLAW_STATE_DIR"] } }),
      ),
    ).toBeNull();
    expect(attributeSocket(ctx, sock({ netns: "net:[4026532999]" }))).toBeNull();
    expect(
      attributeSocket(
        ctx,
        sock({ owner: { stateDirs: [ctx.target.stateDir], configPaths: [], via: ["X"] } }),
      ),
    ).toMatchObject({ proven: true });
  });

  it("an unreadable owner on the port is proven only while no other audited install uses that port", () => {
    const ctx = buildContext({ config: "{}" });
    expect(attributeSocket(ctx, sock({ pid: null, process: null }))).toMatchObject({
      proven: true,
      how: expect.stringContaining("the only audited install using port 18789"),
    });
    ctx.samePortInstalls = ["/other/state"];
    expect(attributeSocket(ctx, sock({ pid: null, process: null }))).toMatchObject({
      proven: false,
      how: expect.stringContaining("2 audited installs use port 18789"),
    });
  });

  it("a finding that rests on the port alone says so and is one step less severe", async () => {
    const guessed = await run({ config: `{ gateway: { auth: { mode: "none" } } }`, sockets: [sock({})] });
    const f = guessed.findings.find((x) => x.ruleId === "CP-AUDIT-100")!;
    expect(f.severity).toBe("high");
    expect(f.title).toMatch(/\(matched by port only\)$/);
    expect(f.evidence[0]!.detail).toContain("matched by port only (pid 77 (node), which names no install)");
    const ctx = buildContext({ config: `{ gateway: { auth: { mode: "none" } } }` });
    ctx.live.sockets = [sock({ cmdline: ["node", "gw.js", `--config=${ctx.target.configPath}`] })];
    const proven = await auditTarget(ctx);
    expect(proven.find((x) => x.ruleId === "CP-AUDIT-100")).toMatchObject({ severity: "critical" });
  });
});

describe("stateDirsNamedInLog", () => {
  it("reads the cron store path each gateway start logs, escaped inside the record", () => {
    const line = JSON.stringify({
      "0": JSON.stringify({ module: "cron", storePath: "/srv/a/state/cron/jobs.json" }),
      "2": "cron: started",
    });
    expect(stateDirsNamedInLog(`${line}\n${line.replace("/srv/a", "/srv/b")}`)).toEqual([
      join("/srv/a/state"),
      join("/srv/b/state"),
    ]);
    expect(stateDirsNamedInLog("webchat connected remote=203.0.113.1")).toEqual([]);
  });
});
