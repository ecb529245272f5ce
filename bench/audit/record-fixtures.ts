// Re-records test/fixtures/audit/<case>/openclaw-audit.json: the real `security audit --json`
// of each case's zoo build, run in an empty network namespace. Slow (5–40 s per case on
// the old builds); the unit tests read the recordings, the live suite re-runs them.
//   node bench/audit/record-fixtures.ts [case…]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FIXTURES,
  listCases,
  materialize,
  normalise,
  readCase,
  runRealAudit,
  zooAvailable,
} from "../../test/audit/support/cases.ts";

const why = zooAvailable();
if (why) {
  process.stderr.write(`record-fixtures: ${why}\n`);
  process.exit(2);
}
const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : listCases();
const PARALLEL = 2;
let next = 0;
async function worker(): Promise<void> {
  while (next < names.length) {
    const name = names[next++]!;
    const def = readCase(name);
    const root = mkdtempSync(join(tmpdir(), `cpaudit-${name}-`));
    try {
      const m = materialize(name, root);
      const r = await runRealAudit(def.build, m, def.env ?? {});
      const rec = {
        build: def.build,
        recordedAt: new Date().toISOString(),
        durationMs: r.durationMs,
        report: normalise(r.report, root),
      };
      writeFileSync(join(FIXTURES, name, "openclaw-audit.json"), `${JSON.stringify(rec, null, 2)}\n`);
      const ids = [...new Set(r.report.findings.map((f) => f.checkId))];
      process.stdout.write(`${name}: ${def.build} ${r.durationMs} ms, ${ids.length} check ids\n`);
    } catch (err) {
      process.stdout.write(`${name}: FAILED ${(err as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}
await Promise.all(Array.from({ length: PARALLEL }, () => worker()));
