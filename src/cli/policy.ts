// `clawpatrol policy init | check | markdown | schema | suppressions`: the organisation's agentic-AI policy as
// code (src/policy/). init writes a starter policy and the usage policy generated from it;
// check judges scan, audit and skills results (or the store) against it.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { RunError, UsageError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { type ResultsFile, ResultsFileError, readResultsFile } from "../findings/baseline-sources.ts";
import { evaluatePolicy, type PolicyCheck } from "../policy/evaluate.ts";
import { loadPolicy, parsePolicy } from "../policy/load.ts";
import { usagePolicyMarkdown } from "../policy/markdown.ts";
import { policyFindings, renderCheckSarif, renderCheckText } from "../policy/report.ts";
import { policyJsonSchema } from "../policy/schema.ts";
import { STARTER_POLICY } from "../policy/starter.ts";
import { type Subject, subjectsOf } from "../policy/subjects.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";

export const POLICY_CHECK_OUTPUT: OutputSpec = {
  formats: ["text", "json", "sarif"],
  meaning: { json: "the clawpatrol.policy-check/1 result", sarif: "one result per broken clause per asset" },
  findings: true,
};
const MARKDOWN_OUTPUT: OutputSpec = { formats: ["text"], meaning: { text: "Markdown" } };
const SCHEMA_OUTPUT: OutputSpec = { formats: ["json"] };
const SUPPRESSIONS_OUTPUT: OutputSpec = {
  formats: ["text", "json"],
  meaning: {
    text: "the active entries as .clawpatrol-ignore.yml",
    json: "active entries and the add/remove trail",
  },
};

interface InitFlags {
  dir: string;
  force?: boolean;
}

/** Write the starter policy and its usage policy into `dir`; never over a file unless --force. */
export function policyInit(flags: InitFlags): string[] {
  const dir = flags.dir;
  const files = { policy: join(dir, "policy.yml"), usage: join(dir, "usage-policy.md") };
  for (const f of Object.values(files))
    if (existsSync(f) && !flags.force) throw new UsageError(`${f} exists; --force replaces it`);
  const policy = parsePolicy(STARTER_POLICY, files.policy);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(files.policy, STARTER_POLICY);
    writeFileSync(files.usage, usagePolicyMarkdown(policy, "policy.yml"));
  } catch (err) {
    throw new RunError(
      `cannot write in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return Object.values(files);
}

interface CheckFlags extends OutputFlags {
  policy: string;
  fromStore?: boolean;
  /** false with --no-record: do not keep a --from-store evaluation for the compliance trend. */
  record?: boolean;
}

export async function policyCheck(inputs: string[], flags: CheckFlags): Promise<number> {
  const out = openCommandOutput(flags, POLICY_CHECK_OUTPUT);
  const policy = loadPolicy(flags.policy);
  if (inputs.length === 0 && !flags.fromStore)
    throw new UsageError(
      "policy check: name scan, audit or skills results (JSON/NDJSON files), or use --from-store",
    );
  const files: ResultsFile[] = [];
  for (const f of inputs) {
    try {
      files.push(readResultsFile(f));
    } catch (err) {
      if (err instanceof ResultsFileError) throw new UsageError(err.message);
      throw err;
    }
  }
  const subjects: Subject[] = subjectsOf(files);
  const named = [...inputs];
  const evaluate = () => evaluatePolicy(policy, subjects, { policyFile: flags.policy, inputs: named });
  let check: PolicyCheck;
  if (flags.fromStore) {
    // One store session: read it, judge, and keep the evaluation for the compliance trend.
    const { withStore } = await import("../store/db.ts");
    const { subjectsOfDb } = await import("../policy/store-subjects.ts");
    const { recordCheck } = await import("../policy/history.ts");
    check = await withStore(async (store) => {
      subjects.push(...(await subjectsOfDb(store.db)));
      named.push(`store ${store.location}`);
      const c = evaluate();
      if (flags.record !== false) await recordCheck(store.db, c);
      return c;
    });
  } else check = evaluate();
  const tool = { name: "clawpatrol", version: VERSION };
  if (out.format === "json") out.write(`${JSON.stringify(check, null, 2)}\n`);
  else if (out.format === "sarif") out.write(renderCheckSarif(check, policy, tool));
  else out.write(renderCheckText(check));
  out.close();
  return out.exitCode(policyFindings(check, policy));
}

export function registerPolicy(program: Command): void {
  const policy = program
    .command("policy")
    .description("the organisation's agentic-AI policy as code: init, check, markdown, schema");
  policy
    .command("init")
    .description("write a starter policy.yml and the usage-policy.md generated from it")
    .option("--dir <dir>", "where to write them", ".")
    .option("--force", "replace files that exist")
    .action((flags: InitFlags) => {
      for (const f of policyInit(flags)) process.stderr.write(`clawpatrol: wrote ${f}\n`);
    });
  const check = policy
    .command("check")
    .description("check scan, audit and skills results (JSON/NDJSON files) or the store against a policy")
    .argument("[inputs...]", "results files: scan NDJSON, audit JSON, skills scan JSON")
    .requiredOption("--policy <file>", "the policy file (YAML)")
    .option(
      "--from-store",
      "also check the store's open gateways and findings (PGlite under $CLAWPATROL_HOME, or DATABASE_URL); the evaluation is kept for the dashboard's compliance trend",
    )
    .option("--no-record", "with --from-store: do not keep this evaluation in the store")
    .action(async (inputs: string[], flags: CheckFlags) => {
      process.exitCode = await policyCheck(inputs, flags);
    });
  addOutputOptions(check, POLICY_CHECK_OUTPUT);
  const markdown = policy
    .command("markdown")
    .description("print the usage policy (Markdown) generated from a policy file")
    .requiredOption("--policy <file>", "the policy file (YAML)")
    .action((flags: OutputFlags & { policy: string }) => {
      const out = openCommandOutput(flags, MARKDOWN_OUTPUT);
      out.write(usagePolicyMarkdown(loadPolicy(flags.policy), flags.policy));
      out.close();
    });
  addOutputOptions(markdown, MARKDOWN_OUTPUT);
  const schema = policy
    .command("schema")
    .description("print the JSON Schema of the policy file")
    .action((flags: OutputFlags) => {
      const out = openCommandOutput(flags, SCHEMA_OUTPUT);
      out.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
      out.close();
    });
  addOutputOptions(schema, SCHEMA_OUTPUT);
  const suppressions = policy
    .command("suppressions")
    .description(
      "print the suppressions kept in the store (added from the dashboard) as a .clawpatrol-ignore.yml file",
    )
    .action(async (flags: OutputFlags) => {
      const out = openCommandOutput(flags, SUPPRESSIONS_OUTPUT);
      const { withStore } = await import("../store/db.ts");
      const stored = await import("../findings/stored-suppressions.ts");
      const { list, audit } = await withStore(async (store) => ({
        list: await stored.listStoredSuppressions(store.db),
        audit: await stored.suppressionAudit(store.db),
      }));
      if (out.format === "json") out.write(`${JSON.stringify({ suppressions: list, audit }, null, 2)}\n`);
      else out.write(stored.suppressionsYaml(list));
      out.close();
    });
  addOutputOptions(suppressions, SUPPRESSIONS_OUTPUT);
}
