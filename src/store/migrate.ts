// Hand-written SQL migrations (src/store/migrations/NNNN_name.sql), applied in name order,
// all pending ones in one transaction, recorded in `clawpatrol_migrations`. An advisory lock makes
// concurrent openers (several workers on one PostgreSQL) apply each migration once.
import { readdirSync, readFileSync } from "node:fs";
import { sql } from "./drizzle.ts";
import { rowsOf, type StoreDb } from "./rows.ts";

const DIR = new URL("./migrations/", import.meta.url);
const LOCK_KEY = 7_426_911_305; // arbitrary, constant: "clawpatrol migrations"

export interface Migration {
  id: string;
  statements: string[];
}

export function loadMigrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      id: f.replace(/\.sql$/, ""),
      statements: readFileSync(new URL(f, DIR), "utf8")
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter((s) => s.replace(/--[^\n]*\n?/g, "").trim() !== ""),
    }));
}

export async function migrate(db: StoreDb): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.execute(
      sql`CREATE TABLE IF NOT EXISTS clawpatrol_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      rowsOf(await tx.execute(sql`SELECT id FROM clawpatrol_migrations`)).map((r) => String(r.id)),
    );
    for (const m of loadMigrations()) {
      if (done.has(m.id)) continue;
      for (const s of m.statements) await tx.execute(sql.raw(s));
      await tx.execute(sql`INSERT INTO clawpatrol_migrations (id) VALUES (${m.id})`);
      applied.push(m.id);
    }
  });
  return applied;
}
