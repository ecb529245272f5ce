// The standing opt-out list: networks whose operators asked not to be scanned. Kept in the store
// (table optouts), honoured by every campaign: a worker reads the list again for each shard, so an
// opt-out added while a campaign runs applies to every shard not yet scanned.
import { UsageError } from "../core/errors.ts";
import { sql } from "../store/drizzle.ts";
import { rowsOf, type StoreDb } from "../store/rows.ts";
import { parseCidr } from "../targets/blocklist.ts";
import { bits, formatIp, intervalSize } from "../targets/ip.ts";

export interface OptOut {
  cidr: string;
  reason: string;
  addedAt: string;
}

/** The canonical network of "ADDR[/LEN]" (host bits cleared), as PostgreSQL's cidr type wants it. */
export function canonicalCidr(text: string): string {
  const iv = parseCidr(text.trim());
  if (!iv) throw new UsageError(`not an address or CIDR: "${text.slice(0, 80)}"`);
  const hostBits = intervalSize(iv).toString(2).length - 1;
  return `${formatIp(iv.family, iv.start)}/${bits(iv.family) - hostBits}`;
}

export async function addOptOut(db: StoreDb, cidr: string, reason: string): Promise<OptOut> {
  const canonical = canonicalCidr(cidr);
  if (reason.trim() === "") throw new UsageError("optout add needs --reason TEXT (who asked, and when)");
  await db.execute(sql`
    INSERT INTO optouts (cidr, reason, added_at) VALUES (${canonical}::cidr, ${reason.trim()}, now())
    ON CONFLICT (cidr) DO UPDATE SET reason = excluded.reason`);
  return (await listOptOuts(db)).find((o) => o.cidr === canonical)!;
}

export async function removeOptOut(db: StoreDb, cidr: string): Promise<boolean> {
  const canonical = canonicalCidr(cidr);
  const rows = rowsOf(
    await db.execute(sql`DELETE FROM optouts WHERE cidr = ${canonical}::cidr RETURNING cidr`),
  );
  return rows.length > 0;
}

export async function listOptOuts(db: StoreDb): Promise<OptOut[]> {
  return rowsOf<Record<string, unknown>>(
    await db.execute(sql`SELECT cidr::text AS cidr, reason, added_at FROM optouts ORDER BY cidr`),
  ).map((r) => ({
    cidr: String(r.cidr),
    reason: String(r.reason),
    addedAt: new Date(String(r.added_at)).toISOString(),
  }));
}
