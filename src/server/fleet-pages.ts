// The dashboard's fleet, findings and compliance pages and their JSON, behind the dashboard's
// own auth like every other page:
//   GET /fleet        GET /api/fleet/hosts      hosts, last report, stopped reporting, installs, findings
//   GET /findings     GET /api/findings?kind=   audit and skills findings in the store
//   GET /compliance   GET /api/compliance       the policy of `serve --policy FILE`, judged now
//                     GET /api/compliance/history   per clause, network and host over the kept evaluations
import type { Context, Hono } from "hono";
import { complianceTrend } from "../policy/history.ts";
import type { Policy } from "../policy/schema.ts";
import type { StoreDb } from "../store/rows.ts";
import { compliance, fleetHosts, storedFindings } from "./fleet-queries.ts";
import { compliancePage } from "./pages/compliance.ts";
import { findingsPage } from "./pages/findings.ts";
import { fleetPage } from "./pages/fleet.ts";
import type { PageContext } from "./pages/layout.ts";
import { BadRequest } from "./queries.ts";
import type { SecurityEnv } from "./security.ts";

export interface FleetPagesOptions {
  db: StoreDb;
  now: () => Date;
  policy: { policy: Policy; file: string } | null;
  pageContext: (c: Context<SecurityEnv>) => PageContext;
}

function kindOf(c: Context): "audit" | "skills" | "" {
  const k = c.req.query("kind") ?? "";
  if (k !== "" && k !== "audit" && k !== "skills") throw new BadRequest("kind: audit, skills or nothing");
  return k;
}

export function registerFleetPages(app: Hono<SecurityEnv>, o: FleetPagesOptions): void {
  app.get("/api/fleet/hosts", async (c) => c.json(await fleetHosts(o.db, o.now(), o.policy)));
  app.get("/fleet", async (c) =>
    c.html(fleetPage(o.pageContext(c), await fleetHosts(o.db, o.now(), o.policy))),
  );
  app.get("/api/findings", async (c) => c.json(await storedFindings(o.db, kindOf(c), o.now())));
  app.get("/findings", async (c) => {
    const kind = kindOf(c);
    return c.html(findingsPage(o.pageContext(c), kind, await storedFindings(o.db, kind, o.now())));
  });
  app.get("/api/compliance", async (c) =>
    o.policy
      ? c.json(await compliance(o.db, o.policy, o.now()))
      : c.json({ error: "no policy: serve --policy FILE" }, 404),
  );
  app.get("/api/compliance/history", async (c) => c.json(await complianceTrend(o.db)));
  app.get("/compliance", async (c) =>
    c.html(
      compliancePage(
        o.pageContext(c),
        o.policy ? await compliance(o.db, o.policy, o.now()) : null,
        await complianceTrend(o.db),
      ),
    ),
  );
}
