// The shipped-data checks for data/product-advisories/ (part of `npm run check:data`): every
// record loads under the loader's own validation, lives in <id>.json, and no advisory id or
// alias is claimed by two records (one advisory, one record).
import { basename } from "node:path";
import { dataPath } from "../core/data-dir.ts";
import { loadProductAdvisories, PRODUCT_ADVISORY_DIR } from "./product-store.ts";

export function checkProductData(dir: string = dataPath(PRODUCT_ADVISORY_DIR)): {
  records: number;
  problems: string[];
} {
  const db = loadProductAdvisories(dir);
  const problems = db.problems.flatMap((p) => p.errors.map((e) => `${basename(p.file)}: ${e}`));
  // Every id and alias belongs to one file: a second record of one advisory would be counted twice.
  const owner = new Map<string, string>();
  for (const a of db.advisories) {
    const name = basename(a.file);
    if (name !== `${a.id}.json`) problems.push(`${name}: file name must be ${a.id}.json`);
    for (const key of new Set([a.id, ...a.aliases].map((k) => k.toUpperCase()))) {
      const other = owner.get(key);
      if (other) problems.push(`${name}: ${key} is also in ${other}`);
      else owner.set(key, name);
    }
  }
  return { records: db.advisories.length, problems };
}
