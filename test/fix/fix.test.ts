import { spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { afterAll, describe, expect, it } from "vitest";
import { fixAction } from "../../src/cli/fix.ts";
import { RunError } from "../../src/core/errors.ts";
import { applyPlan, atomicWrite, cleanStaleTemps, latestBackup, rollback } from "../../src/fix/apply.ts";
import { immutableReason, planFixes, renderPlan } from "../../src/fix/plan.ts";
import { buildContextFor } from "./support/ctx.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DANGEROUS = `// my config
{
  gateway: {
    mode: "local",
    port: 18789,
    bind: "lan", // open to the LAN
    auth: { mode: "none" },
    controlUi: { allowedOrigins: ["*"], dangerouslyAllowHostHeaderOriginFallback: true },
    allowRealIpFallback: true,
    tools: { allow: ["gateway", "read"] },
  },
  hooks: { enabled: true, token: "short", path: "/" },
  discovery: { mdns: { mode: "full" } },
  logging: { redactSensitive: "off" },
}
`;

function setup(config = DANGEROUS): { root: string; stateDir: string; configPath: string } {
  const root = mkdtempSync(join(tmpdir(), "cp-fix-"));
  dirs.push(root);
  mkdirSync(join(root, "state/credentials"), { recursive: true });
  chmodSync(join(root, "state"), 0o755);
  chmodSync(join(root, "state/credentials"), 0o755);
  writeFileSync(join(root, "openclaw.json"), config, { mode: 0o644 });
  chmodSync(join(root, "openclaw.json"), 0o644);
  writeFileSync(join(root, "openclaw.json.bak"), "{}", { mode: 0o644 });
  chmodSync(join(root, "openclaw.json.bak"), 0o644);
  return { root, stateDir: join(root, "state"), configPath: join(root, "openclaw.json") };
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe("fix plan", () => {
  it("previews every repair as a diff and changes nothing", async () => {
    const s = setup();
    const { ctx, findings } = await buildContextFor(s.stateDir, s.configPath);
    const plan = planFixes(ctx, findings, { allowLockout: true });
    const text = renderPlan(plan);
    for (const needle of [
      '+    bind: "loopback"',
      "auth-token",
      "dangerous-flags",
      "mdns-off",
      "hooks-token",
      "hooks-path",
      "chmod 644 → 600",
      "chmod 755 → 700",
    ]) {
      expect(text).toContain(needle);
    }
    expect(text).not.toContain(plan.newToken!.value);
    expect(readFileSync(s.configPath, "utf8")).toBe(DANGEROUS);
    expect(mode(s.configPath)).toBe(0o644);
  });

  it("applies: loopback, strong token, distinct hooks token, flags off, mDNS off, modes; comments kept; audit clean after", async () => {
    const s = setup();
    const { ctx, findings } = await buildContextFor(s.stateDir, s.configPath);
    const plan = planFixes(ctx, findings, { allowLockout: true });
    const res = applyPlan(plan);
    const text = readFileSync(s.configPath, "utf8");
    expect(text).toContain("// my config");
    expect(text).toContain("// open to the LAN");
    const cfg = JSON5.parse(text);
    expect(cfg.gateway.bind).toBe("loopback");
    expect(cfg.gateway.auth.mode).toBe("token");
    expect(cfg.gateway.auth.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cfg.hooks.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cfg.hooks.token).not.toBe(cfg.gateway.auth.token);
    expect(cfg.hooks.path).toBe("/hooks");
    expect(cfg.gateway.controlUi).toEqual({
      allowedOrigins: ["http://127.0.0.1:18789", "http://localhost:18789"],
    });
    expect(cfg.gateway.allowRealIpFallback).toBeUndefined();
    expect(cfg.gateway.tools.allow).toEqual(["read"]);
    expect(cfg.discovery.mdns.mode).toBe("off");
    expect(cfg.logging.redactSensitive).toBe("tools");
    expect(mode(s.configPath)).toBe(0o600);
    expect(mode(s.stateDir)).toBe(0o700);
    expect(mode(join(s.stateDir, "credentials"))).toBe(0o700);
    expect(mode(join(s.root, "openclaw.json.bak"))).toBe(0o600);
    expect(existsSync(join(res.backupDir, "manifest.json"))).toBe(true);
    expect(mode(res.backupDir)).toBe(0o700);
    const after = await buildContextFor(s.stateDir, s.configPath);
    const bad = after.findings.filter(
      (f) => ["critical", "high"].includes(f.severity) && f.group !== "version",
    );
    expect(bad.map((f) => `${f.ruleId} ${f.title}`)).toEqual([]);
  });

  it("rolls back to the exact previous bytes and modes", async () => {
    const s = setup();
    const { ctx, findings } = await buildContextFor(s.stateDir, s.configPath);
    applyPlan(planFixes(ctx, findings, { allowLockout: true }));
    const r = rollback(s.stateDir)!;
    expect(r.problems).toEqual([]);
    expect(readFileSync(s.configPath, "utf8")).toBe(DANGEROUS);
    expect(mode(s.configPath)).toBe(0o644);
    expect(mode(s.stateDir)).toBe(0o755);
    expect(latestBackup(s.stateDir)).toBeNull();
    expect(rollback(s.stateDir)).toBeNull();
  });

  it("holds back the loopback bind when there is evidence of remote use, unless --allow-lockout", async () => {
    const s = setup(
      `{ gateway: { bind: "lan", auth: { token: "${"k".repeat(48)}" }, controlUi: { allowedOrigins: ["https://gw.example.com"] } } }`,
    );
    const { ctx, findings } = await buildContextFor(s.stateDir, s.configPath);
    const held = planFixes(ctx, findings, {});
    expect(held.held.map((h) => h.action)).toContain("bind-loopback");
    expect(held.files.flatMap((f) => f.edits.map((e) => e.path.join(".")))).not.toContain("gateway.bind");
    expect(held.files.flatMap((f) => f.edits.map((e) => e.path.join(".")))).toContain(
      "gateway.auth.rateLimit",
    );
    const forced = planFixes(ctx, findings, { allowLockout: true });
    expect(forced.held).toEqual([]);
    expect(forced.files[0]!.after).toContain('bind: "loopback"');
  });

  it("edits keys where they live: inside $include files", async () => {
    const s = setup(`{ $include: "./hooks.json5", gateway: { auth: { token: "${"k".repeat(48)}" } } }`);
    writeFileSync(
      join(s.root, "hooks.json5"),
      `{\n  hooks: {\n    enabled: true,\n    token: "tiny",\n  },\n}\n`,
    );
    const { ctx, findings } = await buildContextFor(s.stateDir, s.configPath);
    const plan = planFixes(ctx, findings, { only: ["hooks-token"] });
    expect(plan.files.map((f) => f.path)).toEqual([join(s.root, "hooks.json5")]);
    applyPlan(plan);
    expect(JSON5.parse(readFileSync(join(s.root, "hooks.json5"), "utf8")).hooks.token).toHaveLength(43);
  });

  it("writes only keys the version accepts (clawdbot: no mDNS key, advice instead)", async () => {
    const s = setup(`{ gateway: { bind: "loopback", auth: {} } }`);
    const { runAuditDetailed } = await import("../../src/audit/run.ts");
    const { perTarget } = await runAuditDetailed({
      stateDir: s.stateDir,
      configPath: s.configPath,
      home: join(s.root, "h"),
      env: {},
      noProcesses: true,
      noLive: true,
      globalRoots: [],
      logDirs: [],
      assume: { product: "clawdbot", version: "2026.1.24-3" },
    });
    const plan = planFixes(perTarget[0]!.ctx, perTarget[0]!.findings, { only: ["mdns-off", "auth-token"] });
    const after = JSON5.parse(plan.files[0]!.after);
    expect(after.discovery).toBeUndefined();
    expect(after.gateway.auth.mode).toBe("token");
    expect(plan.advice.join(" ")).toMatch(/CLAWDBOT_DISABLE_BONJOUR/);
  });

  it("refuses Nix-managed and unwritable configs clearly", async () => {
    const s = setup();
    const { ctx, findings } = await buildContextFor(s.stateDir, s.configPath);
    expect(immutableReason({ ...ctx, target: { ...ctx.target, env: { OPENCLAW_NIX_MODE: "1" } } })).toMatch(
      /Nix/,
    );
    const nix = setup();
    mkdirSync(join(nix.root, "nix"));
    rmSync(nix.configPath);
    symlinkSync("/nix/store/abc-openclaw.json", nix.configPath);
    // (the link dangles on this machine, which --config refuses by itself: check the Nix rule directly)
    expect(immutableReason({ ...ctx, config: { ...ctx.config, path: nix.configPath } })).toMatch(
      /nix\/store/,
    );
    void findings;
    // CLI: --apply on a Nix config exits with a RunError (one line, exit 3)
    process.env.OPENCLAW_NIX_MODE = "1";
    try {
      await expect(
        fixAction(
          { stateDir: s.stateDir, config: s.configPath, home: join(s.root, "h"), apply: true },
          () => {},
        ),
      ).rejects.toBeInstanceOf(RunError);
    } finally {
      delete process.env.OPENCLAW_NIX_MODE;
    }
    expect(readFileSync(s.configPath, "utf8")).toBe(DANGEROUS);
  });

  it("CLI: preview by default, --apply then --rollback", async () => {
    const s = setup();
    let out = "";
    const w = (x: string) => {
      out += x;
    };
    const base = { stateDir: s.stateDir, config: s.configPath, home: join(s.root, "h"), allowLockout: true };
    expect(await fixAction(base, w)).toBe(0);
    expect(out).toContain("Preview only");
    expect(readFileSync(s.configPath, "utf8")).toBe(DANGEROUS);
    out = "";
    expect(await fixAction({ ...base, apply: true }, w)).toBe(0);
    expect(out).toMatch(/applied: 1 file\(s\) rewritten/);
    expect(out).toMatch(/after: 0 critical/);
    expect(out).toMatch(/Give it to clients/);
    out = "";
    expect(await fixAction({ ...base, rollback: true }, w)).toBe(0);
    expect(readFileSync(s.configPath, "utf8")).toBe(DANGEROUS);
    await expect(fixAction({ ...base, rollback: true }, w)).rejects.toBeInstanceOf(RunError);
  });

  it("atomic writes leave no temp files and stale ones are cleaned", () => {
    const s = setup();
    atomicWrite(s.configPath, "{}", 0o600);
    expect(readdirSync(s.root).filter((n) => n.includes("clawpatrol-tmp"))).toEqual([]);
    writeFileSync(join(s.root, ".openclaw.json.clawpatrol-tmp-999999-dead"), "partial");
    expect(cleanStaleTemps(s.configPath)).toHaveLength(1);
  });
});

const TRIALS = Number(process.env.CLAWPATROL_KILL_TRIALS ?? "60");

describe("kill -9 during fix --apply", () => {
  it(`config is always wholly old or wholly new (${TRIALS} trials)`, { timeout: 600_000 }, async () => {
    const s = setup();
    const child = join(import.meta.dirname, "support/kill-child.ts");
    const seen = new Map<string, number>();
    for (let i = 0; i < TRIALS; i++) {
      const p = spawn(process.execPath, [child, s.stateDir, s.configPath], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      await new Promise<void>((resolve) => p.stdout!.once("data", () => resolve()));
      // kill somewhere inside the apply/rollback loop
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 80)));
      p.kill("SIGKILL");
      await new Promise((r) => p.once("close", r));
      const text = readFileSync(s.configPath, "utf8");
      let state: string;
      if (text === DANGEROUS) state = "old";
      else {
        const cfg = JSON5.parse(text); // must parse
        expect(cfg.gateway.bind).toBe("loopback");
        expect(text).toContain("// my config");
        state = "new";
      }
      seen.set(state, (seen.get(state) ?? 0) + 1);
      // every leftover temp is removable, backups are complete or ignored
      cleanStaleTemps(s.configPath);
      expect(readdirSync(s.root).filter((n) => n.includes("clawpatrol-tmp"))).toEqual([]);
      const lb = latestBackup(s.stateDir);
      if (lb) expect(lb.manifest.files.length).toBeGreaterThan(0);
    }
    process.stderr.write(`[kill-9] ${TRIALS} trials: ${JSON.stringify(Object.fromEntries(seen))}\n`);
    expect([...seen.keys()].every((k) => k === "old" || k === "new")).toBe(true);
    void cpSync;
  });
});
