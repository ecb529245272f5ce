// The shape of a store session, apart from the code that opens one (session.ts) and the one
// that reaches a store through a running serve (remote.ts), so neither imports the other.
import type { Finding } from "../findings/model.ts";
import type { ExposedGateway } from "../findings/stix-picture.ts";
import type { Suppression } from "../findings/suppress.ts";
import type { Observation } from "../scan/record.ts";
import type { AssetFilter, AssetRow } from "./query.ts";
import type { RunListing, RunSummary } from "./runs.ts";
import type { Numbered, RunInfo, RunState } from "./write.ts";

export interface StoredFindingRow {
  id: string;
  finding: Finding;
  firstSeen: string;
  lastSeen: string;
  firstRunId: string;
  lastRunId: string;
}

export interface StoreSession {
  /** Where the data lives, for messages: "pglite /home/u/.clawpatrol/db", "the dashboard at http://…". */
  readonly where: string;
  listAssets(filter: AssetFilter): Promise<AssetRow[]>;
  listRuns(limit: number): Promise<RunListing[]>;
  runExists(id: string): Promise<boolean>;
  records(filter: {
    runId?: string;
    since?: string;
    country?: string;
    asn?: string;
  }): AsyncIterable<Observation>;
  findings(filter: { since?: string }): Promise<StoredFindingRow[]>;
  /** Every gateway asset with its latest record's facts (the STIX picture, src/store/gateways.ts). */
  gateways(): Promise<ExposedGateway[]>;
  /** The active suppressions added from the dashboard (findings/stored-suppressions.ts): exports leave their findings out. */
  suppressions(): Promise<Suppression[]>;
  beginRun(run: RunInfo): Promise<RunState>;
  writeBatch(runId: string, batch: readonly Numbered[]): Promise<void>;
  /** Mark the run complete and say what it stored. */
  completeRun(runId: string, finishedAt: string): Promise<RunSummary>;
  /** What an unfinished run stored so far (an interrupted scan). */
  summary(runId: string): Promise<RunSummary>;
  close(): Promise<void>;
}
