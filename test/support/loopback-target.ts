// The HTTP target the network unit tests talk to: a port on 127.0.0.1.
import type { HttpTarget } from "../../src/net/http.ts";

export function loopbackTarget(port: number, tls = false): HttpTarget {
  return { ip: "127.0.0.1", port, tls, servername: null, hostHeader: `127.0.0.1:${port}` };
}
