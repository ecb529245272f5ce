// `clawpatrol advisories check|list|show` for the products beside OpenClaw (n8n, Ollama,
// LiteLLM, ...): `check n8n@1.2.3` or `check 1.2.3 --product n8n`, `list --product ollama`,
// `show GO-2025-4251`. Which ecosystem and packages a product's advisories are written for is
// its fingerprinter meta; the records are data/product-advisories/ (src/advisories/product-store.ts).
import { COUNT_LABELS, countAdvisories, describeCounts, usableHereByAuth } from "../advisories/counts.ts";
import { ecosystemOrder } from "../advisories/ecosystem-order.ts";
import type { AdvisoryMatch } from "../advisories/match.ts";
import { matchProductAdvisories } from "../advisories/product-match.ts";
import {
  loadProductAdvisories,
  PRODUCT_ADVISORY_DIR,
  type ProductAdvisory,
  type ProductAdvisoryDb,
  type ProductInterval,
  packageKey,
} from "../advisories/product-store.ts";
import { dataPath } from "../core/data-dir.ts";
import { EXIT, UsageError } from "../core/errors.ts";
import type { Fingerprinter } from "../fingerprints/contract.ts";
import { isFamilyProduct, type Product } from "../fingerprints/products.ts";
import { FINGERPRINTERS, fingerprinterOf } from "../fingerprints/registry.ts";
import { capText, escapeOneLine } from "../util/text.ts";
import type { CommandOutput } from "./command-output.ts";

function one(text: string, max = 200): string {
  return escapeOneLine(capText(text, max).text);
}

/** Registered products outside the OpenClaw family, by record `product` value. */
function otherProduct(name: string): { product: Product; by: Fingerprinter } | null {
  const n = name.trim().toLowerCase();
  if (isFamilyProduct(n)) return null;
  for (const f of FINGERPRINTERS)
    for (const p of f.meta.products) if (p === n) return { product: p, by: fingerprinterOf(p) };
  return null;
}

/** Products beside the OpenClaw family that have advisory data (for help text). */
export function productsWithAdvisories(): string[] {
  return FINGERPRINTERS.filter((f) => f.meta.advisories !== null)
    .flatMap((f) => f.meta.products)
    .filter((p) => !isFamilyProduct(p));
}

/** Names `--product` and `name@` accept beyond the OpenClaw family (for messages). */
export function otherProductNames(): string[] {
  return FINGERPRINTERS.flatMap((f) => f.meta.products).filter((p) => !isFamilyProduct(p));
}

export interface ProductCheck {
  product: Product;
  ecosystem: string;
  packages: readonly string[];
  version: string;
}

/**
 * A `check` query naming another product (`n8n@1.2.3`, or `--product n8n`), or null for the
 * OpenClaw family. Only exact versions: these products' fingerprints give one or none.
 */
export function parseProductCheck(input: string, productFlag?: string): ProductCheck | null {
  let text = input.trim();
  let named: string | undefined = productFlag;
  const at = /^([a-z0-9][a-z0-9-]*)@/i.exec(text);
  if (at && !isFamilyProduct(at[1]!.toLowerCase())) {
    named = at[1];
    text = text.slice(at[0].length);
  }
  if (named === undefined) return null;
  const found = otherProduct(named);
  if (!found) return null;
  const where = found.by.meta.advisories;
  if (!where)
    throw new UsageError(
      `no advisory ecosystem covers ${found.product} (${found.by.meta.displayName}): clawpatrol has no advisories to match it against`,
    );
  const version = text.replace(/^v(?=\d)/, where.ecosystem === "Go" ? "v" : "");
  const order = ecosystemOrder(where.ecosystem);
  if (!version || /[,\s]|\.\./.test(version) || !order?.valid(version))
    throw new UsageError(
      `${found.product} takes one exact ${where.ecosystem} version (e.g. ${found.product}@1.2.3); got "${escapeOneLine(input.slice(0, 60))}"`,
    );
  return { product: found.product, ecosystem: where.ecosystem, packages: where.packages, version };
}

export function openProductDb(dataDir?: string): ProductAdvisoryDb {
  // --data-dir names the OpenClaw records' directory; the product records sit beside it.
  const db = loadProductAdvisories(
    dataDir ? `${dataDir.replace(/\/+$/, "")}/../${PRODUCT_ADVISORY_DIR}` : dataPath(PRODUCT_ADVISORY_DIR),
  );
  for (const p of db.problems)
    process.stderr.write(
      `clawpatrol: warning: skipped ${escapeOneLine(p.file)}: ${escapeOneLine(p.errors.slice(0, 3).join("; "))}\n`,
    );
  return db;
}

function matchLine(m: AdvisoryMatch): string {
  const cve = m.aliases.find((x) => x.startsWith("CVE-")) ?? "";
  return `  ${m.severity.toUpperCase().padEnd(8)} ${one(m.id, 40).padEnd(20)} ${one(cve, 20).padEnd(15)} ${(m.preAuth ? "pre-auth" : "").padEnd(9)} fixed ${one(m.fixed ?? m.fixedUpstream ?? "none", 20).padEnd(11)} ${one(m.summary, 100)}`;
}

export function productCheckAction(
  q: ProductCheck,
  opts: { dataDir?: string; preAuth?: boolean },
  sink: CommandOutput,
): number {
  const db = openProductDb(opts.dataDir);
  const result = matchProductAdvisories(db, q);
  const shown = opts.preAuth ? result.affected.filter((m) => m.preAuth) : result.affected;
  const counts = countAdvisories(result.affected, "unknown");
  const usable = usableHereByAuth(result.affected);
  if (sink.format === "json") {
    sink.write(
      `${JSON.stringify(
        {
          product: q.product,
          query: { product: q.product, ecosystem: q.ecosystem, packages: q.packages, version: q.version },
          advisoryCounts: { affecting: counts.affecting, possiblyAffecting: 0, preAuth: counts.preAuth },
          usableHereByAuth: usable,
          affected: shown,
          possiblyAffected: [],
          upgradeTo: result.upgradeTo,
          unfixed: result.unfixed,
          notes: result.notes,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const out = [
      `${q.product} ${q.version} advisories: ${describeCounts(counts, { usableHere: false })}; ${COUNT_LABELS.usableHere}: ${usable.required} with auth enforced, ${usable.notRequired} without auth`,
    ];
    if (result.upgradeTo) out.push(`upgrade to: ${q.packages[0]}@${result.upgradeTo}`);
    else if (result.affected.length > 0)
      out.push("upgrade to: no fixed version clears every listed advisory");
    if (result.unfixed.length) out.push(`no fix yet: ${result.unfixed.map((x) => one(x, 40)).join(", ")}`);
    for (const n of result.notes) out.push(`note: ${one(n, 300)}`);
    if (shown.length) out.push("", "AFFECTED", ...shown.map(matchLine));
    sink.write(`${out.join("\n")}\n`);
  }
  return sink.exitCode(shown);
}

function describe(iv: ProductInterval): string {
  const lo = iv.introduced === null ? "" : `>=${iv.introduced}`;
  const hi = iv.fixed !== null ? `<${iv.fixed}` : iv.lastAffected !== null ? `<=${iv.lastAffected}` : "";
  return `${iv.pkg} ${[lo, hi].filter(Boolean).join(" ") || "all versions"}`;
}

function entry(a: ProductAdvisory) {
  return {
    id: a.id,
    aliases: a.aliases,
    summary: a.summary,
    severity: a.severity,
    severityEstimated: a.severityEstimated,
    cvss: a.cvss,
    preAuth: a.preAuth,
    userInteraction: a.userInteraction,
    exposure: a.exposure,
    knownExploited: a.knownExploited,
    ranges: a.intervals.map((iv) => ({
      ecosystem: iv.ecosystem,
      package: iv.pkg,
      introduced: iv.introduced,
      fixed: iv.fixed,
      lastAffected: iv.lastAffected,
    })),
    published: a.published,
    modified: a.modified,
  };
}

/** `list --product <other product>`: that product's advisories. */
export function productListAction(
  name: string,
  opts: { dataDir?: string; preAuth?: boolean; minRank?: (s: ProductAdvisory["severity"]) => boolean },
  sink: CommandOutput,
): number | null {
  const found = otherProduct(name);
  if (!found) return null;
  const where = found.by.meta.advisories;
  const keys = new Set((where?.packages ?? []).map((p) => packageKey(where!.ecosystem, p)));
  const db = openProductDb(opts.dataDir);
  const rows = db.advisories.filter(
    (a) =>
      a.intervals.some((iv) => keys.has(packageKey(iv.ecosystem, iv.pkg))) &&
      (!opts.preAuth || a.preAuth) &&
      (!opts.minRank || opts.minRank(a.severity)),
  );
  if (sink.format === "json") {
    sink.write(
      `${JSON.stringify({ product: found.product, count: rows.length, advisories: rows.map(entry) }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const out = [
    where
      ? `${rows.length} ${found.product} advisories (${where.ecosystem} ${where.packages.join(", ")})`
      : `no advisory ecosystem covers ${found.product}: 0 advisories`,
  ];
  for (const a of rows) {
    const cve = a.aliases.find((x) => x.startsWith("CVE-")) ?? "";
    out.push(
      `${a.severity.toUpperCase().padEnd(8)} ${one(a.id, 40).padEnd(20)} ${one(cve, 20).padEnd(15)} ${a.preAuth ? "pre-auth" : "        "}  ${one(a.intervals.map(describe).join(", "), 60).padEnd(28)} ${one(a.summary, 100)}`,
    );
  }
  sink.write(`${out.join("\n")}\n`);
  return EXIT.ok;
}

/** `show <id>` for a product advisory (by id or alias), or null when it is not one. */
export function productShowAction(
  id: string,
  opts: { dataDir?: string },
  sink: CommandOutput,
): number | null {
  const want = id.trim().toUpperCase();
  const a = openProductDb(opts.dataDir).advisories.find((x) =>
    [x.id, ...x.aliases].some((k) => k.toUpperCase() === want),
  );
  if (!a) return null;
  if (sink.format === "json") {
    sink.write(`${JSON.stringify({ advisory: entry(a) }, null, 2)}\n`);
    return EXIT.ok;
  }
  sink.write(
    `${[
      `${one(a.id, 60)}${a.aliases.length ? `  (${a.aliases.map((x) => one(x, 40)).join(", ")})` : ""}`,
      one(a.summary, 300),
      "",
      `severity:        ${a.severity}${a.severityEstimated ? " (estimated)" : ""}${a.cvss ? `  ${one(a.cvss, 200)}` : ""}`,
      `pre-auth (net):  ${a.preAuth ? "yes" : "no"}`,
      `user action:     ${a.userInteraction ? "needed" : "not needed"}`,
      `affected:        ${a.intervals.map((iv) => `${iv.ecosystem} ${one(describe(iv), 100)}`).join("; ")}`,
      `published:       ${a.published ?? "unknown"}   modified: ${a.modified}`,
    ].join("\n")}\n`,
  );
  return EXIT.ok;
}
