// The fixer edits a config only when every file of it was read whole and understood. A file
// that is too large, unreadable, not UTF-8, not JSON5 or not an object would be rewritten
// from what little was read (once that was `{}`, and a 10 MB config became a 95-byte stub),
// so it is refused with one line naming the file: exit 2 when the content is the user's to
// fix (syntax, kind, encoding), exit 3 when clawpatrol cannot handle it (size, access).
import type { ConfigProblem, LoadedConfig } from "../audit/config.ts";
import { RunError, UsageError } from "../core/errors.ts";

function where(p: ConfigProblem): string {
  return p.line !== undefined ? `${p.path}:${p.line}:${p.column ?? 1}` : p.path;
}

/** The error that stops a fix of this config, or null when it may be edited. */
export function configRefusal(cfg: LoadedConfig): UsageError | RunError | null {
  const p = cfg.problems[0];
  if (!p) return null;
  const more = cfg.problems.length > 1 ? ` (and ${cfg.problems.length - 1} more problem(s))` : "";
  const tail = `; nothing was changed${more}`;
  switch (p.kind) {
    case "syntax":
    case "not-an-object":
    case "not-a-file":
    case "invalid-utf8":
      return new UsageError(`${where(p)}: ${p.message}: fix the file first${tail}`);
    case "too-large":
    case "too-deep":
      return new RunError(
        `${where(p)}: ${p.message}: refusing to edit a config that cannot be read whole${tail}`,
      );
    case "no-positions":
      return new RunError(`${where(p)}: ${p.message}: edit it by hand${tail}`);
    case "unreadable":
      return new RunError(`${where(p)}: ${p.message}${tail}`);
  }
}
