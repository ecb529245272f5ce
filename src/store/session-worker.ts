// The thread side of session-thread.ts: opens the store the way every command does
// (openSession: PGlite, PostgreSQL, or a running serve) and answers calls on its port.
// PGlite runs Postgres compiled to WebAssembly on the thread that opened it; here that is
// this thread, so a `scan --store` scans on one core while the database works on the other.
import { parentPort } from "node:worker_threads";
import { openSession } from "./session.ts";
import type { ThreadReply, ThreadRequest } from "./session-thread.ts";
import type { StoreSession } from "./session-types.ts";

const port = parentPort;
if (!port) throw new Error("session-worker.ts runs only as a worker thread");

const opened: Promise<StoreSession> = openSession();
// A failure to open is answered to the first call (the "open" call the main side makes at once).
opened.catch(() => {});

port.on("message", async (req: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    const session = await opened;
    const value =
      req.method === "open"
        ? session.where
        : await (session[req.method] as (...args: unknown[]) => Promise<unknown>)(...req.args);
    reply = { id: req.id, ok: true, value };
  } catch (err) {
    const e = err as Error;
    reply = { id: req.id, ok: false, name: e?.name ?? "Error", message: e?.message ?? String(err) };
  }
  port.postMessage(reply);
  if (req.method === "close") port.close();
});
