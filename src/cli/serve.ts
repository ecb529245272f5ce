// `clawpatrol serve`: the dashboard (src/server). Binds 127.0.0.1 by default; any other address
// needs an auth token (--token or CLAWPATROL_TOKEN), or it refuses to start. Keeps the store open
// while it runs and closes it on Ctrl-C / SIGTERM. PGlite allows one process: meanwhile
// inventory, export, runs, import and scan --store reach the store through this server (the
// file clawpatrol-serve.json in the data directory says where; src/store/remote.ts).
import type { Command } from "commander";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { intOption } from "./options.ts";

interface ServeFlags {
  host: string;
  port: number;
  token?: string;
  policy?: string;
}

export const DEFAULT_PORT = 8417;

/** How a command on this machine reaches the server: over loopback when it listens on every address. */
function loopbackUrl(host: string, port: number): string {
  const h = host.replace(/^\[(.*)\]$/, "$1");
  if (h === "0.0.0.0" || h === "") return `http://127.0.0.1:${port}/`;
  if (h === "::") return `http://[::1]:${port}/`;
  return h.includes(":") ? `http://[${h}]:${port}/` : `http://${h}:${port}/`;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "the dashboard and JSON API over the store (127.0.0.1 by default; other addresses need --token)",
    )
    .option("--host <address>", "address to listen on (a non-loopback one needs a token)", "127.0.0.1")
    .option("--port <n>", `port to listen on (0: any free port)`, intOption("--port", 0, 65535), DEFAULT_PORT)
    .option(
      "--token <token>",
      "auth token every request must carry (prefer CLAWPATROL_TOKEN: a flag shows in the process list)",
    )
    .option("--policy <file>", "the policy the compliance page judges the store against (see policy init)")
    .action(async (flags: ServeFlags) => {
      const { isLoopbackHost, MIN_TOKEN_LENGTH, randomToken } = await import("../server/security.ts");
      const raw = flags.token ?? process.env.CLAWPATROL_TOKEN ?? "";
      const token = raw === "" ? null : raw;
      const host = flags.host.trim();
      if (host === "") throw new UsageError("--host: an address is needed (e.g. 127.0.0.1)");
      if (token !== null && (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)))
        throw new UsageError(
          `the auth token must be at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. openssl rand -hex 32)`,
        );
      if (token === null && !isLoopbackHost(host))
        throw new UsageError(
          `refusing to serve on ${host} without an auth token: set CLAWPATROL_TOKEN (or --token), or keep --host 127.0.0.1`,
        );
      // A bad policy is exit 2 now, before the store is opened.
      const policy = flags.policy
        ? { policy: (await import("../policy/load.ts")).loadPolicy(flags.policy), file: flags.policy }
        : null;
      const { openStore } = await import("../store/db.ts");
      const { listen } = await import("../server/listen.ts");
      const store = await openStore().catch((err: Error) => {
        throw new RunError(`cannot open the store: ${err.message}`);
      });
      // PGlite is this process's alone while it runs: other commands reach it through the
      // store API, with a secret made now and left (mode 600) beside the store's lock.
      const storeSecret = store.backend === "pglite" ? randomToken() : null;
      let server: Awaited<ReturnType<typeof listen>>;
      try {
        server = await listen({ db: store.db, token, host, port: flags.port, storeSecret, policy });
      } catch (err) {
        await store.close().catch(() => {});
        const e = err as NodeJS.ErrnoException;
        if (e.code === "EADDRINUSE")
          throw new RunError(`cannot listen on ${host}:${flags.port}: already in use`);
        if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND" || e.code === "EAI_AGAIN")
          throw new RunError(`cannot listen on ${host}: not an address of this machine`);
        throw new RunError(`cannot listen on ${host}:${flags.port}: ${e.code ?? e.message}`);
      }
      let removeServeFile = () => {};
      if (storeSecret) {
        const { writeServeFile } = await import("../store/serve-file.ts");
        try {
          removeServeFile = writeServeFile(store.location, {
            pid: process.pid,
            url: loopbackUrl(host, server.port),
            secret: storeSecret,
          });
        } catch (err) {
          await server.close();
          await store.close().catch(() => {});
          throw new RunError(
            `cannot write the serve file in ${store.location}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
          );
        }
      }
      process.stderr.write(
        `clawpatrol: dashboard on ${server.url} (store: ${store.backend} ${store.location}${token ? "; token required" : ""}); Ctrl-C stops it\n`,
      );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      try {
        removeServeFile();
        await server.close();
      } finally {
        await store.close();
      }
      process.stderr.write(`clawpatrol: dashboard stopped (${signal})\n`);
      process.exitCode = EXIT.ok;
    });
}
