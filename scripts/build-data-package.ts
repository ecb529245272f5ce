// `npm run build:data-package`: the data in data/ (advisories, the UI version table, the
// skill IOC lists) as its own npm package, clawpatrol-data, that `clawpatrol update`
// installs without a new clawpatrol: a package directory with manifest.json (data version,
// date, schema, sha256 of every file) and, with --pack, the tarball `npm publish` takes.
//
//   node scripts/build-data-package.ts [--data DIR] [--out DIR] [--version V --date YYYY-MM-DD] [--pack]
//
// The version and date default to data/data-version.json. The data is checked as an update
// would check it before anything is written: a package this script builds installs.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  DATA_PACKAGE_NAME,
  manifestProblems,
  shippedDataDir,
  shippedDataInfo,
} from "../src/core/data-dir.ts";
import { buildManifest, dataFilesIn } from "../src/update/manifest.ts";
import { checkDataDir } from "../src/update/validate.ts";

const ROOT = resolve(import.meta.dirname, "..");

const { values } = parseArgs({
  options: {
    data: { type: "string", default: shippedDataDir() },
    out: { type: "string", default: join(ROOT, "build", "data-package") },
    version: { type: "string" },
    date: { type: "string" },
    pack: { type: "boolean", default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`build:data-package: ${message}\n`);
  process.exit(1);
}

const dataDir = resolve(values.data);
const shipped = values.version && values.date ? null : shippedDataInfo(dataDir);
const version = values.version ?? shipped!.version;
const date = values.date ?? shipped!.date;
const manifest = buildManifest(dataDir, { version, date });
const problems = manifestProblems(manifest);
if (problems.length > 0) fail(problems.join("; "));

const codePackage = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  license: string;
  repository?: unknown;
};
const outDir = resolve(values.out);
const pkgDir = join(outDir, DATA_PACKAGE_NAME);
rmSync(pkgDir, { recursive: true, force: true });
mkdirSync(pkgDir, { recursive: true });
for (const rel of dataFilesIn(dataDir)) cpSync(join(dataDir, rel), join(pkgDir, rel));
writeFileSync(join(pkgDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  join(pkgDir, "package.json"),
  `${JSON.stringify(
    {
      name: DATA_PACKAGE_NAME,
      version,
      description: `clawpatrol data of ${date}: OpenClaw/Clawdbot/Moltbot advisories (OSV), the Control UI release table and skill IOC lists. Installed by \`clawpatrol update\`.`,
      license: codePackage.license,
      ...(codePackage.repository ? { repository: codePackage.repository } : {}),
      files: [
        "manifest.json",
        "advisories",
        "product-advisories",
        "audit-checks",
        "fingerprints",
        "skills",
        "README.md",
      ],
    },
    null,
    2,
  )}\n`,
);
writeFileSync(
  join(pkgDir, "README.md"),
  [
    `# ${DATA_PACKAGE_NAME} ${version}`,
    "",
    `Data for clawpatrol, built on ${date}: advisories (OSV records), the OpenClaw Control UI`,
    "release table and the skill scanner's IOC lists. Install it with `clawpatrol update`",
    "(or `clawpatrol update --offline <this tarball>`), which checks every file against",
    "`manifest.json` (sha256) and the data's own schemas before switching to it.",
    "",
    "The version is `<data schema>.<YYYYMMDD>.<n>`: a clawpatrol reads only packages whose",
    "major version is the data schema it knows.",
    "",
  ].join("\n"),
);

// Check the package as `clawpatrol update` will.
const check = checkDataDir(pkgDir);
if (!check.ok) fail(`the data would be refused by clawpatrol update:\n  ${check.problems.join("\n  ")}`);

let tarball = "";
if (values.pack) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const packed = spawnSync(npm, ["pack", "--silent", "--pack-destination", outDir], {
    cwd: pkgDir,
    encoding: "utf8",
  });
  if (packed.status !== 0) fail(`npm pack failed: ${packed.stderr.trim()}`);
  tarball = join(outDir, packed.stdout.trim().split("\n").pop()!);
}
process.stdout.write(
  `build:data-package: ${DATA_PACKAGE_NAME}@${version} (${date}), ${Object.keys(manifest.files).length} files → ${pkgDir}${tarball ? `, ${tarball}` : ""}\n`,
);
