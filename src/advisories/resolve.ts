// Advisory facts by any id or alias, from the advisory database: how rows that kept only ids
// (stored before advisory lists were) are counted with src/advisories/counts.ts.
import type { AdvisoryFacts } from "./counts.ts";
import type { AdvisoryDb } from "./store.ts";

export function factsResolver(db: AdvisoryDb): (id: string) => AdvisoryFacts | null {
  const byKey = new Map<string, AdvisoryFacts>();
  for (const a of db.advisories) {
    const facts: AdvisoryFacts = { id: a.id, aliases: a.aliases, preAuth: a.preAuth, exposure: a.exposure };
    for (const id of [a.id, ...a.aliases]) byKey.set(id.trim().toUpperCase(), facts);
  }
  return (id) => byKey.get(id.trim().toUpperCase()) ?? null;
}

let shared: ((id: string) => AdvisoryFacts | null) | null = null;

/** The resolver over the default database (shipped plus imported records), loaded on first use. */
export async function defaultFactsResolver(): Promise<(id: string) => AdvisoryFacts | null> {
  if (!shared) {
    const { defaultAdvisoryDb } = await import("./match.ts");
    shared = factsResolver(defaultAdvisoryDb());
  }
  return shared;
}
