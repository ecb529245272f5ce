// Opening the store: PGlite (Postgres compiled to WASM, in a data directory) by default,
// PostgreSQL through `pg` when DATABASE_URL (or an explicit url) is given. Both are driven
// through the same Drizzle schema and the same SQL migrations.
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunError } from "../core/errors.ts";
import { pgliteDriver, postgresDriver } from "./drizzle.ts";
import { defaultDataDir, lockDataDir } from "./lock.ts";
import { migrate } from "./migrate.ts";
import type { StoreDb } from "./rows.ts";
import { schema } from "./schema.ts";

export { defaultDataDir, lockOwner, StoreBusyError } from "./lock.ts";
export { rowsOf, type StoreDb } from "./rows.ts";

export interface Store {
  db: StoreDb;
  backend: "pglite" | "postgres";
  /** The data directory (PGlite) or the URL with any password masked (PostgreSQL). */
  location: string;
  /** Reclaim the rows that updates left dead (PGlite has no autovacuum); a no-op on PostgreSQL. */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

// Every sighting rewrites its asset and finding rows; the old versions stay on disk until a
// VACUUM. PostgreSQL's autovacuum does that; PGlite runs no background workers, so without
// this a store that is scanned daily grows by a copy of those tables a day.
const UPDATED_TABLES = "assets, findings, daily_stats, daily_countries, exposure_counts, advisory_set_ids";

export interface OpenOptions {
  /** A postgres:// URL; defaults to $DATABASE_URL. */
  url?: string;
  /** PGlite data directory; defaults to $CLAWPATROL_HOME/db or ~/.clawpatrol/db. */
  dataDir?: string;
}

function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable url)";
  }
}

/**
 * When the store last reclaimed its dead rows: a file in the data dir whose mtime says it.
 * Reclaiming on every close cost a quarter second of every command (an inventory, a small
 * scan); once a day keeps a store scanned daily from growing all the same.
 */
const VACUUM_MARK = "clawpatrol.vacuumed";
export const VACUUM_EVERY_MS = 24 * 3600 * 1000;

export function vacuumDue(dir: string, now = Date.now()): boolean {
  try {
    return now - statSync(join(dir, VACUUM_MARK)).mtimeMs >= VACUUM_EVERY_MS;
  } catch {
    return true;
  }
}

function touchVacuumMark(dir: string): void {
  try {
    writeFileSync(join(dir, VACUUM_MARK), `${new Date().toISOString()}\n`, { mode: 0o600 });
  } catch {
    // A store we cannot write a marker into is reclaimed again next time: harmless.
  }
}

export async function openStore(options: OpenOptions = {}): Promise<Store> {
  const url = options.url ?? (options.dataDir ? undefined : process.env.DATABASE_URL);
  let store: Store;
  if (url) {
    const { default: pg } = await import("pg");
    const drizzle = postgresDriver();
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const db = drizzle(pool, { schema }) as unknown as StoreDb;
    store = {
      db,
      backend: "postgres",
      location: maskUrl(url),
      maintain: async () => {},
      close: () => pool.end(),
    };
  } else {
    const dir = options.dataDir ?? defaultDataDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const unlock = lockDataDir(dir);
    try {
      const { PGlite, drizzle } = pgliteDriver();
      const client = new PGlite(dir);
      await client.waitReady;
      const db = drizzle(client, { schema }) as unknown as StoreDb;
      const maintain = async () => {
        await client.exec(`VACUUM (ANALYZE) ${UPDATED_TABLES}`);
        touchVacuumMark(dir);
      };
      store = {
        db,
        backend: "pglite",
        location: dir,
        maintain,
        close: async () => {
          try {
            if (vacuumDue(dir)) await maintain().catch(() => {});
            await client.close();
          } finally {
            unlock();
          }
        },
      };
    } catch (err) {
      unlock();
      throw err;
    }
  }
  try {
    await migrate(store.db);
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}

/**
 * Open the store, run `work` on it and close it, whatever happens. A store that cannot be
 * opened is the RunError every command reports the same way ("cannot open the store: ...").
 */
export async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = await openStore();
  } catch (err) {
    throw new RunError(`cannot open the store: ${(err as Error).message}`);
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
