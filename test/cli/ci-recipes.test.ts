// The CI recipes in docs/ci/ are valid files of their kind (checked against the public JSON
// schemas of GitHub workflows and GitLab CI, vendored in test/fixtures/schemas/), and every
// clawpatrol command line in them names a real command and real options.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { buildProgram } from "../../src/cli/main.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const SCHEMAS = join(REPO_ROOT, "test", "fixtures", "schemas");
const withFormats = addFormats as unknown as (ajv: unknown) => void;

function validator(schemaFile: string) {
  // strict: false: both schemas use editor keywords (markdownDescription, deprecationMessage).
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  withFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, schemaFile), "utf8")));
}

function recipe(name: string): unknown {
  return YAML.parse(readFileSync(join(REPO_ROOT, "docs", "ci", name), "utf8"));
}

/** Every `clawpatrol …` command line in a recipe's run/script steps. */
function commandLines(doc: unknown): string[][] {
  const out: string[][] = [];
  const visit = (v: unknown) => {
    if (typeof v === "string") {
      for (const line of v.split("\n")) {
        const m = /\bclawpatrol\s+(.*)$/.exec(line.trim());
        if (m && /^npx\b|^clawpatrol\b/.test(line.trim())) out.push(m[1]!.split(/\s+/));
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  visit(doc);
  return out;
}

const program = await buildProgram("all");

/** The command a word list names, and the options left to check. */
function resolve(words: string[]): { cmd: Command; flags: string[] } {
  let cmd: Command = program;
  const flags: string[] = [];
  for (const w of words) {
    if (w.startsWith("-")) flags.push(w.split("=")[0]!);
    else {
      const sub = cmd.commands.find((c) => c.name() === w);
      if (sub && flags.length === 0) cmd = sub;
    }
  }
  return { cmd, flags };
}

describe("CI recipes", () => {
  it("the GitHub Actions workflow is valid against SchemaStore's github-workflow schema", () => {
    const validate = validator("github-workflow.json");
    const doc = recipe("github-actions.yml");
    expect(validate(doc), JSON.stringify(validate.errors, null, 1)).toBe(true);
    // The schema itself rejects what is not a workflow.
    expect(validate({ jobs: { x: { "runs-on": "ubuntu-latest", steps: [{ bogus: 1 }] } } })).toBe(false);
    expect(JSON.stringify(doc)).toContain("github/codeql-action/upload-sarif");
  });

  it("the GitLab CI file is valid against GitLab's ci.json schema", () => {
    const validate = validator("gitlab-ci.json");
    const doc = recipe("gitlab-ci.yml");
    expect(validate(doc), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(validate({ job: { script: "x", artifacts: { bogus: true } } })).toBe(false);
  });

  it("every clawpatrol command line names a real command and real options", () => {
    for (const file of ["github-actions.yml", "gitlab-ci.yml"]) {
      const lines = commandLines(recipe(file));
      expect(lines.length, file).toBeGreaterThanOrEqual(4);
      for (const words of lines) {
        const { cmd, flags } = resolve(words);
        expect(cmd, `${file}: clawpatrol ${words.join(" ")}`).not.toBe(program);
        const known = new Set(cmd.options.flatMap((o) => [o.short, o.long]).filter(Boolean));
        for (const flag of flags) expect(known.has(flag), `${file}: ${cmd.name()} ${flag}`).toBe(true);
      }
    }
  });
});
