// Baselines: the findings a team has already accepted, so a CI gate fails only on new ones.
// A baseline is a file `--write-baseline` wrote (clawpatrol.baseline/1), any results file of
// an earlier run (scan NDJSON, audit or skills JSON), or a run in the store by its id.
// Findings are matched by their stable identity (identity.ts: rule, asset, evidence), so a
// finding whose evidence changed is new again.
import { existsSync } from "node:fs";
import { UsageError } from "../core/errors.ts";
import {
  BASELINE_SCHEMA,
  type BaselineEntry,
  ResultsFileError,
  readResultsFile,
  resultsFindings,
} from "./baseline-sources.ts";
import { findingId } from "./identity.ts";
import type { Finding } from "./model.ts";
import { evidencePin } from "./suppress.ts";

export interface Baseline {
  /** Where it came from, for messages: the file, or `run <id>`. */
  source: string;
  ids: ReadonlySet<string>;
}

/** A run id as the store names runs: `scan-…`, `audit-…`, `skills-…`, `import-…` or a UUID. */
const RUN_ID = /^(?:[a-z]+-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** --baseline names a file when one is there, else a store run when it looks like a run id. */
export function baselineIsRun(value: string): boolean {
  return !existsSync(value) && RUN_ID.test(value);
}

/** Read a baseline file (or any results file). A bad one is a usage error naming it. */
export function loadBaselineFile(path: string): Baseline {
  if (!existsSync(path))
    throw new UsageError(`--baseline: ${path}: no such file (and not a run id such as scan-<uuid>)`);
  try {
    const r = readResultsFile(path);
    const ids =
      r.kind === "baseline"
        ? new Set(r.entries.map((e) => e.id))
        : new Set(resultsFindings(r).map(findingId));
    return { source: path, ids };
  } catch (err) {
    if (err instanceof ResultsFileError) throw new UsageError(`--baseline: ${err.message}`);
    throw err;
  }
}

/**
 * The findings of one run in the store. A scan run's come from its records; an audit or
 * skills run's are the findings seen at its start (the store keeps first and last sighting,
 * so a finding seen before and after that run but not in it also counts: a baseline errs on
 * the side of accepting).
 */
export async function loadBaselineRun(runId: string): Promise<Baseline> {
  const { withStore, rowsOf } = await import("../store/db.ts");
  const { sql } = await import("../store/drizzle.ts");
  return withStore(async (store) => {
    const [run] = rowsOf<{ kind: string; started_at: unknown }>(
      await store.db.execute(sql`SELECT kind, started_at FROM runs WHERE id = ${runId}`),
    );
    if (!run) throw new UsageError(`--baseline: no run ${runId} in the store (${store.location})`);
    const ids = new Set<string>();
    if (run.kind === "scan" || run.kind === "import") {
      const rows = rowsOf<{ findings: unknown }>(
        await store.db.execute(
          sql`SELECT record->'findings' AS findings FROM observations WHERE run_id = ${runId}`,
        ),
      );
      for (const r of rows) {
        const list = typeof r.findings === "string" ? JSON.parse(r.findings) : r.findings;
        if (Array.isArray(list)) for (const f of list as Finding[]) ids.add(findingId(f));
      }
    } else {
      const rows = rowsOf<{ id: string }>(
        await store.db.execute(
          sql`SELECT id FROM findings WHERE first_seen <= ${run.started_at} AND last_seen >= ${run.started_at}`,
        ),
      );
      for (const r of rows) ids.add(r.id);
    }
    return { source: `run ${runId}`, ids };
  });
}

/** The baseline file `--write-baseline` writes: every finding given, by identity, sorted. */
export function baselineDocument(
  findings: Iterable<Finding>,
  tool: { name: string; version: string },
): string {
  const byId = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const id = findingId(f);
    if (!byId.has(id))
      byId.set(id, {
        id,
        ruleId: f.ruleId,
        asset: f.asset,
        severity: f.severity,
        title: f.title,
        sha256: evidencePin(f),
      });
  }
  const entries = [...byId.values()].sort(
    (a, b) => a.ruleId.localeCompare(b.ruleId) || a.asset.localeCompare(b.asset) || a.id.localeCompare(b.id),
  );
  return `${JSON.stringify({ schema: BASELINE_SCHEMA, createdAt: new Date().toISOString(), tool, findings: entries }, null, 2)}\n`;
}
