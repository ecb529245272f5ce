// A StoreSession through a running `clawpatrol serve` (its /api/store/* routes, src/server/
// store-api.ts), for when that dashboard holds the PGlite store. Found through the file serve
// leaves in the data directory (serve-file.ts); authenticated with the secret in it.
import { RunError } from "../core/errors.ts";
import type { ExposedGateway } from "../findings/stix-picture.ts";
import { asSuppressions, type StoredSuppression } from "../findings/stored-suppressions.ts";
import type { Suppression } from "../findings/suppress.ts";
import type { Observation } from "../scan/record.ts";
import type { AssetFilter, AssetRow } from "./query.ts";
import type { RunListing, RunSummary } from "./runs.ts";
import { readServeFile, type ServeEndpoint } from "./serve-file.ts";
import type { StoredFindingRow, StoreSession } from "./session-types.ts";
import type { Numbered, RunInfo, RunState } from "./write.ts";

/** A store request that did not work: the dashboard's own words when it gave them. */
async function failure(res: Response, what: string): Promise<RunError> {
  let message = `${res.status}`;
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body.error === "string") message = `${res.status} ${body.error}`;
  } catch {
    // Not JSON: the status says enough.
  }
  return new RunError(`the dashboard holding the store refused ${what}: ${message}`);
}

class ServedSession implements StoreSession {
  readonly where: string;
  readonly #endpoint: ServeEndpoint;

  constructor(endpoint: ServeEndpoint) {
    this.#endpoint = endpoint;
    this.where = `the store of the dashboard at ${endpoint.url} (process ${endpoint.pid})`;
  }

  async #call(method: "GET" | "POST", path: string, what: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.#endpoint.url), {
        method,
        headers: {
          authorization: `Bearer ${this.#endpoint.secret}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new RunError(
        `the dashboard (process ${this.#endpoint.pid}) that holds the store does not answer at ${this.#endpoint.url} (${e.cause?.code ?? e.message}); stop it and try again`,
      );
    }
    if (!res.ok) throw await failure(res, what);
    return res;
  }

  async #json<T>(method: "GET" | "POST", path: string, what: string, body?: unknown): Promise<T> {
    return (await (await this.#call(method, path, what, body)).json()) as T;
  }

  listAssets(filter: AssetFilter): Promise<AssetRow[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    return this.#json("GET", `api/store/assets?${q}`, "the inventory");
  }

  listRuns(limit: number): Promise<RunListing[]> {
    return this.#json("GET", `api/store/runs?limit=${limit}`, "the list of runs");
  }

  async runExists(id: string): Promise<boolean> {
    const r = await this.#json<{ exists: boolean }>(
      "GET",
      `api/store/runs/${encodeURIComponent(id)}`,
      "the run lookup",
    );
    return r.exists;
  }

  async *records(filter: {
    runId?: string;
    since?: string;
    country?: string;
    asn?: string;
  }): AsyncIterable<Observation> {
    const q = new URLSearchParams();
    if (filter.runId) q.set("run", filter.runId);
    if (filter.since) q.set("since", filter.since);
    if (filter.country) q.set("country", filter.country);
    if (filter.asn) q.set("asn", filter.asn);
    const res = await this.#call("GET", `api/store/records?${q}`, "the export");
    if (!res.body) return;
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of res.body) {
      rest += decoder.decode(chunk, { stream: true });
      let nl = rest.indexOf("\n");
      while (nl >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (line.trim() !== "") yield JSON.parse(line) as Observation;
        nl = rest.indexOf("\n");
      }
    }
    rest += decoder.decode();
    if (rest.trim() !== "") yield JSON.parse(rest) as Observation;
  }

  findings(filter: { since?: string }): Promise<StoredFindingRow[]> {
    const q = filter.since ? `?since=${encodeURIComponent(filter.since)}` : "";
    return this.#json("GET", `api/store/findings${q}`, "the findings");
  }

  gateways(): Promise<ExposedGateway[]> {
    return this.#json("GET", "api/store/gateways", "the gateways");
  }

  /** The dashboard's own list (GET /api/suppressions takes the store secret as its Bearer token). */
  async suppressions(): Promise<Suppression[]> {
    const r = await this.#json<{ suppressions: StoredSuppression[] }>(
      "GET",
      "api/suppressions",
      "the suppressions",
    );
    return asSuppressions(r.suppressions);
  }

  async beginRun(run: RunInfo): Promise<RunState> {
    const r = await this.#json<{ state: RunState }>("POST", "api/store/runs", "the new run", run);
    return r.state;
  }

  async writeBatch(runId: string, batch: readonly Numbered[]): Promise<void> {
    await this.#call("POST", `api/store/runs/${encodeURIComponent(runId)}/records`, "the records", batch);
  }

  completeRun(runId: string, finishedAt: string): Promise<RunSummary> {
    return this.#json("POST", `api/store/runs/${encodeURIComponent(runId)}/complete`, "completing the run", {
      finishedAt,
    });
  }

  summary(runId: string): Promise<RunSummary> {
    return this.#json("GET", `api/store/runs/${encodeURIComponent(runId)}/summary`, "the run summary");
  }

  async close(): Promise<void> {}
}

/** A session through the serve that holds `dir` (lock owner `owner`), or null when none does. */
export async function servedSession(dir: string, owner: number): Promise<StoreSession | null> {
  const endpoint = readServeFile(dir, owner);
  return endpoint ? new ServedSession(endpoint) : null;
}
