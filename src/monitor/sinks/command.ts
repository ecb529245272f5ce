// Command sink: runs a program once per alert, directly (argv, never through a shell), with the
// alert's JSON on stdin and CLAWPATROL_ALERT_{ID,KIND,SEVERITY,KEY} in its environment. Exit 0
// means delivered. A program that outlives the timeout is stopped (SIGTERM to its process
// group, SIGKILL two seconds later) and the alert counts as failed.
import { spawn } from "node:child_process";
import type { Alert } from "../alerts.ts";
import type { CommandSinkConfig } from "../config.ts";
import { type AlertSink, type DeliveryResult, errorText, skipped } from "./types.ts";

const STDERR_KEPT = 2000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export class CommandSink implements AlertSink {
  readonly type = "command" as const;
  readonly name: string;
  readonly config: CommandSinkConfig;

  constructor(name: string, config: CommandSinkConfig) {
    this.name = name;
    this.config = config;
  }

  #run(alert: Alert): Promise<DeliveryResult & { fatal?: boolean }> {
    const [program, ...args] = this.config.argv as [string, ...string[]];
    const timeout = this.config.timeout;
    return new Promise((resolve) => {
      let stderr = "";
      let timedOut = false;
      let settled = false;
      let killer: NodeJS.Timeout | undefined;
      const settle = (r: DeliveryResult & { fatal?: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killer);
        resolve(r);
      };
      const child = spawn(program, args, {
        shell: false,
        detached: process.platform !== "win32",
        stdio: ["pipe", "ignore", "pipe"],
        env: {
          ...process.env,
          ...this.config.env,
          CLAWPATROL_ALERT_ID: alert.id,
          CLAWPATROL_ALERT_KIND: alert.kind,
          CLAWPATROL_ALERT_SEVERITY: alert.severity,
          CLAWPATROL_ALERT_KEY: alert.key,
        },
      });
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid, "SIGTERM");
        killer = setTimeout(() => killGroup(child.pid, "SIGKILL"), 2000);
      }, timeout);
      child.on("error", (err) =>
        settle({ ok: false, error: `cannot run ${program}: ${errorText(err)}`, fatal: true }),
      );
      child.stderr.on("data", (d: Buffer) => {
        if (stderr.length < STDERR_KEPT) stderr += d.toString("utf8").slice(0, STDERR_KEPT - stderr.length);
      });
      // A program that does not read its stdin closes the pipe: not our failure.
      child.stdin.on("error", () => {});
      child.stdin.end(`${JSON.stringify(alert)}\n`);
      const outcome = (code: number | null, signal: NodeJS.Signals | null) => {
        if (timedOut) settle({ ok: false, error: `${program} timed out after ${timeout} ms` });
        else if (code === 0) settle({ ok: true });
        else {
          const tail = stderr.trim().split("\n").pop()?.slice(0, 200) ?? "";
          settle({
            ok: false,
            error: `${program} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${tail ? `: ${tail}` : ""}`,
          });
        }
      };
      // "close" waits for stderr to end; a background grandchild can hold it open, so the exit
      // itself decides, with a moment's grace for the last stderr bytes.
      child.on("close", outcome);
      child.on("exit", (code, signal) => setTimeout(() => outcome(code, signal), 200).unref());
    });
  }

  async deliver(alerts: readonly Alert[]): Promise<DeliveryResult[]> {
    const out: DeliveryResult[] = [];
    for (const a of alerts) {
      const r = await this.#run(a);
      out.push(r.ok ? { ok: true } : { ok: false, error: r.error });
      if (!r.ok && r.fatal) {
        out.push(...skipped(alerts.length - out.length, r.error));
        break;
      }
    }
    return out;
  }
}
