// Test data a skill ships but never runs.
//
// Security skills carry the malware they detect as test fixtures (`test/fixtures/malicious-skill/`,
// `test-fixtures/evasive-*`, `test_scenarios/malicious/`): on the public archive, three scanners'
// own fixtures made them "malicious". A fixture is inert when nothing outside the test folders
// runs, loads or imports it (or its folder): SKILL.md does not tell the agent to run it, no script,
// import or package.json script starts it. Naming it in prose ("the samples in test/fixtures") is
// not running it.
// Findings in inert test files are kept, at low severity and with the reason, so they show but do
// not decide the verdict. A file that anything else names is judged like any other file.
import type { SkillContext } from "./context.ts";
import { lowerWithReason } from "./quoted.ts";
import type { SkillUnit } from "./types.ts";

const TEST_DIR =
  /(?:^|\/)(?:tests?|__tests__|specs?|test[-_]?fixtures|fixtures|test[-_]?data|testdata|test[-_]?scenarios|test[-_]?samples|test[-_]?cases)\//i;

/** How much of the other files' text is searched for references (a bound on work, not a limit on safety:
 *  past it, nothing is treated as inert). */
const MAX_REFERENCE_TEXT = 8 << 20;

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Words that run, load or source a file named right after them. */
const RUNNER =
  /(?:\b(?:node|deno|bun|tsx|ts-node|python[0-9.]*|py|bash|sh|zsh|source|ruby|perl|php|pwsh|powershell|exec|execfile|spawn|run|open|load|require|import|from|src)\b|(?:^|\s)\.)[\s('"=:,-]*(?:\.\/)?$/i;

/**
 * Whether another file runs, loads or imports `rel` (or a file of its folder). Being mentioned is
 * not being run: a README that says "test/fixtures/ holds the samples we detect" leaves them inert.
 */
function runFromElsewhere(haystack: string, rel: string): boolean {
  const noExt = rel.replace(/\.[\w]+$/, "");
  const dir = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "";
  for (const needle of new Set([rel, noExt, dir].filter((n) => n.length > 3))) {
    let at = haystack.indexOf(needle);
    for (let n = 0; at >= 0 && n < 200; n++) {
      const before = haystack.slice(Math.max(0, at - 40), at).replace(/\.\/$/, "");
      if (RUNNER.test(before)) return true;
      at = haystack.indexOf(needle, at + needle.length);
    }
  }
  return false;
}

export function isTestPath(rel: string): boolean {
  return TEST_DIR.test(rel);
}

export function quietInertTestFiles(ctx: SkillContext, unit: SkillUnit): void {
  const tests = unit.files.filter((f) => isTestPath(f.rel));
  if (tests.length === 0) return;
  let size = 0;
  const others: string[] = [];
  for (const f of unit.files) {
    if (isTestPath(f.rel)) continue;
    size += f.bytes.length;
    if (size > MAX_REFERENCE_TEXT) return;
    others.push(utf8.decode(f.bytes));
  }
  const haystack = others.join("\n");
  const inert = new Map<string, string>();
  for (const f of tests) {
    if (!runFromElsewhere(haystack, f.rel))
      inert.set(f.display, TEST_DIR.exec(f.rel)?.[0].replace(/^\/|\/$/g, "") ?? "");
  }
  for (const finding of ctx.findings) {
    const e = finding.evidence[0];
    const dir = e?.path ? inert.get(e.path) : undefined;
    if (dir !== undefined)
      lowerWithReason(
        finding,
        `in test data under ${dir}/ that nothing else in the skill runs, loads or imports`,
      );
  }
}
