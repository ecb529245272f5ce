// Benchmark: scan-export ingest in constant memory. Writes a masscan -oL file of N lines
// (default 10,000,000; addresses in 198.18.0.0/15, never contacted) and measures, each in a
// fresh process: reading it as `import` does (rate, peak RSS; the bar is under 200 MB),
// and a real import of its first M lines (default 100,000) into a PGlite store.
//   npm run bench:ingest
//   CLAWPATROL_BENCH_LINES=1000000 CLAWPATROL_BENCH_IMPORT=20000 npm run bench:ingest
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCAN_HEAP_FLAGS } from "../../src/scan/relaunch.ts";

const LINES = Number(process.env.CLAWPATROL_BENCH_LINES ?? "10000000");
const IMPORT = Number(process.env.CLAWPATROL_BENCH_IMPORT ?? "100000");
const dir = mkdtempSync(join(tmpdir(), "clawpatrol-bench-ingest-"));
const child = new URL("./child.ts", import.meta.url).pathname;

async function writeList(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  out.write("#masscan\n");
  const base = 198 * 2 ** 24 + 18 * 2 ** 16;
  let chunk = "";
  for (let i = 0; i < lines; i++) {
    const a = base + (i % 131_072);
    const port = 18789 + Math.floor(i / 131_072);
    chunk += `open tcp ${port} ${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255} ${1796669546 + (i % 3600)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.write(`${chunk}# end\n`);
  out.end();
  await once(out, "finish");
}

/** Run in a child with the heap flags `scan --from` and `import` relaunch themselves with for large files. */
function measure(args: string[]): { records: number; seconds: number; peakRssMb: number } {
  const text = execFileSync(process.execPath, [...SCAN_HEAP_FLAGS, child, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(text.trim().split("\n").pop()!);
}

try {
  const big = join(dir, "sweep.list");
  await writeList(big, LINES);
  const read = measure(["read", big]);
  process.stdout.write(
    `read ${LINES.toLocaleString("en")} masscan -oL lines: ${read.records.toLocaleString("en")} records in ${read.seconds.toFixed(1)} s (${Math.round(read.records / read.seconds).toLocaleString("en")}/s), peak RSS ${read.peakRssMb.toFixed(0)} MB\n`,
  );
  const small = join(dir, "import.list");
  await writeList(small, IMPORT);
  const imp = measure(["import", small, join(dir, "db")]);
  process.stdout.write(
    `import ${IMPORT.toLocaleString("en")} lines into PGlite: ${imp.records.toLocaleString("en")} records in ${imp.seconds.toFixed(1)} s (${Math.round(imp.records / imp.seconds).toLocaleString("en")}/s), peak RSS ${imp.peakRssMb.toFixed(0)} MB\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
