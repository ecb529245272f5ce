// Reading a policy file: YAML, bounded in size, validated by the schema. Every problem is one
// line naming the file and the key (`policy.yml: gateway.bind: ...`), exit 2.
import YAML from "yaml";
import { UsageError } from "../core/errors.ts";
import { readTextFile, TextFileError } from "../core/text-file.ts";
import { type Policy, PolicySchema } from "./schema.ts";

/** A policy is a page of YAML; anything near this size is not one. */
const MAX_POLICY_BYTES = 1024 * 1024;

/** One line, whatever the parser said: no newlines, no control characters, bounded. */
function oneLine(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .trim()
    .slice(0, 200);
}

export function parsePolicy(text: string, file: string): Policy {
  let doc: unknown;
  try {
    // No aliases worth expanding in a policy; a billion-laughs file stops at once.
    doc = YAML.parse(text, { maxAliasCount: 10, uniqueKeys: true, logLevel: "error" });
  } catch (err) {
    throw new UsageError(
      `${file}: not valid YAML: ${oneLine(String((err as Error).message ?? err).split("\n")[0] ?? "")}`,
    );
  }
  if (doc === null || doc === undefined)
    throw new UsageError(`${file}: empty policy (run \`clawpatrol policy init\`)`);
  const parsed = PolicySchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const key = i.path.map(String).join(".") || "(top)";
    const extra = i.code === "unrecognized_keys" ? `: ${i.keys.map((k) => oneLine(k)).join(", ")}` : "";
    throw new UsageError(`${file}: ${oneLine(key)}: ${oneLine(i.message)}${extra}`);
  }
  return parsed.data;
}

export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readTextFile(file, MAX_POLICY_BYTES).text;
  } catch (err) {
    if (err instanceof TextFileError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
  return parsePolicy(text, file);
}
