// The database handle type and the one helper every store module needs for raw SQL results.
// Kept apart from db.ts (which opens the store and runs migrations) so that migrate.ts and
// the query modules do not import the module that imports them.
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { schema } from "./schema.ts";

export type StoreDb = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Rows of a raw `execute()` result: both drivers answer with `{ rows }`. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
