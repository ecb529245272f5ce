// The PostgreSQL a campaign lives in: the store (Drizzle over a `pg` pool) and pg-boss's job
// queues in the same database. Campaigns need DATABASE_URL: the embedded PGlite store is one
// process's database and cannot be shared between machines.
//
// The pool here survives a database restart: an idle connection the server closed is an 'error'
// event on the pool (without a listener, Node ends the process), and a query on a dead
// connection fails; both are dropped and the next query opens a new connection.
import type { PgBoss } from "pg-boss";
import { UsageError } from "../core/errors.ts";
import { postgresDriver } from "../store/drizzle.ts";
import { migrate } from "../store/migrate.ts";
import type { StoreDb } from "../store/rows.ts";
import { schema } from "../store/schema.ts";

/** pg-boss's schema in the database. */
export const BOSS_SCHEMA = "pgboss";

export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url)
    throw new UsageError(
      "campaigns need a shared PostgreSQL: set DATABASE_URL (the embedded PGlite store cannot be shared between machines)",
    );
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new UsageError("DATABASE_URL must be a postgres:// URL for campaigns");
  return url;
}

export interface CampaignDb {
  db: StoreDb;
  boss: PgBoss;
  /** The last error pg-boss reported in the background (a lost connection), if any. */
  lastBackgroundError(): Error | null;
  close(): Promise<void>;
}

export interface BossTiming {
  /** Run pg-boss's supervisor here (workers do; commands that only read do not). */
  supervise: boolean;
  /** Seconds between supervisor passes: how soon a dead worker's expired lease is noticed. */
  superviseSeconds?: number;
}

export async function openCampaignDb(
  url: string,
  timing: BossTiming = { supervise: false },
): Promise<CampaignDb> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  pool.on("error", () => {});
  const db = postgresDriver()(pool, { schema }) as unknown as StoreDb;
  const { PgBoss } = await import("pg-boss");
  const seconds = timing.superviseSeconds ?? 10;
  const boss = new PgBoss({
    connectionString: url,
    schema: BOSS_SCHEMA,
    max: 3,
    supervise: timing.supervise,
    schedule: false,
    superviseIntervalSeconds: seconds,
    monitorIntervalSeconds: seconds,
    connectionTimeoutMillis: 5000,
  });
  let lastError: Error | null = null;
  boss.on("error", (err: Error) => {
    lastError = err;
  });
  try {
    await migrate(db);
    await boss.start();
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => {});
    await pool.end().catch(() => {});
    throw err;
  }
  return {
    db,
    boss,
    lastBackgroundError: () => lastError,
    close: async () => {
      await boss.stop({ graceful: false, timeout: 2000 }).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
