// Helpers for the dashboard tests: a PostgreSQL schema of our own (other suites truncate the
// shared test database's tables), and a tiny cookie jar for app.request() round trips.
import pg from "pg";

/** A URL whose connections use a fresh, empty schema `name` (dropped first if left over). */
export async function freshSchemaUrl(base: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(base);
  u.searchParams.set("options", `-c search_path=${name}`);
  return u.toString();
}

export async function dropSchema(base: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The Set-Cookie headers of a response, by cookie name: value and the attribute text. */
export function setCookies(res: Response): Map<string, { value: string; attributes: string }> {
  const out = new Map<string, { value: string; attributes: string }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    out.set(pair.slice(0, eq).trim(), {
      value: pair.slice(eq + 1).trim(),
      attributes: attrs.join(";").trim(),
    });
  }
  return out;
}

/** The hidden `_csrf` value of the first form on a page. */
export function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error("no _csrf field on the page");
  return m[1]!;
}
