// Paths the user names with --state-dir / --config: missing or of the wrong kind is exit 2 with
// one line naming the flag and the path, for audit and fix alike (before: an audit of an
// invented empty config with critical findings, a chmod advised on a directory, a file
// audited as FILE/openclaw.json). Auto-discovered locations that are absent are not reported.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discover } from "../../src/audit/discovery.ts";
import { UsageError } from "../../src/core/errors.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const root = mkdtempSync(join(tmpdir(), "cp-explicit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = join(root, "home");
mkdirSync(home);
mkdirSync(join(root, "dir"));
writeFileSync(join(root, "dir/openclaw.json"), '{ gateway: { bind: "lan" } }');
chmodSync(join(root, "dir/openclaw.json"), 0o600);
symlinkSync("missing.json", join(root, "dangling.json"));

const CASES: { name: string; args: string[]; stderr: RegExp }[] = [
  {
    name: "missing --state-dir",
    args: ["--state-dir", join(root, "nonexistent")],
    stderr: /--state-dir .*nonexistent: no such path/,
  },
  {
    name: "a file as --state-dir",
    args: ["--state-dir", join(root, "dir/openclaw.json")],
    stderr: /--state-dir .*openclaw\.json: a file, not a directory \(to name a config file, use --config\)/,
  },
  {
    name: "missing --config",
    args: ["--config", join(root, "dir/none.json")],
    stderr: /--config .*none\.json: no such path/,
  },
  {
    name: "a directory as --config",
    args: ["--config", join(root, "dir")],
    stderr: /--config .*dir: a directory, not a config file \(to name a state directory, use --state-dir\)/,
  },
  {
    name: "a dangling symlink as --config",
    args: ["--config", join(root, "dangling.json")],
    stderr: /dangling\.json: a symlink to something that does not exist/,
  },
];

describe("explicit --state-dir / --config", () => {
  for (const command of ["audit", "fix"] as const) {
    for (const c of CASES) {
      it(`${command}: ${c.name} is exit 2, one line naming the path`, { timeout: 30_000 }, async () => {
        const extra = command === "audit" ? ["--no-live"] : ["--apply"];
        const r = await runClawpatrol([command, ...c.args, "--home", home, ...extra]);
        expect(r.stderr).toMatch(c.stderr);
        expect(isOneLineError(r.stderr), r.stderr).toBe(true);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
      });
    }
  }

  it("audit --config FILE audits that file (no chmod advice about a directory)", {
    timeout: 30_000,
  }, async () => {
    const r = await runClawpatrol([
      "audit",
      "--config",
      join(root, "dir/openclaw.json"),
      "--home",
      home,
      "--no-live",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as { targets: { configPath: string }[] };
    expect(report.targets.map((t) => t.configPath)).toEqual([join(root, "dir/openclaw.json")]);
  });

  it("auto-discovered locations that are absent are simply not reported", () => {
    const d = discover({
      home,
      env: { OPENCLAW_STATE_DIR: join(root, "gone"), OPENCLAW_CONFIG_PATH: join(root, "gone/openclaw.json") },
      noProcesses: true,
      globalRoots: [],
    });
    expect(d.targets).toEqual([]);
    expect(() =>
      discover({ home, env: {}, stateDir: join(root, "gone"), noProcesses: true, globalRoots: [] }),
    ).toThrow(UsageError);
  });

  it("--home is described as the user's home to search, not clawpatrol's own", async () => {
    for (const command of ["audit", "fix"]) {
      const r = await runClawpatrol([command, "--help"]);
      expect(r.stdout.replace(/\s+/g, " ")).toMatch(
        /--home <dir> the user's home directory to search for OpenClaw state dirs and services \(default: yours\); not clawpatrol's own data directory/,
      );
    }
  });
});
