// The work behind `clawpatrol scan`: read targets, guard the scope, run the pipeline, write records.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkDestination } from "../core/destination.ts";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { chooseFormat } from "../core/formats.ts";
import { VERSION } from "../core/version.ts";
import type { Finding } from "../findings/model.ts";
import { FindingGate, type Triage } from "../findings/suppress-gate.ts";
import { suppressedLines } from "../findings/suppress-text.ts";
import { transcriptToJson } from "../fingerprints/transcript.ts";
import { MAX_CONTACT_LENGTH, userAgentWith } from "../net/http.ts";
import { limitsForTimeout } from "../net/limits.ts";
import type { ScanOptions, ScanProgress } from "../scan/engine.ts";
import { recordLine } from "../scan/record-json.ts";
import { canRelaunchWithHeapFlags, RELAUNCH_FROM, relaunchWithHeapFlags } from "../scan/relaunch.ts";
import { progressLine, ScanTable, summaryLine } from "../scan/render.ts";
import { scanPlan } from "../scan/scan-plan.ts";
import {
  applyBlocklists,
  namedIntervals,
  readBlocklistFile,
  skippedRangesLine,
} from "../targets/blocklist.ts";
import { parsePorts } from "../targets/ports.ts";
import { hasScannableTarget, reportProblems } from "../targets/problems.ts";
import { resolveNames } from "../targets/resolve.ts";
import { planTargets, splitTargetText } from "../targets/spec.ts";
import { plannedEndpointCount } from "../targets/stream.ts";
import { openCommandOutput } from "./command-output.ts";
import { SCAN_OUTPUT, type ScanFlags } from "./scan-flags.ts";
import { checkFromCount, exportsAreLarge, fromFormat, scanFromExports } from "./scan-from.ts";

export const MAX_ADDRESSES_WITHOUT_FLAG = 65_536n;

/** Everything read from stdin, to hand on if the scan relaunches itself (src/scan/relaunch.ts). */
let stdinText: string | null = null;

function readTextFile(path: string, what: string): string {
  try {
    if (path === "-") {
      const text = readFileSync(0, "utf8");
      stdinText = (stdinText ?? "") + text;
      return text;
    }
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export async function scanCommand(targetArgs: string[], flags: ScanFlags): Promise<number> {
  // --format, or its older spellings --json / --sarif; json and ndjson are both the NDJSON records.
  const format = chooseFormat(flags, SCAN_OUTPUT.same, "text");
  // A bad -o is exit 2 now, not after the sweep (the file itself is opened once the scan runs here,
  // not in a relaunched child).
  checkDestination(flags.output);
  const userAgent = flags.contact === undefined ? undefined : userAgentWith(flags.contact);
  if (userAgent === null)
    throw new UsageError(
      `--contact: give printable ASCII without parentheses or backslashes, at most ${MAX_CONTACT_LENGTH} characters (an email or URL)`,
    );
  // A bad ignore file or baseline is exit 2 now too, before the store opens a run for the scan.
  FindingGate.open(flags);
  stdinText = null;
  const targets: string[] = [];
  for (const t of targetArgs) {
    if (t === "-") targets.push(...splitTargetText(readTextFile("-", "stdin")));
    else targets.push(t);
  }
  for (const f of flags.inputList ?? []) targets.push(...splitTargetText(readTextFile(f, "target list")));
  if (
    targets.length === 0 &&
    targetArgs.length === 0 &&
    !process.stdin.isTTY &&
    (flags.inputList ?? []).length === 0 &&
    flags.from === undefined
  ) {
    targets.push(...splitTargetText(readTextFile("-", "stdin")));
  }
  // --from: the files' endpoints are the targets, and nothing else is swept.
  const inputFormat = fromFormat(flags.inputFormat);
  if (flags.from && targets.length > 0)
    throw new UsageError("--from probes exactly the endpoints its files list: give no other targets with it");
  if (flags.from && flags.mdns)
    throw new UsageError("--from probes exactly the endpoints its files list: it does not take --mdns");
  if (flags.interface !== undefined && !flags.mdns) throw new UsageError("--interface needs --mdns");
  if (targets.length === 0 && !flags.from && !flags.mdns)
    throw new UsageError("no targets: give addresses, CIDRs, ranges, hostnames or URLs (or -iL FILE)");
  const excludes = (flags.exclude ?? []).flatMap((e) =>
    e
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const f of flags.excludeFile ?? []) excludes.push(...splitTargetText(readTextFile(f, "exclude file")));

  const ports = parsePorts(flags.ports);
  const { plan: typedPlan, rejected } = planTargets(targets, excludes);
  // The IANA special-purpose ranges are left out of a CIDR or range that spans them, unless a
  // target lies inside one (every loopback or LAN scan names its range); --blocklist FILE too.
  let { plan: readPlan, skipped: reserved } = applyBlocklists(
    typedPlan,
    namedIntervals(targets),
    (flags.blocklist ?? []).flatMap((f) => readBlocklistFile(f)),
  );
  if (readPlan.addressCount > MAX_ADDRESSES_WITHOUT_FLAG && !flags.allowLarge) {
    throw new UsageError(
      `${readPlan.addressCount} addresses named; more than ${MAX_ADDRESSES_WITHOUT_FLAG} needs --allow-large (check the targets and excludes first)`,
    );
  }
  if (flags.from && !flags.allowLarge)
    await checkFromCount(flags.from, inputFormat, MAX_ADDRESSES_WITHOUT_FLAG);
  const planned = plannedEndpointCount(readPlan, ports);
  if ((planned >= RELAUNCH_FROM || (flags.from && exportsAreLarge(flags.from))) && canRelaunchWithHeapFlags())
    return relaunchWithHeapFlags(stdinText);
  const reservedLine = skippedRangesLine(reserved);
  if (reservedLine && !hasScannableTarget(readPlan))
    throw new UsageError(`nothing left to scan: ${reservedLine}`);
  if (reservedLine) process.stderr.write(`clawpatrol: ${reservedLine}\n`);
  // --mdns: the beacons heard join as address:port endpoints, inside the scope (scan-mdns.ts).
  if (flags.mdns) {
    const { mdnsTargets } = await import("./scan-mdns.ts");
    const found = await mdnsTargets(flags, readPlan, ports, targets.length > 0, (line) =>
      process.stderr.write(`clawpatrol: ${line}\n`),
    );
    readPlan = { ...readPlan, endpoints: [...readPlan.endpoints, ...found] };
    targets.push(...found.map((e) => (e.family === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`)));
  }
  // Names are resolved now, so every target that cannot be scanned is said (one line each) before
  // the scan starts, and a scan with nothing left to connect to stops here with exit 2.
  const { plan, failures } = await resolveNames(readPlan);
  const skipped = reportProblems(plan, { rejected, unresolved: failures }, (line) =>
    process.stderr.write(`clawpatrol: ${line}\n`),
  );
  if (flags.record) {
    try {
      mkdirSync(flags.record, { recursive: true });
    } catch (err) {
      throw new RunError(`cannot create ${flags.record}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }

  // The store is imported only when asked for, so a plain scan never loads the database.
  let storeRun: import("../store/scan-sink.ts").ScanRunSink | null = null;
  if (flags.store) {
    const { openScanRun, scopeOf } = await import("../store/scan-sink.ts");
    try {
      storeRun = await openScanRun({
        targets: flags.from ? flags.from.map((f) => `from:${f}`) : targets,
        scope: scopeOf(plan.intervals, ports),
        options: { ports: flags.ports, excludes, all: flags.all === true, timeout: flags.timeout },
      });
    } catch (err) {
      throw new RunError(`cannot open the store: ${(err as Error).message}`);
    }
  }

  const output = openCommandOutput(flags, SCAN_OUTPUT);
  await output.gate.ready();
  const out = output.sink;
  // Suppressed findings leave the exports and the gate (the NDJSON records stay what was observed).
  const suppressed: Triage<Finding>["suppressed"] = [];
  const showProgress = flags.progress && process.stderr.isTTY === true;
  const started = performance.now();
  let lastProgress: ScanProgress = { swept: 0, open: 0, probed: 0, gateways: 0, inFlight: 0 };
  const onProgress = (p: ScanProgress) => {
    lastProgress = p;
    if (showProgress)
      process.stderr.write(`\r\x1b[2K${progressLine(p, planned, (performance.now() - started) / 1000)}`);
  };
  const text = format === "text";
  // The text table is printed sorted (worst first) when the scan is over, so rows are kept.
  const table = text ? new ScanTable() : null;
  // Findings as OCSF / CEF lines go out as each endpoint is done; only SARIF and STIX (one
  // document) keep them. Otherwise the worst severity is all --fail-on needs, so memory does
  // not grow with the number of gateways found.
  const findingOut =
    format === "sarif" || format === "ocsf" || format === "cef" || format === "stix"
      ? await import("../findings/export.ts").then((m) => ({
          writer: m.findingWriter(format, (t) => out.write(t), { name: "clawpatrol", version: VERSION }),
          items: m.runItems,
        }))
      : null;
  let failed = false;
  let noAuth = 0;
  let remoteLocal = 0;
  let recorded = 0;
  // Ctrl-C stops taking new endpoints; what is in flight finishes and everything found is written.
  const abort = new AbortController();
  let firstSignalAt = 0;
  const onSigint = () => {
    const now = Date.now();
    if (abort.signal.aborted) {
      // The same Ctrl-C can arrive twice (from the terminal and relayed by bin/clawpatrol.mjs).
      if (now - firstSignalAt > 500) process.exit(130);
      return;
    }
    firstSignalAt = now;
    abort.abort();
    process.stderr.write(
      "\nclawpatrol: interrupted; finishing endpoints in flight (Ctrl-C again to quit now)\n",
    );
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 48);
  const scanOptions: ScanOptions = {
    rate: flags.rate ?? "adaptive",
    concurrency: flags.concurrency,
    probeConcurrency: flags.probeConcurrency,
    perHost: flags.perHost,
    limits: limitsForTimeout(flags.timeout),
    includeClosed: flags.all === true,
    advise: { load: async () => (await import("../scan/advise.ts")).scanAdvisor() },
    signal: abort.signal,
    ...(userAgent ? { userAgent } : {}),
    ...(flags.record
      ? {
          onTranscript: (t) => {
            const name = `${t.endpoint.host.replace(/[^\w.-]/g, "_")}_${t.endpoint.port}_${recorded++}.json`;
            writeFileSync(join(flags.record!, name), transcriptToJson(t));
          },
        }
      : {}),
  };
  const results = flags.from
    ? scanFromExports(flags.from, inputFormat, plan, scanOptions, onProgress, (line) =>
        process.stderr.write(`clawpatrol: ${line}\n`),
      )
    : scanPlan(plan, ports, seed, scanOptions, onProgress);
  // Every refused connect makes Node build an Error with a captured stack trace; in a sweep
  // of millions of addresses that is a tenth of the CPU. Stacks are off while the scan runs
  // (an internal error during it is still reported, just without frames).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for await (const o of results) {
      if (storeRun) await storeRun.add(o);
      const triage = output.gate.triage(o.findings);
      if (output.gate.showSuppressed) suppressed.push(...triage.suppressed);
      if (findingOut && triage.shown.length > 0)
        findingOut.writer.add(findingOut.items(triage.shown, o.scannedAt));
      if (!failed && output.exitCode(triage.gating) === EXIT.findings) failed = true;
      if (o.auth === "not-required") noAuth++;
      if (o.remoteLooksLocal) remoteLocal++;
      if (format === "json") for (const part of recordLine(o)) out.write(part);
      else if (table && (o.reachable || flags.all)) table.add(o);
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    if (showProgress) process.stderr.write("\r\x1b[2K");
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
  if (storeRun) {
    // An interrupted scan stays `incomplete` in the store: what it found is kept, but it
    // never looks like a full picture of its targets.
    try {
      const stored = abort.signal.aborted ? await storeRun.close() : await storeRun.finish();
      // One line on what went into the store (stdout may be the records).
      const { summaryLine: storedLine } = await import("../store/runs.ts");
      process.stderr.write(
        `clawpatrol: ${storedLine(stored, storeRun.where)}${abort.signal.aborted ? " (incomplete: interrupted)" : ""}\n`,
      );
    } catch (err) {
      if (err instanceof RunError) throw err;
      throw new RunError(`cannot write to the store: ${(err as Error).message}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  findingOut?.writer.finish();
  const summary = `${abort.signal.aborted ? "interrupted: " : ""}${summaryLine(lastProgress, { noAuth, remoteLocal }, seconds, skipped)}`;
  if (table) out.write(`${table.render()}\n${summary}\n`);
  else if (flags.progress) process.stderr.write(`${summary}\n`);
  if (table && suppressed.length > 0) out.write(suppressedLines(suppressed));
  out.close();
  for (const line of output.gate.finish()) process.stderr.write(`clawpatrol: ${line}\n`);
  if (abort.signal.aborted) return 130;
  return failed ? EXIT.findings : EXIT.ok;
}
