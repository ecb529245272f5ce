// Why a connect failed, in a few words a record can carry. Its own module: the sweep (also
// on the sweep thread) needs it without loading TLS and crypto, as connect.ts does.

export type ConnectFailure = "refused" | "timeout" | "unreachable" | "reset" | "tls" | "error";

export function classify(err: NodeJS.ErrnoException): ConnectFailure {
  switch (err.code) {
    case "ECONNREFUSED":
      return "refused";
    case "ETIMEDOUT":
      return "timeout";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return "unreachable";
    case "ECONNRESET":
    case "EPIPE":
      return "reset";
    default:
      return err.code?.startsWith("ERR_SSL") || err.code?.startsWith("ERR_TLS") ? "tls" : "error";
  }
}
