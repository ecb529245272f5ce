// The policy file: the starter policy is valid, the published JSON Schema is the one the code
// validates with (and agrees with it), every clause names rules that exist, and the usage
// policy says each clause and its rules in words.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { RULES as AUDIT_RULES } from "../../src/audit/rule-catalogue.ts";
import { CLAUSES } from "../../src/policy/clauses.ts";
import { parsePolicy } from "../../src/policy/load.ts";
import { usagePolicyMarkdown } from "../../src/policy/markdown.ts";
import { PolicySchema, policyJsonSchema } from "../../src/policy/schema.ts";
import { STARTER_POLICY } from "../../src/policy/starter.ts";
import { SCAN_RULES } from "../../src/scan/rules.ts";
import { RULES as SKILL_RULES } from "../../src/skills/rules.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const published = JSON.parse(readFileSync(join(REPO_ROOT, "docs/policy.schema.json"), "utf8"));

describe("policy schema", () => {
  it("docs/policy.schema.json is the schema the code validates with", () => {
    expect(published).toEqual(policyJsonSchema());
  });

  it("the starter policy is valid by the code and by the published JSON Schema, with every clause on", () => {
    const p = parsePolicy(STARTER_POLICY, "policy.yml");
    const validate = new Ajv2020({ strict: false }).compile(published);
    expect(validate(YAML.parse(STARTER_POLICY)), JSON.stringify(validate.errors)).toBe(true);
    expect(CLAUSES.filter((c) => !c.enabled(p)).map((c) => c.id)).toEqual(["skills.pinned"]);
  });

  it("the JSON Schema and the code agree on generated policies", () => {
    const validate = new Ajv2020({ strict: false }).compile(published);
    const version = fc.oneof(
      fc.constant("2026.6.5"),
      fc.constant("2026.1.24-3"),
      fc.string({ maxLength: 12 }),
    );
    const doc = fc.record(
      {
        version: fc.oneof(fc.constant(1), fc.integer()),
        organisation: fc.string({ maxLength: 5 }),
        severity: fc.constantFrom("high", "low", "severe"),
        platforms: fc.record(
          {
            allowed: fc.array(fc.constantFrom("openclaw", "clawdbot", "n8n"), { maxLength: 3 }),
            minimumVersion: fc.record({ openclaw: version }, { requiredKeys: [] }),
            noPreAuthAdvisories: fc.oneof(fc.boolean(), fc.constant("yes")),
          },
          { requiredKeys: [] },
        ),
        gateway: fc.record({ bind: fc.constantFrom("loopback", "any", "lan") }, { requiredKeys: [] }),
        exposure: fc.record(
          { noAuthHours: fc.oneof(fc.integer({ min: -5, max: 9000 }), fc.constant("24")) },
          { requiredKeys: [] },
        ),
        extra: fc.string(),
      },
      { requiredKeys: ["version"] },
    );
    fc.assert(
      fc.property(doc, (d) => {
        expect(validate(d)).toBe(PolicySchema.safeParse(d).success);
      }),
      { numRuns: 400 },
    );
  });

  it("every rule a clause names exists in the scan, audit or skills catalogue", () => {
    const known = new Set([
      ...Object.values(SCAN_RULES).map((r) => r.id),
      ...AUDIT_RULES.map((r) => r.id),
      ...SKILL_RULES.keys(),
    ]);
    for (const c of CLAUSES)
      for (const r of c.rules) {
        if (r.endsWith("*"))
          expect(
            [...known].some((k) => k.startsWith(r.slice(0, -1))),
            r,
          ).toBe(true);
        else expect(known.has(r), `${c.id}: ${r}`).toBe(true);
      }
    // every clause is checked somehow: by rules, by facts it reads, or said to be manual
    for (const c of CLAUSES) expect(c.rules.length > 0 || !!c.facts || c.manual, c.id).toBe(true);
  });

  it("the usage policy says every clause in words and names the rules that check it", () => {
    const p = parsePolicy(STARTER_POLICY, "policy.yml");
    const text = usagePolicyMarkdown(p, "policy.yml");
    for (const c of CLAUSES.filter((x) => x.enabled(p))) {
      expect(text).toContain(`clause \`${c.id}\``);
      for (const r of c.rules) expect(text).toContain(r.replace("*", "\\*"));
    }
    expect(text).toContain("Only OpenClaw may be run");
    expect(text).toContain("within 24 hours");
    expect(text).toContain("Confirmed by people");
  });

  it("values from the policy cannot add Markdown, HTML or lines to the usage policy", () => {
    const hostile = STARTER_POLICY.replace(
      "organisation: Example Corp",
      'organisation: "Evil <script>alert(1)</script> [x](javascript:alert(1))\\n# Injected"',
    );
    const text = usagePolicyMarkdown(parsePolicy(hostile, "p.yml"), "p.yml");
    expect(text).not.toContain("<script>");
    expect(text).not.toContain("](javascript");
    expect(text).not.toMatch(/^# Injected/m);
  });
});
