// The bench corpus as a regression test: every malicious sample must reach its expected
// verdict (needs only Node), and — when the zoo is installed — every skill bundled in the
// real openclaw/clawdbot packages must not be judged malicious.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPath } from "../../src/skills/loaders/inputs.ts";
import { defaultIocs, scanPaths, scanUnit } from "../../src/skills/scan.ts";
import { describeLive } from "../support/live.ts";

const CORPUS = new URL("../../bench/skills/corpus/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(CORPUS, "manifest.json"), "utf8")) as {
  samples: { dir: string; technique: string; expect: "malicious" | "suspicious" }[];
};

describe("malicious corpus", () => {
  const iocs = defaultIocs();
  for (const s of manifest.samples) {
    it(`${s.dir} → ${s.expect}`, () => {
      const units = loadPath(join(CORPUS, "malicious", s.dir), { cwd: CORPUS });
      expect(units).toHaveLength(1);
      const r = scanUnit(units[0]!, { iocs });
      if (s.expect === "malicious")
        expect(r.verdict, JSON.stringify(r.findings.map((f) => [f.ruleId, f.severity, f.confidence]))).toBe(
          "malicious",
        );
      else expect(r.verdict).not.toBe("clean");
      expect(r.decidedBy.length).toBeGreaterThan(0);
    });
  }
  it("the manifest lists every sample folder", () => {
    const dirs = readdirSync(join(CORPUS, "malicious")).filter((d) =>
      statSync(join(CORPUS, "malicious", d)).isDirectory(),
    );
    expect(dirs.sort()).toEqual(manifest.samples.map((s) => s.dir).sort());
  });
});

const ZOO = process.env.CLAWZOO_INST ?? join(homedir(), ".cache", "clawzoo", "inst");
function bundledRoots(): string[] {
  if (!existsSync(ZOO)) return [];
  const roots: string[] = [];
  for (const inst of readdirSync(ZOO))
    for (const pkg of ["openclaw", "clawdbot"]) {
      const base = join(ZOO, inst, "node_modules", pkg);
      for (const d of ["skills", "custodian-skills"])
        if (existsSync(join(base, d))) roots.push(join(base, d));
      for (const ext of [join(base, "extensions"), join(base, "dist", "extensions")])
        if (existsSync(ext))
          for (const n of readdirSync(ext))
            if (existsSync(join(ext, n, "skills"))) roots.push(join(ext, n, "skills"));
    }
  return roots;
}
const roots = bundledRoots();

describeLive(
  "bundled skills of the real openclaw packages (zoo)",
  roots.length > 0 ? null : `no zoo installs under ${ZOO}`,
  () => {
    it("no bundled skill is judged malicious", () => {
      const reports = scanPaths(roots, { cwd: ZOO });
      expect(reports.length).toBeGreaterThan(50);
      const bad = reports
        .filter((r) => r.verdict === "malicious")
        .map((r) => `${r.path}: ${r.decidedBy.join(", ")}`);
      expect(bad).toEqual([]);
    });
  },
);
