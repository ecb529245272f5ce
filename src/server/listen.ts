// Serving the dashboard over HTTP (@hono/node-server): listen, say where, stop cleanly.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { StoreDb } from "../store/db.ts";
import { createDashboard, type Dashboard } from "./app.ts";

export interface Listening {
  /** http://host:port/ as a browser should open it. */
  url: string;
  port: number;
  dashboard: Dashboard;
  /** Stop accepting, end open connections, and resolve when the server is closed. */
  close(): Promise<void>;
}

export async function listen(opts: {
  db: StoreDb;
  token: string | null;
  host: string;
  port: number;
  now?: () => Date;
  log?: (line: string) => void;
  /** Bearer secret of the store API for local commands (see store-api.ts). */
  storeSecret?: string | null;
  /** The policy of the compliance page (`serve --policy FILE`). */
  policy?: { policy: import("../policy/schema.ts").Policy; file: string } | null;
}): Promise<Listening> {
  const dashboard = createDashboard({
    db: opts.db,
    token: opts.token,
    storeSecret: opts.storeSecret ?? null,
    policy: opts.policy ?? null,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const server = createAdaptorServer({ fetch: dashboard.app.fetch, overrideGlobalObjects: false }) as Server;
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(":") && !opts.host.startsWith("[") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    dashboard,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
