// An mDNS responder for tests, run inside a test's own network namespace: answers every PTR
// query for the packet's service type with the packet read from argv[2] (a recorded real
// gateway advertisement, or a hostile one), from the interface address argv[3].
import { readFileSync } from "node:fs";
import makeMdns from "multicast-dns";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
const packet = doc.packet;
const type = packet.answers.find((a) => a.type === "PTR").name;
const mdns = makeMdns({ interface: process.argv[3], bind: "0.0.0.0", reuseAddr: true });
mdns.on("query", (q) => {
  if (
    q.questions.some(
      (x) => x.name.toLowerCase() === type.toLowerCase() || x.type === "SRV" || x.type === "TXT",
    )
  )
    mdns.respond({ answers: packet.answers, additionals: packet.additionals });
});
mdns.on("ready", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => {
  mdns.destroy();
  process.exit(0);
});
