// `npm run check:data`: validates the shipped advisory records in data/advisories/.
// Every record must pass the strict schema (OSV + clawpatrol block), have ordered,
// non-overlapping, non-inverted ranges, live in <id>.json, not share an alias with another
// record, name a first npm release that really is in _releases.json, and not also be listed
// in UNVERIFIED.md. Exits 1 with one line per problem.
import { join } from "node:path";
import { checkShippedData } from "../src/advisories/check.ts";
import { checkProductData } from "../src/advisories/product-check.ts";
import { shippedDataDir } from "../src/core/data-dir.ts";

// The repository's own data/, even when `clawpatrol update` installed newer data here.
const dir = process.argv[2] ?? join(shippedDataDir(), "advisories");
const report = checkShippedData({ dir });
// The other products' records sit beside it (data/product-advisories/).
const products = checkProductData(join(dir, "..", "product-advisories"));
for (const line of [...report.problems, ...products.problems]) process.stderr.write(`${line}\n`);
process.stdout.write(
  `check:data: ${report.records} records, ${report.unverified} unverified ids listed, ${report.problems.length} problems; product advisories: ${products.records} records, ${products.problems.length} problems\n`,
);
process.exitCode = report.problems.length + products.problems.length === 0 ? 0 : 1;
