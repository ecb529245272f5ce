// NDJSON file sink: one alert per line, appended, fsynced before the alerts count as sent.
// The file is created with mode 600 (alerts name exposed hosts), its directory if missing.
import { constants } from "node:fs";
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

const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

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
      // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of hanging the run;
      // on a regular file it changes nothing.
      const fh = await open(path, APPEND_FLAGS, 0o600);
      try {
        const before = await fh.stat();
        try {
          // One write of whole lines: a reader never sees half an alert from us. A write can be
          // short (a disk with a little room left): write the rest until done or refused.
          const bytes = Buffer.from(alerts.map((a) => `${JSON.stringify(a)}\n`).join(""));
          for (let done = 0; done < bytes.length; )
            done += (await fh.write(bytes, done, bytes.length - done)).bytesWritten;
          // fsync makes an appended file durable; a FIFO or device has nothing to sync.
          if (before.isFile()) await fh.sync();
        } catch (err) {
          // A disk that filled up mid-write leaves a torn last line; cut the file back to the
          // alerts it held before, so the next delivery does not append after half a line.
          if (before.isFile()) await fh.truncate(before.size).catch(() => {});
          throw err;
        }
      } finally {
        await fh.close();
      }
      return alerts.map(() => ({ ok: true }));
    } catch (err) {
      return allFailed(alerts.length, `${path}: ${errorText(err)}`);
    }
  }
}
