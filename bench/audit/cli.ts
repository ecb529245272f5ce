// Runs clawpatrol's audit/fix/firewall commands alone (without the rest of the CLI), so the
// benchmark measures only the audit's own start-up and work.
import { Command } from "commander";
import { registerAudit } from "../../src/cli/audit.ts";
import { reportError } from "../../src/cli/errors.ts";
import { registerFirewall } from "../../src/cli/firewall.ts";
import { registerFix } from "../../src/cli/fix.ts";

const program = new Command("clawpatrol").exitOverride();
registerAudit(program);
registerFix(program);
registerFirewall(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (
    !(
      err instanceof Error &&
      "code" in err &&
      String((err as { code: unknown }).code).startsWith("commander.")
    )
  ) {
    process.exitCode = reportError(err);
  } else if ((err as { exitCode?: number }).exitCode) process.exitCode = 2;
}
