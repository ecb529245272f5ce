import { join } from "node:path";
import { runAuditDetailed } from "../../../src/audit/run.ts";
import type { AuditFinding, CheckContext } from "../../../src/audit/types.ts";

/** Audit one state dir in isolation (no host discovery) and return its context. */
export async function buildContextFor(
  stateDir: string,
  configPath: string,
): Promise<{ ctx: CheckContext; findings: AuditFinding[] }> {
  const { perTarget } = await runAuditDetailed({
    stateDir,
    configPath,
    home: join(stateDir, "..", "home"),
    env: {},
    noProcesses: true,
    noLive: true,
    globalRoots: [],
    logDirs: [],
    assume: { product: "openclaw", version: "2026.9.6" },
  });
  return perTarget[0]!;
}
