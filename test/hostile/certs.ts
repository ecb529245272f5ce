// Test certificates, generated at test time with the system openssl into a temporary
// directory (nothing secret is committed): a certificate whose subject holds terminal
// escape sequences, one with thousands of SANs, and a chain far over any sane size.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const OPENSSL = "/usr/bin/openssl";

export interface KeyCert {
  key: Buffer;
  cert: Buffer;
}

export interface HostileCerts {
  /** Subject and issuer full of ANSI/OSC escapes and bidi overrides. */
  escapeSubject: KeyCert;
  /** One certificate with 3,000 subjectAltName entries (about 80 KB). */
  manySans: KeyCert;
  /** A leaf followed by 20 copies of a large certificate: a 1.6 MB chain. */
  hugeChain: KeyCert;
  /** Bytes of hugeChain.cert (PEM). */
  hugeChainBytes: number;
}

/** A self-signed P-256 certificate made by openssl in `dir` (`<name>.key`, `<name>.pem`); `args` add subject, SANs, config. */
export function selfSigned(dir: string, name: string, args: string[]): KeyCert {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    OPENSSL,
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-keyout",
      key,
      "-out",
      cert,
      ...args,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

export function generateHostileCerts(): HostileCerts {
  const dir = mkdtempSync(join(tmpdir(), "clawpatrol-hostile-certs-"));
  try {
    const esc = "\u001b]0;pwned\u0007\u001b[31mred\u001b[0m\u202eevil";
    const escapeSubject = selfSigned(dir, "escape", ["-utf8", "-subj", `/CN=${esc}/O=${"O".repeat(60)}`]);
    const sans = Array.from({ length: 3000 }, (_, i) => `DNS:s${i}.hostile.test`).join(",");
    const cnf = join(dir, "sans.cnf");
    writeFileSync(
      cnf,
      `[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=many-sans.hostile.test\n[ext]\nsubjectAltName=${sans}\n`,
    );
    const manySans = selfSigned(dir, "sans", ["-config", cnf]);
    const leaf = selfSigned(dir, "leaf", ["-subj", "/CN=huge-chain.hostile.test"]);
    const chain = Buffer.concat([leaf.cert, ...Array.from({ length: 20 }, () => manySans.cert)]);
    return {
      escapeSubject,
      manySans,
      hugeChain: { key: leaf.key, cert: chain },
      hugeChainBytes: chain.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
