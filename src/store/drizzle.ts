// Drizzle, loaded through its CommonJS build. Node's ES module loader looks up the package
// scope of every module file it loads and, doing so, parses the package's whole `exports` map
// again; drizzle-orm's is 178 KB and the store loads about 150 of its modules, so `import`
// spent 0.4-1 s of every store-using command on JSON.parse (measured on Node 24.21:
// import("drizzle-orm") + pglite + pg-core 1.1-1.5 s, the same through require() 0.05-0.24 s).
// The types are the package's own; only the loading differs. drizzle recognises its objects
// by a registered symbol, so an `sql` fragment made by the ES module build (a test, another
// module) still works with a database made here.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const core = require("drizzle-orm") as typeof import("drizzle-orm");
export const { and, asc, desc, eq, gte, inArray, isNull, lt, lte, sql } = core;
export type { SQL } from "drizzle-orm";

const pg = require("drizzle-orm/pg-core") as typeof import("drizzle-orm/pg-core");
export const {
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} = pg;

/** The PGlite driver (and PGlite itself, from the same module system, so drizzle sees one class). */
export function pgliteDriver(): {
  PGlite: typeof import("@electric-sql/pglite").PGlite;
  drizzle: typeof import("drizzle-orm/pglite").drizzle;
} {
  const { PGlite } = require("@electric-sql/pglite") as typeof import("@electric-sql/pglite");
  const { drizzle } = require("drizzle-orm/pglite") as typeof import("drizzle-orm/pglite");
  return { PGlite, drizzle };
}

/** The node-postgres driver. */
export function postgresDriver(): typeof import("drizzle-orm/node-postgres").drizzle {
  return (require("drizzle-orm/node-postgres") as typeof import("drizzle-orm/node-postgres")).drizzle;
}
