// The sink registry: one file per kind of sink, built from its config section.
import type { SinkConfig } from "../config.ts";
import { CommandSink } from "./command.ts";
import { NdjsonSink } from "./ndjson.ts";
import { SyslogSink } from "./syslog.ts";
import type { AlertSink } from "./types.ts";
import { WebhookSink } from "./webhook.ts";

export function createSink(name: string, config: SinkConfig): AlertSink {
  switch (config.type) {
    case "webhook":
      return new WebhookSink(name, config);
    case "syslog":
      return new SyslogSink(name, config);
    case "ndjson":
      return new NdjsonSink(name, config);
    case "command":
      return new CommandSink(name, config);
  }
}
