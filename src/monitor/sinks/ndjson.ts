// NDJSON file sink: one alert per line, appended, fsynced before the alerts count as sent.
// The file is created with mode 600 (alerts name exposed hosts), its directory if missing.
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { Alert } from "../alerts.ts";
import type { NdjsonSinkConfig } from "../config.ts";
import { type AlertSink, allFailed, type DeliveryResult, errorText } from "./types.ts";

/**
 * mkdir -p, one level at a time: Node's own recursive mkdir never returns for a path under /proc
 * (it retries ENOENT forever), and a sink must not hang a run.
 */
async function makeDirs(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir) throw err;
    await makeDirs(parent);
    try {
      await mkdir(dir, { mode: 0o700 });
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== "EEXIST") throw again;
    }
  }
}

export class NdjsonSink implements AlertSink {
  readonly type = "ndjson" as const;
  readonly name: string;
  readonly config: NdjsonSinkConfig;

  constructor(name: string, config: NdjsonSinkConfig) {
    this.name = name;
    this.config = config;
  }

  async deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]> {
    if (alerts.length === 0) return [];
    const path = this.config.path;
    try {
      await makeDirs(dirname(path));
      const fh = await open(path, "a", 0o600);
      try {
        // One write of whole lines: a reader never sees half an alert from us.
        await fh.write(alerts.map((a) => `${JSON.stringify(a)}\n`).join(""));
        await fh.sync();
      } finally {
        await fh.close();
      }
      return alerts.map(() => ({ ok: true }));
    } catch (err) {
      return allFailed(alerts.length, `${path}: ${errorText(err)}`);
    }
  }
}
