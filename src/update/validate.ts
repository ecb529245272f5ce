// Is an unpacked data package fit to be used? Every file must be the one its manifest names
// (sha256 and size), nothing may be there that the manifest does not list, and every file
// must pass the same checks the shipped data passes: the advisory records the strict OSV
// schema and range checks of `npm run check:data`, the UI version table its loader's checks,
// the skill lists their schemas.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ZodType } from "zod";
import { checkShippedData } from "../advisories/check.ts";
import { ReleaseCatalogueFile } from "../audit/check-catalogue.ts";
import { type DataManifest, manifestProblems } from "../core/data-dir.ts";
import { checkVersionTable } from "../fingerprints/openclaw/version-table.ts";
import { IndicatorFile, IocFile, PopularNamesFile } from "../skills/indicators.ts";
import { filesUnder, PACKAGE_EXTRAS, sha256Hex } from "./manifest.ts";

/** Files every data set must have: the loaders read them by name. */
export const REQUIRED_FILES = [
  "advisories/_releases.json",
  "fingerprints/openclaw-ui-versions.json",
  "skills/indicators.json",
  "skills/iocs.json",
  "skills/popular-names.json",
] as const;

const SKILL_SCHEMAS: Record<string, ZodType> = {
  "skills/indicators.json": IndicatorFile,
  "skills/iocs.json": IocFile,
  "skills/popular-names.json": PopularNamesFile,
};

export type DataCheck = { ok: true; manifest: DataManifest } | { ok: false; problems: string[] };

/** Check the data package unpacked at `dir`. */
export function checkDataDir(dir: string): DataCheck {
  let manifest: DataManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as DataManifest;
  } catch (err) {
    return { ok: false, problems: [`manifest.json: ${(err as Error).message}`] };
  }
  const problems = manifestProblems(manifest).map((p) => `manifest.json: ${p}`);
  if (problems.length > 0) return { ok: false, problems };

  const present = filesUnder(dir).filter((p) => !PACKAGE_EXTRAS.has(p));
  const listed = new Set(Object.keys(manifest.files));
  for (const file of present) if (!listed.has(file)) problems.push(`${file}: not listed in the manifest`);
  const presentSet = new Set(present);
  for (const [file, want] of Object.entries(manifest.files)) {
    if (!presentSet.has(file)) {
      problems.push(`${file}: listed in the manifest but missing`);
      continue;
    }
    const bytes = readFileSync(join(dir, file));
    if (bytes.length !== want.size || sha256Hex(bytes) !== want.sha256)
      problems.push(`${file}: sha256 does not match the manifest`);
  }
  for (const file of REQUIRED_FILES) if (!listed.has(file)) problems.push(`${file}: missing`);
  if (![...listed].some((f) => /^advisories\/(?!_)[^/]+\.json$/.test(f)))
    problems.push("advisories/: no advisory records");
  // Content checks only make sense on files that are the ones the manifest names.
  if (problems.length > 0) return { ok: false, problems };

  for (const line of checkShippedData({ dir: join(dir, "advisories") }).problems)
    problems.push(`advisories/${line}`);
  const table = "fingerprints/openclaw-ui-versions.json";
  try {
    checkVersionTable(JSON.parse(readFileSync(join(dir, table), "utf8")));
  } catch (err) {
    problems.push(`${table}: ${(err as Error).message}`);
  }
  for (const file of listed) {
    if (!file.startsWith("audit-checks/")) continue;
    try {
      const parsed = ReleaseCatalogueFile.safeParse(JSON.parse(readFileSync(join(dir, file), "utf8")));
      if (!parsed.success) problems.push(`${file}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  for (const [file, schema] of Object.entries(SKILL_SCHEMAS)) {
    try {
      const parsed = schema.safeParse(JSON.parse(readFileSync(join(dir, file), "utf8")));
      if (!parsed.success) problems.push(`${file}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, manifest };
}
