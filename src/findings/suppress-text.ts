// How suppressed findings read in a text report (--show-suppressed): one line per finding with
// the reason, owner and expiry of the entry that holds it back. Audit and scan print this.
import { escapeOneLine } from "../util/text.ts";
import type { Finding } from "./model.ts";
import type { SuppressedBy } from "./suppress-gate.ts";

export function suppressedLines(list: readonly { finding: Finding; by: SuppressedBy }[]): string {
  if (list.length === 0) return "";
  const lines = [`Suppressed (${list.length})`];
  for (const { finding: f, by } of list) {
    const owner = by.owner ? `, owner ${escapeOneLine(by.owner)}` : "";
    lines.push(
      `  ${f.ruleId} ${escapeOneLine(f.asset)} ${escapeOneLine(f.title)}`,
      `      suppressed: ${escapeOneLine(by.reason)} (until ${by.expires}${owner}; ${escapeOneLine(by.file)})`,
    );
  }
  return `${lines.join("\n")}\n`;
}
