// Child process for the kill-safety test: import one NDJSON file into a PGlite directory.
import { openStore } from "../../src/store/db.ts";
import { importNdjson } from "../../src/store/import.ts";

const [dir, file] = process.argv.slice(2);
const store = await openStore({ dataDir: dir! });
process.stdout.write("open\n");
const r = await importNdjson(store.db, file!, { batchSize: 50 });
await store.close();
process.stdout.write(`${r.state}\n`);
