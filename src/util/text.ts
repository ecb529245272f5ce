// Everything that came from a target is untrusted. These helpers make such text safe to
// print on a terminal and bounded in size before it is stored anywhere.

// C0 controls except TAB and LF, DEL, C1 controls, and the Unicode bidi overrides/isolates
// that can reorder what an analyst sees.
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Make untrusted text safe for a terminal: every control byte becomes a visible escape. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE_CHARS, (ch) => {
    const code = ch.codePointAt(0)!;
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Same as escapeForTerminal but also turns newlines and tabs into escapes: for one-line cells. */
export function escapeOneLine(text: string): string {
  return escapeForTerminal(text).replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
}

export interface Capped {
  text: string;
  truncated: boolean;
}

/** Cut text to at most `max` UTF-16 units, saying so with a visible marker. */
export function capText(text: string, max: number): Capped {
  if (text.length <= max) return { text, truncated: false };
  return { text: `${text.slice(0, max)}…[truncated ${text.length - max} chars]`, truncated: true };
}

/** Decode bytes as UTF-8 without throwing; invalid sequences become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

/**
 * Compares like String.prototype.localeCompare with no arguments (same collator, same
 * order), but with one collator made once: localeCompare builds its own on each call, which
 * made sorting a few hundred advisory ids cost ~10 ms.
 */
export function compareText(a: string, b: string): number {
  // Made on first use: building a collator loads ICU data (~15 ms), which most runs never need.
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}
let collator: Intl.Collator | null = null;
