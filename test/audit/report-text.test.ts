// The terminal report never cuts text silently: remediation is printed whole; evidence that is
// shortened ends with a visible mark, a footer says so, and the JSON report keeps it whole.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CUT_MARK, clip, renderJson, renderText } from "../../src/audit/report.ts";
import { runAudit } from "../../src/audit/run.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function realReport() {
  const root = mkdtempSync(join(tmpdir(), "cp-rtext-"));
  dirs.push(root);
  mkdirSync(join(root, "state"), { mode: 0o700 });
  writeFileSync(join(root, "openclaw.json"), `{ gateway: { bind: "lan", auth: { mode: "none" } } }`, {
    mode: 0o600,
  });
  return runAudit({
    stateDir: join(root, "state"),
    configPath: join(root, "openclaw.json"),
    home: join(root, "h"),
    env: {},
    noProcesses: true,
    noLive: true,
    globalRoots: [],
    logDirs: [],
    assume: { product: "openclaw", version: "2026.9.6" },
  });
}

describe("audit text report", () => {
  it("prints a long remediation whole, with its last words", async () => {
    const r = await realReport();
    const f = r.findings.find((x) => x.severity !== "info")!;
    f.remediation = `${"Bind the gateway to loopback and rotate every token it ever handed out. ".repeat(9)}LAST-WORDS`;
    expect(f.remediation.length).toBeGreaterThan(600);
    const text = renderText(r);
    expect(text).toContain(`→ ${f.remediation}\n`);
  });

  it("marks shortened evidence, says so once, and JSON keeps it whole", async () => {
    const r = await realReport();
    const f = r.findings.find((x) => x.severity !== "info")!;
    const detail = `${"x".repeat(300)}TAIL`;
    f.evidence = [{ source: "config", detail, location: "gateway.bind" }];
    const text = renderText(r);
    const line = text.split("\n").find((l) => l.includes("gateway.bind: xxx"))!;
    expect(line.endsWith(CUT_MARK)).toBe(true);
    expect(line).not.toContain("TAIL");
    expect(text).toContain("--json has every piece whole");
    expect(
      JSON.parse(renderJson(r)).findings.find((x: { ruleId: string }) => x.ruleId === f.ruleId).evidence[0]
        .detail,
    ).toBe(detail);
  });

  it("no footer when nothing was shortened", async () => {
    const r = await realReport();
    for (const f of r.findings) f.evidence = f.evidence.slice(0, 1).map((e) => ({ ...e, detail: "short" }));
    expect(renderText(r, { verbose: true })).not.toContain("--json has every piece whole");
  });

  it("clip counts characters, not UTF-16 units, and marks every cut", () => {
    expect(clip("abc", 3)).toEqual({ text: "abc", cut: false });
    expect(clip("abcd", 3)).toEqual({ text: `ab${CUT_MARK}`, cut: true });
    expect(clip("😀😀😀😀", 3)).toEqual({ text: `😀😀${CUT_MARK}`, cut: true });
  });
});
