// The <host> elements of nmap-style XML (nmap -oX, masscan -oX), one at a time: the text of
// one element is collected (capped) and read with a few anchored patterns. Not a general XML
// parser: these tools write a fixed, documented layout, and anything else is reported.
import { TOO_LONG } from "./lines.ts";
import type { NumberedLine } from "./types.ts";

export interface XmlPort {
  protocol: string;
  portid: string;
  state: string | null;
  service: string | null;
  product: string | null;
  version: string | null;
}

export interface XmlHost {
  line: number;
  addresses: { addr: string; type: string }[];
  hostnames: string[];
  time: string | null;
  ports: XmlPort[];
}

const MAX_HOST_TEXT = 1024 * 1024;

export type XmlItem = { host: XmlHost } | { bad: { line: number; reason: string } };

function decode(v: string): string {
  return v.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (m, e: string) => {
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "amp") return "&";
    if (e === "quot") return '"';
    if (e === "apos") return "'";
    const code = e.startsWith("#x") ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]!] = decode(m[2]!);
  return out;
}

function parseHost(line: number, body: string): XmlHost {
  const open = attrs(/^<host\b[^>]*>/.exec(body)?.[0] ?? "");
  const addresses = [...body.matchAll(/<address\b[^>]*>/g)].map((m) => {
    const a = attrs(m[0]);
    return { addr: a.addr ?? "", type: a.addrtype ?? "" };
  });
  const hostnames = [...body.matchAll(/<hostname\b[^>]*>/g)]
    .map((m) => attrs(m[0]).name ?? "")
    .filter(Boolean);
  const ports: XmlPort[] = [];
  for (const m of body.matchAll(/<port\b([^>]*)>([\s\S]*?)<\/port>/g)) {
    const p = attrs(m[1]!);
    const state = /<state\b[^>]*>/.exec(m[2]!);
    const service = /<service\b[^>]*>/.exec(m[2]!);
    const s = service ? attrs(service[0]) : {};
    ports.push({
      protocol: p.protocol ?? "",
      portid: p.portid ?? "",
      state: state ? (attrs(state[0]).state ?? null) : null,
      service: s.name ?? null,
      product: s.product ?? null,
      version: s.version ?? null,
    });
  }
  return { line, addresses, hostnames, time: open.endtime ?? open.starttime ?? null, ports };
}

export async function* xmlHosts(lines: AsyncIterable<NumberedLine>): AsyncGenerator<XmlItem> {
  let body: string | null = null;
  let start = 0;
  for await (const { n, text } of lines) {
    if (text === TOO_LONG) {
      yield { bad: { line: n, reason: "line too long" } };
      body = null;
      continue;
    }
    let rest = text;
    while (rest !== "") {
      if (body === null) {
        // <host> or <host ...>, never <hosthint> or <hostnames>.
        const at = rest.search(/<host[\s>]/);
        if (at < 0) break;
        body = "";
        start = n;
        rest = rest.slice(at);
      }
      const end = rest.indexOf("</host>");
      if (end < 0) {
        body += `${rest}\n`;
        if (body.length > MAX_HOST_TEXT) {
          yield { bad: { line: start, reason: "<host> element longer than 1 MiB" } };
          body = null;
        }
        break;
      }
      body += rest.slice(0, end + "</host>".length);
      yield { host: parseHost(start, body) };
      body = null;
      rest = rest.slice(end + "</host>".length);
    }
  }
  if (body !== null) yield { bad: { line: start, reason: "<host> element cut off at end of file" } };
}
