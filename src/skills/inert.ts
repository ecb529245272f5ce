// Test data a skill ships but never uses.
//
// Security skills carry the malware they detect as test fixtures (`test/fixtures/malicious-skill/`,
// `test-fixtures/evasive-*`, `test_scenarios/malicious/`): on the public archive, three scanners'
// own fixtures made them "malicious". A fixture is inert when nothing outside the test folders
// names it: SKILL.md does not tell the agent to run it, no script or package.json script starts it.
// Findings in inert test files are kept, at low severity and with the reason, so they show but do
// not decide the verdict. A file that anything else names is judged like any other file.
import type { SkillContext } from "./context.ts";
import type { SkillUnit } from "./types.ts";

const TEST_DIR =
  /(?:^|\/)(?:tests?|__tests__|specs?|test[-_]?fixtures|fixtures|test[-_]?data|testdata|test[-_]?scenarios|test[-_]?samples|test[-_]?cases)\//i;

/** How much of the other files' text is searched for references (a bound on work, not a limit on safety:
 *  past it, nothing is treated as inert). */
const MAX_REFERENCE_TEXT = 8 << 20;

const utf8 = new TextDecoder("utf-8", { fatal: false });

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
    const dir = TEST_DIR.exec(f.rel)?.[0] ?? "";
    // Named by its path from the skill root, or by the folder it sits in below the test folder.
    const below = f.rel.slice(f.rel.indexOf(dir) + dir.length);
    const firstDir = below.includes("/") ? below.slice(0, below.indexOf("/")) : below;
    const named = haystack.includes(f.rel) || (firstDir.length > 3 && haystack.includes(`${dir}${firstDir}`));
    if (!named) inert.set(f.display, dir.replace(/^\/|\/$/g, ""));
  }
  for (const finding of ctx.findings) {
    const e = finding.evidence[0];
    const dir = e?.path ? inert.get(e.path) : undefined;
    if (dir === undefined || !e) continue;
    finding.severity = "low";
    finding.confidence = "low";
    e.detail = `${e.detail} (in test data under ${dir}/ that nothing else in the skill runs or names)`;
  }
}
