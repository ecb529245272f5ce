// `audit --store` and `skills scan --store`: the findings of one run become a run of kind
// audit / skills in the store (PGlite, or PostgreSQL with DATABASE_URL), folded into the
// findings table by their stable identity, so they are tracked across runs and exported.
// The store is loaded only when asked for.
import { randomUUID } from "node:crypto";
import { RunError } from "../core/errors.ts";
import type { Finding } from "../findings/model.ts";

export interface FindingsRun {
  kind: "audit" | "skills";
  startedAt: string;
  options?: Record<string, unknown>;
  targets?: string[];
}

/** Write the run and its findings (all seen at `seen`) and mark it complete; returns the run id. */
export async function storeFindingsRun(
  run: FindingsRun,
  findings: readonly Finding[],
  seen: string,
): Promise<string> {
  const { openStore } = await import("../store/db.ts");
  const { beginRun, completeRun, writeFindings } = await import("../store/write.ts");
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore();
  } catch (err) {
    throw new RunError(`cannot open the store: ${(err as Error).message}`);
  }
  const id = `${run.kind}-${randomUUID()}`;
  try {
    await beginRun(store.db, {
      id,
      kind: run.kind,
      source: run.kind,
      startedAt: run.startedAt,
      options: run.options ?? {},
      targets: (run.targets ?? []).slice(0, 10_000),
    });
    await writeFindings(
      store.db,
      id,
      findings.map((finding) => ({ finding, seen })),
    );
    await completeRun(store.db, id, new Date().toISOString());
  } catch (err) {
    throw new RunError(`cannot write to the store: ${(err as Error).message}`);
  } finally {
    await store.close();
  }
  return id;
}
