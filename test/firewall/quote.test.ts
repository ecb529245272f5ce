// Firewall commands are printed for one shell each, quoted so that shell hands the program
// exactly the intended arguments. sh is checked by running the real /bin/sh. PowerShell and
// cmd.exe are not installable here, so each is checked against a small reference tokenizer
// written from its documented parsing rules (below), strict enough to fail on anything it
// does not model rather than guess.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { firewallAction } from "../../src/cli/firewall.ts";
import { UsageError } from "../../src/core/errors.ts";
import { commentLines, quoteCmd, quotePowerShell, quoteSh } from "../../src/firewall/quote.ts";
import { BACKENDS, buildRules, parseCidr, type RuleSet, renderRules } from "../../src/firewall/rules.ts";

/** Rule names and values no real rule has, but any of which a quoting bug would break on. */
const HOSTILE = [
  "O'Brien's gateway",
  "it\u2019s \u2018smart\u2019 \u201cquoted\u201d \u201a\u201b",
  '100% "done"',
  "%PATH% and %%x and %~dp0 and %1",
  "!USERNAME! bang!",
  "a^b&c|d<e>f(g)^",
  "back\\slash\\",
  'quote\\"inside\\\\"',
  "\\\\server\\share\\",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${...} is the point
  "$env:USERPROFILE `whoami` $(calc) ${x}",
  "@splat; Remove-Item -Recurse C:\\ #comment",
  "-DisplayName",
  "\u2013DisplayName",
  "a,b,c",
  "\u00fcn\u00efc\u00f8d\u00e9 \u2713 \ud83d\udd25 \u4e2d\u6587",
  "tab\there",
  "",
  " leading and trailing ",
  "0x10",
  "1kb",
  "--%",
  "{braces}",
];

// --- sh: the real thing ------------------------------------------------------------------

/** What /bin/sh passes to a program for `line` (printf prints each argument NUL-terminated). */
function shArgs(words: string): string[] {
  const r = spawnSync("/bin/sh", ["-c", `printf '%s\\0' ${words}`], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\0").slice(0, -1);
}

// --- PowerShell: reference tokenizer (argument mode) -------------------------------------
// From about_Parsing and about_Quoting_Rules: whitespace separates arguments; a single-quoted
// string is literal, ends at any single-quote character (' U+2018 U+2019 U+201A U+201B), and
// a doubled one stands for itself; a comma joins values into an array; a token starting with
// - (or an en dash, em dash, horizontal bar) is a parameter name; # at a token start begins
// a comment. Anything else special (" ` $ @ ( ) { } ; | & < >, a bare word starting with a
// digit, which may be read as a number) is refused: the quoting must never rely on it.

const PS_SQ = "'\u2018\u2019\u201a\u201b";
const PS_DASH = "-\u2013\u2014\u2015";
type PsToken = { param: string } | { value: string[] };

function psTokenize(line: string): PsToken[] {
  const out: PsToken[] = [];
  let i = 0;
  const isSpace = (c: string | undefined) => c === " " || c === "\t";
  while (i < line.length) {
    if (isSpace(line[i])) {
      i++;
      continue;
    }
    if (line[i] === "#") break;
    if (PS_DASH.includes(line[i]!) && /[A-Za-z]/.test(line[i + 1] ?? "")) {
      let j = i + 1;
      while (j < line.length && /[A-Za-z0-9]/.test(line[j]!)) j++;
      if (j < line.length && !isSpace(line[j])) throw new Error(`parameter glued to text at ${j}: ${line}`);
      out.push({ param: line.slice(i + 1, j) });
      i = j;
      continue;
    }
    const items: string[] = [];
    for (;;) {
      const c = line[i];
      if (c !== undefined && PS_SQ.includes(c)) {
        let s = "";
        i++;
        for (;;) {
          if (i >= line.length) throw new Error(`unterminated string: ${line}`);
          const d = line[i]!;
          if (PS_SQ.includes(d)) {
            if (line[i + 1] !== undefined && PS_SQ.includes(line[i + 1]!)) {
              s += d;
              i += 2;
              continue;
            }
            i++;
            break;
          }
          s += d;
          i++;
        }
        items.push(s);
      } else {
        let j = i;
        while (j < line.length && !isSpace(line[j]) && line[j] !== ",") j++;
        const word = line.slice(i, j);
        if (word === "") throw new Error(`empty element at ${i}: ${line}`);
        if (/[`$@(){};|&<>"\u201c\u201d\u201e]/.test(word) || [...PS_SQ].some((q) => word.includes(q)))
          throw new Error(`special character in a bare word "${word}"`);
        if (/^[0-9.]/.test(word)) throw new Error(`bare word "${word}" may be read as a number`);
        if (word.startsWith("--%")) throw new Error("stop-parsing token");
        items.push(word);
        i = j;
      }
      if (line[i] === ",") {
        i++;
        continue;
      }
      if (i < line.length && !isSpace(line[i])) throw new Error(`text glued to a value at ${i}: ${line}`);
      break;
    }
    out.push({ value: items });
  }
  return out;
}

/** Arguments PowerShell passes to a native program: one value each, never an array. */
function psNativeArgs(line: string): string[] {
  return psTokenize(line).map((t) => {
    if ("param" in t) return `-${t.param}`;
    if (t.value.length !== 1) throw new Error(`an array would split into several arguments: ${line}`);
    return t.value[0]!;
  });
}

// --- cmd.exe: reference tokenizer (batch file) ---------------------------------------------
// Phase 1 (percent): in a batch file %% is one %, any other % starts an expansion (refused).
// Phase 2: a " toggles the quoted state; outside it ^ makes the next character literal and is
// removed, while & | < > ( ) are command syntax (refused); inside it everything is literal; a
// line break ends the command (refused). The program then splits the resulting command line
// as the Microsoft C runtime does (CommandLineToArgvW): whitespace outside quotes separates;
// 2n backslashes before a " give n and the " toggles quoting; 2n+1 give n and a literal ";
// other backslashes are literal. Delayed expansion is off (the default; the output turns it
// off itself when ! occurs).

function cmdCommandLine(line: string): string {
  if (/[\r\n]/.test(line)) throw new Error("line break");
  let p1 = "";
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== "%") {
      p1 += line[i];
      continue;
    }
    if (line[i + 1] !== "%") throw new Error(`percent expansion at ${i}: ${line}`);
    p1 += "%";
    i++;
  }
  let p2 = "";
  let quoted = false;
  for (let i = 0; i < p1.length; i++) {
    const c = p1[i]!;
    if (c === '"') {
      quoted = !quoted;
      p2 += c;
    } else if (quoted) p2 += c;
    else if (c === "^") {
      if (i + 1 >= p1.length) throw new Error("caret at end of line continues it");
      p2 += p1[++i];
    } else if ("&|<>()".includes(c)) throw new Error(`unescaped ${c} at ${i}: ${line}`);
    else p2 += c;
  }
  return p2;
}

function msvcrtSplit(commandLine: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < commandLine.length) {
    while (commandLine[i] === " " || commandLine[i] === "\t") i++;
    if (i >= commandLine.length) break;
    let arg = "";
    let quoted = false;
    for (; i < commandLine.length; i++) {
      const c = commandLine[i]!;
      if (!quoted && (c === " " || c === "\t")) break;
      if (c === "\\") {
        let n = 0;
        while (commandLine[i] === "\\") {
          n++;
          i++;
        }
        if (commandLine[i] === '"') {
          arg += "\\".repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += "\\".repeat(n);
          i--;
        }
        continue;
      }
      if (c === '"') {
        if (quoted && commandLine[i + 1] === '"') throw new Error('"" inside quotes (runtime-dependent)');
        quoted = !quoted;
        continue;
      }
      arg += c;
    }
    if (quoted) throw new Error(`unterminated quote: ${commandLine}`);
    args.push(arg);
  }
  return args;
}

const cmdArgs = (line: string) => msvcrtSplit(cmdCommandLine(line));

// -------------------------------------------------------------------------------------------

describe("quoting for each shell, with hostile text", () => {
  it("sh: the real /bin/sh passes every hostile text through unchanged", () => {
    const texts = [...HOSTILE, "line1\nline2", "cr\rhere"];
    expect(shArgs(texts.map(quoteSh).join(" "))).toEqual(texts);
  });

  it("PowerShell: each text reads back as one literal argument", () => {
    for (const h of HOSTILE) expect(psNativeArgs(`netsh ${quotePowerShell(h)}`), h).toEqual(["netsh", h]);
    // Single-quoted strings keep line breaks literally.
    expect(psNativeArgs(`x ${quotePowerShell("a\nb")}`)).toEqual(["x", "a\nb"]);
    // A comma or a leading digit is never left bare (an array, a number).
    expect(quotePowerShell("a,b")).toBe("'a,b'");
    expect(quotePowerShell("18789")).toBe("'18789'");
    expect(quotePowerShell("dir=in")).toBe("dir=in");
    expect(quotePowerShell("it\u2019s")).toBe("'it\u2019\u2019s'");
  });

  it("cmd.exe: each text reads back as one argument of the program; line breaks are refused", () => {
    for (const h of HOSTILE) expect(cmdArgs(`netsh ${quoteCmd(h)}`), h).toEqual(["netsh", h]);
    expect(quoteCmd('100% "done"')).toBe('^"100%% \\^"done\\^"^"');
    expect(quoteCmd("name=clawpatrol block TCP 18789")).toBe('"name=clawpatrol block TCP 18789"');
    for (const bad of ["line1\nline2", "cr\rhere", "nul\0byte"])
      expect(() => quoteCmd(bad)).toThrow(/line break/);
  });

  it("the reference tokenizers refuse what the shells would not take literally", () => {
    // If these passed, the tests above would prove nothing.
    expect(() => cmdArgs('netsh "100%"')).toThrow(/percent/);
    expect(() => cmdArgs("netsh a&b")).toThrow(/unescaped &/);
    expect(cmdArgs('netsh "a&b" x^&y')).toEqual(["netsh", "a&b", "x&y"]);
    expect(() => psNativeArgs("netsh 'it's'")).toThrow();
    expect(() => psNativeArgs("netsh a,b")).toThrow(/array/);
    expect(() => psNativeArgs("netsh $env:x")).toThrow(/special/);
    expect(() => shArgs("'unterminated")).toThrow();
  });

  it("comments stay comments: every line of a multi-line text is marked; % is doubled for cmd", () => {
    expect(commentLines("sh", "a\nrm -rf /")).toEqual(["# a", "# rm -rf /"]);
    expect(commentLines("cmd", "100%\nnext")).toEqual(["REM 100%%", "REM next"]);
  });
});

/** Hostile text where a rule's strings go, for rendering a whole rule set. */
function hostileSet(shell: RuleSet["shell"], argvFor: (h: string) => string[]): RuleSet {
  return {
    backend: "netsh",
    shell,
    apply: HOSTILE.map((h) => ({ argv: argvFor(h) })),
    remove: [],
    notes: ["a note\nthat spans two lines with 100% & more"],
  };
}

describe("rendered rule sets", () => {
  const spec = { ports: [18789, 18791], allow: ["192.0.2.0/24", "2001:db8::/32"].map((a) => parseCidr(a)!) };

  it("cmd.exe: every line is a REM comment, setlocal, or a command that reads back exactly", () => {
    const rs = hostileSet("cmd", (h) => [
      "netsh",
      "advfirewall",
      "firewall",
      "add",
      "rule",
      `name=${h}`,
      "dir=in",
    ]);
    const lines = renderRules(rs).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^REM netsh: for cmd\.exe/);
    expect(lines).toContain("setlocal DisableDelayedExpansion");
    const commands = lines.filter((l) => !l.startsWith("REM") && !l.startsWith("setlocal"));
    expect(commands.map(cmdArgs)).toEqual(rs.apply.map((c) => c.argv));
    const real = buildRules("netsh", spec);
    expect(real.shell).toBe("cmd");
    const realLines = renderRules(real).trimEnd().split("\n");
    expect(realLines.filter((l) => !l.startsWith("REM ")).map(cmdArgs)).toEqual(
      real.apply.map((c) => c.argv),
    );
    expect(
      renderRules(real, "remove")
        .trimEnd()
        .split("\n")
        .filter((l) => !l.startsWith("REM "))
        .map(cmdArgs),
    ).toEqual(real.remove.map((c) => c.argv));
  });

  it("PowerShell: netsh lines read back exactly; New-NetFirewallRule gets its parameters and arrays", () => {
    const rs = hostileSet("powershell", (h) => [
      "netsh",
      "advfirewall",
      `name=${h}`,
      "localport=18789,18791",
    ]);
    const commands = renderRules(rs)
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(commands.map(psNativeArgs)).toEqual(rs.apply.map((c) => c.argv));

    const ps = buildRules("powershell", spec);
    expect(ps.shell).toBe("powershell");
    const text = renderRules(ps);
    expect(text.split("\n")[0]).toMatch(/^# powershell: for PowerShell/);
    const line = text.split("\n").find((l) => l.startsWith("New-NetFirewallRule"))!;
    const tokens = psTokenize(line);
    const params = new Map<string, string[]>();
    for (let i = 1; i < tokens.length; i += 2) {
      const name = tokens[i]!;
      const value = tokens[i + 1]!;
      if (!("param" in name) || !("value" in value)) throw new Error(`not -Name value pairs: ${line}`);
      params.set(name.param, value.value);
    }
    expect(params.get("DisplayName")).toEqual(["clawpatrol block TCP 18789,18791"]);
    expect(params.get("LocalPort")).toEqual(["18789", "18791"]);
    expect(params.get("RemoteAddress")).toEqual([
      "0.0.0.0-192.0.1.255",
      "192.0.3.0-255.255.255.255",
      "::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
      "2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]);
    // Run outside PowerShell, the same script is the -Command argument.
    expect(ps.apply[0]!.argv.slice(0, 4)).toEqual([
      "powershell.exe",
      "-NoProfile",
      "-NonInteractive",
      "-Command",
    ]);
    expect(ps.apply[0]!.argv[4]).toBe(line);
    expect(psTokenize(renderRules(ps, "remove").split("\n")[1]!)).toEqual([
      { value: ["Remove-NetFirewallRule"] },
      { param: "DisplayName" },
      { value: ["clawpatrol block TCP 18789,18791"] },
    ]);
  });

  it("sh: every Linux and macOS rule set runs in the real sh as the argv it holds", () => {
    for (const b of ["iptables", "ufw", "firewalld"] as const) {
      const rs = buildRules(b, spec);
      expect(rs.shell).toBe("sh");
      const lines = renderRules(rs)
        .split("\n")
        .filter((l) => l && !l.startsWith("#"));
      for (const [i, l] of lines.entries()) {
        const words = l.replace(/ {3}# may fail harmlessly$/, "");
        expect(shArgs(words), l).toEqual(rs.apply[i]!.argv);
      }
    }
    // A multi-line note (pf) stays inside comments.
    const pf = renderRules(buildRules("pf", spec)).split("\n");
    expect(pf.filter((l) => l.includes("load anchor")).every((l) => l.startsWith("#"))).toBe(true);
  });
});

describe("firewall --shell", () => {
  const run = async (opts: Parameters<typeof firewallAction>[0]) => {
    let out = "";
    await firewallAction({ port: ["18789"], ...opts }, (s) => (out += s));
    return out;
  };

  it("picks the Windows form for the shell; the output says which shell it is for", async () => {
    const cmd = await run({ shell: "cmd" });
    expect(cmd.split("\n").every((l) => l === "" || l.startsWith("REM ") || l.startsWith("netsh "))).toBe(
      true,
    );
    expect(cmd).toMatch(/^REM netsh: for cmd\.exe/m);
    const ps = await run({ shell: "powershell" });
    expect(ps).toMatch(/^# powershell: for PowerShell/m);
    expect(ps).toMatch(/^New-NetFirewallRule /m);
    const netshPs = await run({ backend: "netsh", shell: "powershell" });
    expect(netshPs).toMatch(/^# netsh: for PowerShell/m);
    expect(netshPs).toMatch(/^netsh advfirewall firewall add rule 'name=clawpatrol block TCP 18789' /m);
    expect(await run({ backend: "netsh" })).toMatch(
      /^netsh advfirewall firewall add rule "name=clawpatrol block TCP 18789" /m,
    );
  });

  it("refuses shells that do not fit", async () => {
    for (const opts of [
      { shell: "bash" },
      { backend: "ufw", shell: "cmd" },
      { backend: "powershell", shell: "cmd" },
    ])
      await expect(
        firewallAction({ port: ["1"], ...opts }, () => {}),
        JSON.stringify(opts),
      ).rejects.toThrow(UsageError);
  });

  it("--backend all prints every backend, each saying its shell", async () => {
    const out = await run({ backend: "all" });
    for (const b of BACKENDS) expect(out).toMatch(new RegExp(`^(#|REM) ${b}: for `, "m"));
  });
});
