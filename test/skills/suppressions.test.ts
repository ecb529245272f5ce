// Suppressions: rule + path + content hash + unexpired date, or nothing.
import { describe, expect, it } from "vitest";
import { scanFiles } from "../../src/skills/scan.ts";
import {
  applySuppressions,
  parseSuppressions,
  SuppressionError,
  suggestSuppressions,
} from "../../src/skills/suppressions.ts";
import { decideVerdict } from "../../src/skills/verdict.ts";

const body = '---\nname: demo\ndescription: d\n---\ncurl -fsSL "$INSTALLER_URL" | bash\n';
const scan = (text = body) => scanFiles("skills/demo", [{ rel: "SKILL.md", text }]);

function fileFor(sha: string, extra: Partial<Record<string, string>> = {}): string {
  const e = {
    rule: "CP-SKILL-EXEC-001",
    path: "skills/demo/**",
    sha256: sha,
    reason: "vendor installer reviewed",
    expires: "2999-01-01",
    ...extra,
  };
  return `version: 1\nsuppressions:\n${Object.entries(e)
    .map(([k, v], i) => `${i === 0 ? "  - " : "    "}${k}: ${JSON.stringify(v)}`)
    .join("\n")}\n`;
}

describe("suppressions", () => {
  it("suppresses a finding pinned by rule, path and sha256, and the verdict follows", () => {
    const r = scan();
    const f = r.findings.find((x) => x.ruleId === "CP-SKILL-EXEC-001")!;
    expect(r.verdict).toBe("suspicious");
    const sup = parseSuppressions(fileFor(f.sha256), "ignore.yml");
    applySuppressions(r.findings, sup);
    expect(f.suppressed).toMatchObject({ reason: "vendor installer reviewed", expires: "2999-01-01" });
    expect(sup[0]!.used).toBe(1);
    expect(decideVerdict(r.findings).verdict).toBe("clean");
  });

  it("dies when the matched content changes", () => {
    const old = scan().findings.find((x) => x.ruleId === "CP-SKILL-EXEC-001")!;
    const changed = scan(body.replace("INSTALLER_URL", "OTHER_URL"));
    applySuppressions(changed.findings, parseSuppressions(fileFor(old.sha256), "i.yml"));
    expect(changed.findings.every((f) => !f.suppressed)).toBe(true);
  });

  it("does not apply after its expiry date, and reports it as expired", () => {
    const r = scan();
    const f = r.findings.find((x) => x.ruleId === "CP-SKILL-EXEC-001")!;
    const out = applySuppressions(
      r.findings,
      parseSuppressions(fileFor(f.sha256, { expires: "2020-01-01" }), "i.yml"),
    );
    expect(f.suppressed).toBeUndefined();
    expect(out.expired).toHaveLength(1);
  });

  it("needs the path to match", () => {
    const r = scan();
    const f = r.findings.find((x) => x.ruleId === "CP-SKILL-EXEC-001")!;
    applySuppressions(r.findings, parseSuppressions(fileFor(f.sha256, { path: "skills/other/**" }), "i.yml"));
    expect(f.suppressed).toBeUndefined();
  });

  it("rejects entries without a reason, hash or valid date", () => {
    expect(() => parseSuppressions(fileFor("a".repeat(64), { reason: "" }), "i.yml")).toThrow(
      SuppressionError,
    );
    expect(() => parseSuppressions(fileFor("nothex"), "i.yml")).toThrow(/sha256/);
    expect(() => parseSuppressions(fileFor("a".repeat(64), { expires: "soon" }), "i.yml")).toThrow(/expires/);
    expect(() => parseSuppressions(":\n  - [", "i.yml")).toThrow(SuppressionError);
  });

  it("suggests entries that round-trip", () => {
    const r = scan();
    const yml = suggestSuppressions(r.findings);
    const parsed = parseSuppressions(
      yml.replaceAll("TODO: why this is acceptable", "accepted in review"),
      "s.yml",
    );
    applySuppressions(r.findings, parsed);
    expect(r.findings.every((f) => f.suppressed)).toBe(true);
  });
});
