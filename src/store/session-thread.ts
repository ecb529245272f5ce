// A store session on its own thread, for `scan --store`. PGlite (Postgres in WebAssembly) costs
// more CPU than a small scan: starting it, writing the run, completing it. On the scan's thread
// that time adds to the scan's; on a thread of its own it overlaps it, on the second core.
// The calls are the StoreSession's own, carried as messages (records are plain JSON).
import { Worker } from "node:worker_threads";
import { MODULE_EXT } from "../core/module-ext.ts";
import { StoreBusyError } from "./lock.ts";
import type { StoreSession } from "./session-types.ts";

/** The session methods a thread session carries (all but the record stream). */
type CallableMethod = Exclude<keyof StoreSession, "where" | "records">;

export type ThreadRequest =
  | { id: number; method: "open"; args: [] }
  | { id: number; method: CallableMethod; args: unknown[] };

export type ThreadReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; name: string; message: string };

/** Open the store on a new thread; resolves once it is open (or rejects as openSession would). */
export async function openThreadSession(): Promise<StoreSession> {
  const worker = new Worker(new URL(`./session-worker${MODULE_EXT}`, import.meta.url));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let gone: Error | null = null;
  const failAll = (err: Error) => {
    gone = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on("message", (reply: ThreadReply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(rebuild(reply.name, reply.message));
  });
  worker.on("error", (err: Error) => failAll(err));
  worker.on("exit", (code) => {
    if (waiting.size > 0) failAll(new Error(`the store thread ended (exit ${code})`));
  });
  const call = (method: ThreadRequest["method"], args: unknown[] = []): Promise<unknown> => {
    if (gone) return Promise.reject(gone);
    const id = next++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  };
  let where: string;
  try {
    where = (await call("open")) as string;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const method =
    <M extends CallableMethod>(m: M) =>
    (...args: unknown[]) =>
      call(m, args) as ReturnType<StoreSession[M]>;
  return {
    where,
    listAssets: method("listAssets"),
    listRuns: method("listRuns"),
    runExists: method("runExists"),
    records: () => {
      throw new Error("records are not streamed across the store thread");
    },
    findings: method("findings"),
    gateways: method("gateways"),
    suppressions: method("suppressions"),
    beginRun: method("beginRun"),
    writeBatch: method("writeBatch"),
    completeRun: method("completeRun"),
    summary: method("summary"),
    close: async () => {
      try {
        await call("close");
      } finally {
        await worker.terminate();
      }
    },
  };
}

/** The error the thread threw, as the kind callers test for (a busy store), else a plain Error. */
function rebuild(name: string, message: string): Error {
  if (name === "StoreBusyError") return new StoreBusyError(message);
  const err = new Error(message);
  err.name = name;
  return err;
}
