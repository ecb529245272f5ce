// Quoting one argument for the shell a rule is printed for, so that the shell hands the
// program exactly that argument: POSIX sh, PowerShell, and cmd.exe (batch file rules).
// Each follows that shell's documented parsing; test/firewall/quote.test.ts checks them with
// hostile text against real sh and reference tokenizers of the other two.

export type Shell = "sh" | "powershell" | "cmd";

/** What each shell's output says it is for (the first comment of a rule set). */
export const SHELL_LABEL: Record<Shell, string> = {
  sh: "for a POSIX shell (sh, bash, zsh)",
  powershell: "for PowerShell (Windows PowerShell 5.1 or PowerShell 7), as Administrator",
  cmd: "for cmd.exe (lines of a .cmd batch file), as Administrator",
};

/** sh: single quotes keep everything literal; an embedded ' closes, is escaped, and reopens. */
export function quoteSh(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

// PowerShell reads these four as single quotes too (about_Quoting_Rules); each is doubled
// inside a single-quoted string, like ' itself.
const PS_SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/**
 * PowerShell (argument mode): a single-quoted string is literal (no $, no backtick escapes,
 * line breaks kept), and a quote character inside is doubled. Bare words are left bare only
 * when they hold nothing PowerShell treats specially (no comma: a,b would be an array; no
 * leading digit: 1kb would be a number; no leading dash other than a parameter name).
 */
export function quotePowerShell(arg: string): string {
  if (/^[A-Za-z][A-Za-z0-9_./:=-]*$/.test(arg) || /^-[A-Za-z][A-Za-z0-9]*$/.test(arg)) return arg;
  return `'${arg.replace(PS_SINGLE_QUOTES, "$&$&")}'`;
}

// Characters cmd.exe acts on outside double quotes; each is escaped with ^. A double quote is
// escaped too, so cmd never enters its quoted state and every ^ is read the same way.
const CMD_SPECIAL = /[\^&|<>()"!]/g;

/**
 * cmd.exe, in a batch file: the argument is first quoted the way the program's C runtime
 * splits its command line (MSVCRT / CommandLineToArgvW: backslashes are literal except before
 * a double quote). Inside those quotes cmd.exe takes & | < > ( ) ^ literally, so that is all
 * unless the text holds " (which would end cmd.exe's quoted state), % or !: then every cmd.exe
 * metacharacter gets a ^, and % is doubled (a batch file expands %NAME% before anything else). cmd.exe cannot carry a line break inside an argument:
 * such text is refused.
 */
export function quoteCmd(arg: string): string {
  if (/[\r\n\0]/.test(arg)) throw new Error("cmd.exe cannot pass a line break or NUL inside an argument");
  if (/^[A-Za-z0-9_@+=:,./\\-]+$/.test(arg)) return arg;
  let quoted = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      backslashes++;
      continue;
    }
    // Backslashes before a quote are doubled, and the quote itself escaped.
    if (ch === '"') quoted += `${"\\".repeat(backslashes * 2)}\\"`;
    else quoted += `${"\\".repeat(backslashes)}${ch}`;
    backslashes = 0;
  }
  // Backslashes before the closing quote are doubled so it stays a closing quote.
  quoted += `${"\\".repeat(backslashes * 2)}"`;
  // Without " % or ! inside, cmd.exe's own quoted state already keeps & | < > ( ) ^ literal.
  if (!/["%!]/.test(arg)) return quoted;
  return quoted.replace(CMD_SPECIAL, "^$&").replace(/%/g, "%%");
}

export function quoteFor(shell: Shell): (arg: string) => string {
  return shell === "sh" ? quoteSh : shell === "powershell" ? quotePowerShell : quoteCmd;
}

/** A comment in that shell, one per line of `text` (a line break never ends a comment early). */
export function commentLines(shell: Shell, text: string): string[] {
  const mark = shell === "cmd" ? "REM" : "#";
  return text.split(/\r?\n/).map((line) => {
    // In a batch file even a REM line has its %NAME% expanded (and %~ is a syntax error).
    const body = shell === "cmd" ? line.replace(/%/g, "%%") : line;
    return body ? `${mark} ${body}` : mark;
  });
}
