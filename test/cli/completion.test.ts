// Shell completion is generated from the commander program: every command and option must
// be in each script, each script must parse in its shell, and bash and fish must complete
// real command lines. The README must document every command and --help must list it.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.ts";
import { commandSpecs, completionScript, SHELLS } from "../../src/cli/completion.ts";
import { buildProgram } from "../../src/cli/main.ts";
import { runClawpatrol } from "../support/cli.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const program = await buildProgram("all");
const specs = commandSpecs(program);

function hasShell(shell: string): boolean {
  return spawnSync(shell, ["-c", "exit 0"]).status === 0;
}

describe("completion scripts", () => {
  it("cover every command, subcommand and option of the program", () => {
    expect(specs.map((s) => s.path)).toEqual(
      expect.arrayContaining([
        "clawpatrol",
        "clawpatrol scan",
        "clawpatrol skills scan",
        "clawpatrol update",
      ]),
    );
    for (const shell of SHELLS) {
      const script = completionScript(shell, program);
      for (const spec of specs) {
        expect(script, `${shell}: ${spec.path}`).toContain(spec.path);
        for (const sub of spec.subcommands)
          expect(script, `${shell}: ${spec.path} ${sub.name}`).toContain(sub.name);
        for (const o of spec.options) {
          // fish names options without dashes (-s o -l output); bash and zsh with them.
          if (shell === "fish") {
            if (o.long) expect(script).toContain(`-l ${o.long.slice(2)}`);
          } else {
            for (const flag of [o.short, o.long].filter(Boolean)) expect(script).toContain(`${flag}`);
          }
        }
      }
    }
    // Every registered command is in the program the scripts are generated from.
    const top = specs.find((s) => s.path === "clawpatrol")!.subcommands.map((s) => s.name);
    for (const entry of COMMANDS) expect(top).toContain(entry.name);
  });

  for (const shell of SHELLS) {
    const present = hasShell(shell);
    it.skipIf(!present)(
      `${shell} -n accepts the script${present ? "" : ` (skipped: ${shell} not installed)`}`,
      async () => {
        const r = await runClawpatrol(["completion", shell]);
        expect(r.code).toBe(0);
        const file = join(tmpdir(), `clawpatrol-completion-${process.pid}.${shell}`);
        writeFileSync(file, r.stdout);
        const check = spawnSync(shell, ["-n", file], { encoding: "utf8" });
        expect(check.stderr).toBe("");
        expect(check.status).toBe(0);
      },
    );
  }

  it("bash completes subcommands, options and nested commands", () => {
    const file = join(tmpdir(), `clawpatrol-completion-${process.pid}-run.bash`);
    writeFileSync(file, completionScript("bash", program));
    const complete = (...words: string[]) => {
      const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _clawpatrol; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      return r.stdout.trim().split("\n").filter(Boolean);
    };
    expect(complete("clawpatrol", "upd")).toEqual(["update"]);
    expect(complete("clawpatrol", "skills", "")).toEqual(["scan", "rules", "help"]);
    expect(complete("clawpatrol", "update", "--r")).toEqual(["--registry", "--rollback"]);
    // The value of -o is a file name (left to bash), and after it scan's options still complete.
    expect(complete("clawpatrol", "scan", "-o", "")).toEqual([]);
    expect(complete("clawpatrol", "scan", "-o", "out.json", "--fail")).toEqual(["--fail-on"]);
  });

  it.skipIf(!hasShell("fish"))("fish completes nested commands and their options", () => {
    const file = join(tmpdir(), `clawpatrol-completion-${process.pid}-run.fish`);
    writeFileSync(file, completionScript("fish", program));
    const r = spawnSync("fish", ["-c", `source ${file}; complete -C 'clawpatrol skills scan --fo'`], {
      encoding: "utf8",
    });
    expect(r.stdout.split("\n")[0]).toMatch(/^--format\t/);
    const subs = spawnSync("fish", ["-c", `source ${file}; complete -C 'clawpatrol advisories '`], {
      encoding: "utf8",
    });
    const names = subs.stdout.split("\n").map((l) => l.split("\t")[0]);
    expect(names).toEqual(expect.arrayContaining(["list", "show", "check", "import"]));
  });

  it("an unknown shell is a one-line usage error", async () => {
    const r = await runClawpatrol(["completion", "tcsh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('clawpatrol: completion: unknown shell "tcsh" (one of bash, zsh, fish)\n');
  });
});

describe("every command is documented", () => {
  it("--help lists every command", async () => {
    const r = await runClawpatrol(["--help"]);
    expect(r.code).toBe(0);
    for (const entry of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${entry.name}\\b`, "m"));
  });

  it("the README has a section for every command", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const headings = readme.split("\n").filter((l) => l.startsWith("#"));
    for (const entry of COMMANDS)
      expect(
        headings.some((h) => h.includes(`\`clawpatrol ${entry.name}`) || h.includes(`\`${entry.name}\``)),
        `README heading for clawpatrol ${entry.name}`,
      ).toBe(true);
  });
});
