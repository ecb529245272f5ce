// Regenerates docs/scan-record.schema.json from the zod schema. `npm run schema`.
import { writeFileSync } from "node:fs";
import { observationJsonSchema } from "../src/scan/record-schema.ts";

const path = new URL("../docs/scan-record.schema.json", import.meta.url);
writeFileSync(path, `${JSON.stringify(observationJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${path.pathname}\n`);
