// Live sample of the generated corpus: for one case per recorded release (the one with the most
// warn/critical findings), run the real `security audit --json` CLI of that zoo build now, in an
// empty network namespace, and check (1) it reports exactly what the in-process recording
// (bench/audit/real-audit-batch.ts) recorded, so the recorded corpus stands for the CLI, and
// (2) clawpatrol matches it. Two runs at a time; a few minutes in all.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive } from "../support/live.ts";
import { runRealAudit, zooAvailable } from "./support/cases.ts";
import { compareCase } from "./support/conformance.ts";
import {
  auditCorpusCase,
  type CorpusFile,
  type CorpusFinding,
  listCorpusFiles,
  materializeCorpusCase,
  type RecordedCorpusCase,
  readCorpusFile,
} from "./support/corpus.ts";
import { extraAllowedFor } from "./support/corpus-compare.ts";

const roots: string[] = [];
const problems = (fs: CorpusFinding[]) =>
  fs
    .filter((f) => f.severity !== "info")
    .map((f) => `${f.checkId}:${f.severity}`)
    .sort();

function sample(file: CorpusFile): RecordedCorpusCase {
  return [...file.cases].sort((a, b) => problems(b.findings).length - problems(a.findings).length)[0]!;
}

const files = listCorpusFiles().map(readCorpusFile);
const live = new Map<string, CorpusFinding[] | Error>();

describeLive("corpus sample against the real CLI", zooAvailable(), () => {
  beforeAll(async () => {
    const queue = [...files];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const c = sample(f);
        const root = mkdtempSync(join(tmpdir(), `cp-livecorpus-${f.build}-`));
        roots.push(root);
        try {
          // a CLI start takes 5-150 s on these builds, several minutes on a loaded machine
          const r = await runRealAudit(f.build, materializeCorpusCase(c, root), {}, 600_000);
          live.set(
            f.build,
            r.report.findings.map((x) => ({ checkId: x.checkId, severity: x.severity })),
          );
        } catch (err) {
          live.set(f.build, err as Error);
        }
      }
    };
    await Promise.all([worker(), worker()]);
  }, 1_800_000);
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  for (const f of files) {
    it(`${f.build}: the CLI reports what was recorded, and clawpatrol matches it`, async () => {
      const got = live.get(f.build);
      if (got instanceof Error) throw got;
      expect(got).toBeDefined();
      const c = sample(f);
      // channel checks come from the channel plugins' own audits: the in-process recording loads
      // them where the 2026.4.15 CLI did not (same config, same environment), so for channels.*
      // the CLI's findings must be among the recorded ones; everything else must be identical
      const isChannel = (k: string) => k.startsWith("channels.");
      const cli = problems(got!);
      const rec = problems(c.findings);
      expect(
        cli.filter((k) => !isChannel(k)),
        `${c.id}: ${JSON.stringify(c.config)}`,
      ).toEqual(rec.filter((k) => !isChannel(k)));
      expect(cli.filter(isChannel).filter((k) => !rec.includes(k))).toEqual([]);
      const root = mkdtempSync(join(tmpdir(), "cp-livecorpus-ours-"));
      roots.push(root);
      const ours = await auditCorpusCase(f.build, c, root);
      const cmp = compareCase(
        got!.map((x) => ({ ...x, title: "" })),
        ours.findings,
        { extraAllowed: extraAllowedFor(f.build) },
      );
      expect(cmp.missed).toEqual([]);
      expect(cmp.lower).toEqual([]);
      expect(cmp.extra).toEqual([]);
    });
  }
});
