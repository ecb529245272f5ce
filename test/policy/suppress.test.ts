// The one suppression model (src/findings/suppress.ts) on findings of every kind, and the gate
// (src/findings/suppress-gate.ts) that keeps suppressed findings out of exports and --fail-on
// and baselined ones out of --fail-on only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { baselineDocument } from "../../src/findings/baseline.ts";
import { evidenceHash, findingId } from "../../src/findings/identity.ts";
import type { Finding } from "../../src/findings/model.ts";
import {
  evidencePin,
  matchSuppression,
  parseSuppressions,
  SuppressionError,
  suggestSuppressions,
  suppressionWarnings,
} from "../../src/findings/suppress.ts";
import { FindingGate } from "../../src/findings/suppress-gate.ts";
import { SCAN_RULES } from "../../src/scan/rules.ts";

const tmp = mkdtempSync(join(tmpdir(), "cp-suppress-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A scan finding as the scanner makes one: no file path, the asset is host:port. */
function scanFinding(asset: string, detail = "gateway answered hello without a token"): Finding {
  const r = SCAN_RULES.noAuth;
  return {
    ruleId: r.id,
    severity: "critical",
    title: r.title,
    asset,
    evidence: [{ source: "websocket", detail, location: "/" }],
    remediation: r.remediation,
    references: r.references,
  };
}

/** An audit finding: evidence in a config file at a line. */
function auditFinding(path: string): Finding {
  return {
    ruleId: "CP-AUDIT-001",
    severity: "critical",
    title: "Gateway binds beyond loopback without auth",
    asset: path,
    evidence: [{ source: "config", detail: "gateway.bind is lan and auth.mode is none", path, line: 1 }],
    remediation: "bind loopback",
    references: [],
  };
}

const entry = (o: Record<string, string>) =>
  `version: 1\nsuppressions:\n${Object.entries({ reason: "accepted in review", expires: "2999-12-31", ...o })
    .map(([k, v], i) => `${i === 0 ? "  - " : "    "}${k}: ${JSON.stringify(v)}`)
    .join("\n")}\n`;

describe("one suppression model", () => {
  it("suppresses a scan finding by rule, asset and evidence pin, and names owner and expiry", () => {
    const f = scanFinding("10.0.0.5:18789");
    expect(evidencePin(f)).toBe(evidenceHash(f));
    const s = parseSuppressions(
      entry({ rule: f.ruleId, asset: "10.0.0.5:18789", sha256: evidencePin(f), owner: "sec@example.com" }),
      "i.yml",
    );
    expect(matchSuppression(f, s)).toMatchObject({
      owner: "sec@example.com",
      expires: "2999-12-31",
      used: 1,
    });
    // another asset, or another rule, is not covered
    expect(matchSuppression(scanFinding("10.0.0.6:18789"), s)).toBeNull();
    expect(matchSuppression({ ...f, ruleId: SCAN_RULES.exposed.id }, s)).toBeNull();
    expect(suppressionWarnings(s)).toEqual([]);
  });

  it("an asset glob covers many gateways, each still pinned to its own evidence", () => {
    const a = scanFinding("10.0.0.5:18789");
    const b = scanFinding("10.0.0.7:18789", "a different answer");
    const s = parseSuppressions(
      entry({ rule: a.ruleId, asset: "10.0.0.*:18789", sha256: evidencePin(a) }),
      "i",
    );
    expect(matchSuppression(a, s)).not.toBeNull();
    expect(matchSuppression(b, s)).toBeNull();
  });

  it("stops suppressing when the evidence changes, and says so with both pins", () => {
    const before = auditFinding("/etc/openclaw/openclaw.json");
    const s = parseSuppressions(
      entry({ rule: before.ruleId, path: "/etc/openclaw/*.json", sha256: evidencePin(before), owner: "ops" }),
      "team.yml",
    );
    const after = { ...before, evidence: [{ ...before.evidence[0]!, line: 7 }] };
    expect(matchSuppression(after, s)).toBeNull();
    const [line, ...rest] = suppressionWarnings(s);
    expect(rest).toEqual([]);
    expect(line).toContain("CP-AUDIT-001");
    expect(line).toContain("evidence changed");
    expect(line).toContain(evidencePin(before).slice(0, 12));
    expect(line).toContain(evidencePin(after).slice(0, 12));
    expect(line).toContain("owner ops");
  });

  it("stops suppressing after its expiry date, and says so", () => {
    const f = auditFinding("/srv/a/openclaw.json");
    const s = parseSuppressions(
      entry({ rule: f.ruleId, path: f.asset, sha256: evidencePin(f), expires: "2026-01-31" }),
      "i.yml",
    );
    expect(matchSuppression(f, s, new Date("2026-01-31T12:00:00Z"))).not.toBeNull();
    expect(matchSuppression(f, s, new Date("2026-02-01T00:00:01Z"))).toBeNull();
    expect(suppressionWarnings(s, new Date("2026-02-01T00:00:01Z"))[0]).toMatch(
      /CP-AUDIT-001 .* expired on 2026-01-31 .*no longer suppresses/,
    );
  });

  it("refuses entries with both or neither of path and asset, naming the key", () => {
    const pin = "a".repeat(64);
    expect(() => parseSuppressions(entry({ rule: "CP-SCAN-002", sha256: pin }), "x.yml")).toThrow(
      /^x\.yml: suppressions\.0\.path: give exactly one of path or asset$/,
    );
    expect(() =>
      parseSuppressions(entry({ rule: "CP-SCAN-002", path: "a", asset: "b", sha256: pin }), "x.yml"),
    ).toThrow(SuppressionError);
  });

  it("suggested entries for any finding parse and suppress that finding", () => {
    const list = [scanFinding("[::1]:18789"), auditFinding("/h/.openclaw/openclaw.json")];
    const text = suggestSuppressions(list).replaceAll("TODO: ", "ok ");
    const s = parseSuppressions(text, "s.yml");
    for (const f of list) expect(matchSuppression(f, s)).not.toBeNull();
  });
});

describe("the finding gate", () => {
  it("leaves suppressed findings out of what is shown, and baselined ones out of the gate only", () => {
    const known = scanFinding("10.0.0.5:18789");
    const accepted = auditFinding("/srv/ok/openclaw.json");
    const fresh = scanFinding("10.0.0.9:18789", "new");
    const base = join(tmp, "base.json");
    writeFileSync(base, baselineDocument([known], { name: "clawpatrol", version: "t" }));
    const ignore = join(tmp, "ignore.yml");
    writeFileSync(
      ignore,
      entry({ rule: accepted.ruleId, path: accepted.asset, sha256: evidencePin(accepted), owner: "ops" }),
    );
    const out = join(tmp, "next.json");
    const gate = FindingGate.open({ ignoreFile: ignore, baseline: base, writeBaseline: out }, tmp);
    const t = gate.triage([known, accepted, fresh]);
    expect(t.shown).toEqual([known, fresh]);
    expect(t.gating).toEqual([fresh]);
    expect(t.baselined).toBe(1);
    expect(t.suppressed).toEqual([
      {
        finding: accepted,
        by: { reason: "accepted in review", expires: "2999-12-31", owner: "ops", file: ignore },
      },
    ]);
    const lines = gate.finish();
    expect(lines.join("\n")).toMatch(/1 suppressed finding\(s\) left out/);
    expect(lines.join("\n")).toMatch(/1 known finding\(s\) do not count/);
    const written = JSON.parse(readFileSync(out, "utf8"));
    expect(written.schema).toBe("clawpatrol.baseline/1");
    expect(written.findings.map((e: { id: string }) => e.id).sort()).toEqual(
      [findingId(known), findingId(fresh)].sort(),
    );
  });

  it("reads ./.clawpatrol-ignore.yml by default, and refuses a bad one or a bad baseline as usage errors", () => {
    const dir = mkdtempSync(join(tmp, "cwd-"));
    const f = scanFinding("127.0.0.1:18789");
    writeFileSync(
      join(dir, ".clawpatrol-ignore.yml"),
      entry({ rule: f.ruleId, asset: f.asset, sha256: evidencePin(f) }),
    );
    expect(FindingGate.open({}, dir).triage([f]).suppressed).toHaveLength(1);
    writeFileSync(join(dir, ".clawpatrol-ignore.yml"), "suppressions: [ {rule: nope} ]\n");
    expect(() => FindingGate.open({}, dir)).toThrow(UsageError);
    rmSync(join(dir, ".clawpatrol-ignore.yml"));
    expect(() => FindingGate.open({ baseline: join(dir, "missing.json") }, dir)).toThrow(
      /--baseline: .*missing\.json: no such file/,
    );
    writeFileSync(join(dir, "notours.json"), '{"schema":"other/1"}');
    expect(() => FindingGate.open({ baseline: join(dir, "notours.json") }, dir)).toThrow(
      /not a clawpatrol results file/,
    );
    expect(() => FindingGate.open({ writeBaseline: "-" }, dir)).toThrow(UsageError);
    expect(() => FindingGate.open({ writeBaseline: dir }, dir)).toThrow(UsageError);
  });

  it("takes an earlier scan's NDJSON as the baseline", () => {
    const f = scanFinding("10.1.0.1:18789");
    const rec = {
      schema: "clawpatrol.scan/v1",
      host: "10.1.0.1",
      ip: "10.1.0.1",
      port: 18789,
      findings: [f],
    };
    const file = join(tmp, "scan.ndjson");
    writeFileSync(file, `${JSON.stringify(rec)}\n`);
    const t = FindingGate.open({ baseline: file }, tmp).triage([f, scanFinding("10.1.0.2:18789")]);
    expect(t.gating.map((x) => x.asset)).toEqual(["10.1.0.2:18789"]);
  });
});
