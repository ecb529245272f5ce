// Used when bin/clawpatrol.mjs has to re-run Node with type stripping switched on.
import { run } from "./main.ts";

await run(process.argv);
