// What a command line without a command runs: the host audit, with whatever audit options
// follow; the program's own --help and --version stay the program's.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withDefaultCommand } from "../../src/cli/main.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const root = mkdtempSync(join(tmpdir(), "cp-default-cmd-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("withDefaultCommand", () => {
  const argv = ["node", "clawpatrol"];
  it.each([
    [[], ["audit"]],
    [["--json"], ["audit", "--json"]],
    [
      ["-o", "r.json", "--fail-on", "none"],
      ["audit", "-o", "r.json", "--fail-on", "none"],
    ],
    [["--help"], ["--help"]],
    [["-V"], ["-V"]],
    [["--version"], ["--version"]],
    [
      ["scan", "10.0.0.1"],
      ["scan", "10.0.0.1"],
    ],
    [
      ["help", "scan"],
      ["help", "scan"],
    ],
  ])("%j -> %j", (rest, expected) => {
    expect(withDefaultCommand([...argv, ...rest])).toEqual([...argv, ...expected]);
  });
});

describe("clawpatrol with options and no command", () => {
  it("runs the audit with those options", async () => {
    const home = join(root, "home");
    mkdirSync(home);
    const out = join(root, "report.json");
    const r = await runClawpatrol([
      "--format",
      "json",
      "--no-live",
      "--home",
      home,
      "--state-dir",
      join(root, "missing"),
      "-o",
      out,
    ]);
    // The audit's own check of --state-dir answers: proof the options reached audit.
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/missing/);
  });

  it("an option no command takes is still one line, exit 2", async () => {
    const r = await runClawpatrol(["--no-such-option"]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
  });

  it("--version is the program's", async () => {
    const r = await runClawpatrol(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });
});
