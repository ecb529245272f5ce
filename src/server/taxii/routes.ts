// `serve` publishes the exposure picture as a read-only TAXII 2.1 server (docs/taxii.md):
//   GET /taxii2/                                                   discovery
//   GET /taxii2/clawpatrol/                                        the API root
//   GET /taxii2/clawpatrol/collections/                            its one collection
//   GET /taxii2/clawpatrol/collections/{id}/                       the collection
//   GET /taxii2/clawpatrol/collections/{id}/objects/               envelope (added_after, limit, next, match[...])
//   GET /taxii2/clawpatrol/collections/{id}/objects/{object-id}/   envelope of one object
//   GET /taxii2/clawpatrol/collections/{id}/objects/{object-id}/versions/
//   GET /taxii2/clawpatrol/collections/{id}/manifest/
// The objects are src/findings/stix-picture.ts's, built from the store when it has changed. Auth is
// the dashboard's (security.ts: with a token, `Authorization: Bearer`); nothing can be written.
import type { Context, Hono } from "hono";
import { VERSION } from "../../core/version.ts";
import { uuidv5 } from "../../findings/stix.ts";
import { exposureEntries, type StixEntry } from "../../findings/stix-picture.ts";
import { loadStoredSuppressions } from "../../findings/stored-suppressions.ts";
import { matchSuppression } from "../../findings/suppress.ts";
import type { StoreDb } from "../../store/db.ts";
import { listGateways, pictureVersion } from "../../store/gateways.ts";
import { listFindings } from "../../store/query.ts";
import { capText, escapeOneLine } from "../../util/text.ts";
import type { SecurityEnv } from "../security.ts";
import { parseObjectQuery, selectPage, TaxiiBadRequest, versionOf } from "./filter.ts";
import { acceptsTaxii, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from "./media.ts";

export const TAXII_DISCOVERY = "/taxii2/";
export const TAXII_ROOT = "/taxii2/clawpatrol/";
/** The one collection's id: fixed, so a client configured once keeps working. */
export const COLLECTION_ID = uuidv5("clawpatrol exposed gateways", "6f3c1d9e-4b2a-4e57-9a40-2b8e5d7c1f03");
const COLLECTION = `${TAXII_ROOT}collections/${COLLECTION_ID}/`;
/** The largest request body the dashboard takes (app.ts MAX_BODY); this server takes none. */
const MAX_CONTENT_LENGTH = 16 * 1024;

export interface TaxiiOptions {
  db: StoreDb;
  log: (line: string) => void;
  /** The clock (suppressions expire by date; tests pin it). */
  now?: () => Date;
}

type Status = 400 | 404 | 405 | 406 | 500;

const TITLES: Record<Status, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  500: "Internal Server Error",
};

/** A TAXII error message resource (§3.6.1). */
function taxiiError(c: Context, status: Status, description: string): Response {
  return c.body(JSON.stringify({ title: TITLES[status], http_status: String(status), description }), status, {
    "Content-Type": TAXII_MEDIA_TYPE,
  });
}

function taxii(c: Context, body: unknown, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), 200, { "Content-Type": TAXII_MEDIA_TYPE, ...headers });
}

/** X-TAXII-Date-Added-First / -Last of what a response holds (§3.3.1). */
function dateHeaders(entries: readonly StixEntry[]): Record<string, string> {
  if (entries.length === 0) return {};
  const times = entries.map((e) => e.dateAdded).sort((a, b) => Date.parse(a) - Date.parse(b));
  return { "X-TAXII-Date-Added-First": times[0]!, "X-TAXII-Date-Added-Last": times[times.length - 1]! };
}

const collectionResource = () => ({
  id: COLLECTION_ID,
  title: "Exposed agent gateways",
  description:
    "OpenClaw / Clawdbot / Moltbot and other agent gateways found by clawpatrol: each gateway as infrastructure with its address, AS, country, software and the advisories that apply to it, and the findings about it as indicators.",
  alias: "exposed-gateways",
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA_TYPE],
});

export function registerTaxii(app: Hono<SecurityEnv>, opts: TaxiiOptions): void {
  const { db } = opts;
  const now = opts.now ?? (() => new Date());
  // The picture is built once per change of the store, not once per page a client walks. The
  // store's suppressions hold findings back here as in `export` (they expire by date, so the
  // day is part of what the picture depends on).
  let built: { version: string; entries: StixEntry[] } | null = null;
  const entries = async (): Promise<StixEntry[]> => {
    const held = await loadStoredSuppressions(db);
    const today = now();
    const version = JSON.stringify([await pictureVersion(db), today.toISOString().slice(0, 10), held]);
    if (built?.version !== version) {
      const findings = (await listFindings(db)).filter(
        (i) => matchSuppression(i.finding, held, today) === null,
      );
      const picture = exposureEntries({ gateways: await listGateways(db), findings }, { name: "clawpatrol" });
      built = { version, entries: picture };
    }
    return built.entries;
  };
  /** Content negotiation and TAXII errors around a handler. */
  const route =
    (handler: (c: Context<SecurityEnv>) => Promise<Response> | Response) =>
    async (c: Context<SecurityEnv>) => {
      if (!acceptsTaxii(c.req.header("accept")))
        return taxiiError(c, 406, `this server answers with ${TAXII_MEDIA_TYPE}`);
      try {
        return await handler(c);
      } catch (err) {
        if (err instanceof TaxiiBadRequest) return taxiiError(c, 400, err.message);
        opts.log(
          `clawpatrol serve: TAXII ${escapeOneLine(capText(c.req.path, 200).text)}: ${escapeOneLine(capText(String((err as Error)?.message ?? err), 500).text)}`,
        );
        return taxiiError(c, 500, "the server could not answer; see its log");
      }
    };
  const origin = (c: Context) => {
    const url = new URL(c.req.url);
    return `${url.protocol}//${c.req.header("host") ?? url.host}`;
  };

  app.get(
    TAXII_DISCOVERY,
    route((c) =>
      taxii(c, {
        title: "clawpatrol",
        description: "Exposed agent gateways found by clawpatrol, as STIX 2.1 over TAXII 2.1 (read-only).",
        default: `${origin(c)}${TAXII_ROOT}`,
        api_roots: [`${origin(c)}${TAXII_ROOT}`],
      }),
    ),
  );
  app.get(
    TAXII_ROOT,
    route((c) =>
      taxii(c, {
        title: "clawpatrol",
        description: `The exposure picture of this clawpatrol ${VERSION} store.`,
        versions: [TAXII_MEDIA_TYPE],
        max_content_length: MAX_CONTENT_LENGTH,
      }),
    ),
  );
  app.get(
    `${TAXII_ROOT}collections/`,
    route((c) => taxii(c, { collections: [collectionResource()] })),
  );
  app.get(
    COLLECTION,
    route((c) => taxii(c, collectionResource())),
  );
  app.get(
    `${COLLECTION}objects/`,
    route(async (c) => {
      const page = selectPage(await entries(), parseObjectQuery(c.req.query()));
      return taxii(
        c,
        {
          more: page.more,
          ...(page.next ? { next: page.next } : {}),
          ...(page.entries.length > 0 ? { objects: page.entries.map((e) => e.object) } : {}),
        },
        dateHeaders(page.entries),
      );
    }),
  );
  app.get(
    `${COLLECTION}manifest/`,
    route(async (c) => {
      const page = selectPage(await entries(), parseObjectQuery(c.req.query()));
      return taxii(
        c,
        {
          more: page.more,
          ...(page.next ? { next: page.next } : {}),
          ...(page.entries.length > 0
            ? {
                objects: page.entries.map((e) => ({
                  id: e.object.id,
                  date_added: e.dateAdded,
                  version: versionOf(e),
                  media_type: STIX_MEDIA_TYPE,
                })),
              }
            : {}),
        },
        dateHeaders(page.entries),
      );
    }),
  );
  const oneObject = async (c: Context<SecurityEnv>) => {
    const id = c.req.param("objectId") ?? "";
    const query = parseObjectQuery({ ...c.req.query(), "match[id]": id });
    return { id, page: selectPage(await entries(), query) };
  };
  app.get(
    `${COLLECTION}objects/:objectId/`,
    route(async (c) => {
      const { id, page } = await oneObject(c);
      if (page.entries.length === 0)
        return taxiiError(c, 404, `no object ${capText(id, 120).text} in this collection`);
      return taxii(c, { more: false, objects: page.entries.map((e) => e.object) }, dateHeaders(page.entries));
    }),
  );
  app.get(
    `${COLLECTION}objects/:objectId/versions/`,
    route(async (c) => {
      const { id, page } = await oneObject(c);
      if (page.entries.length === 0)
        return taxiiError(c, 404, `no object ${capText(id, 120).text} in this collection`);
      return taxii(c, { more: false, versions: page.entries.map(versionOf) }, dateHeaders(page.entries));
    }),
  );
  // Read-only: nothing is added or deleted; anything else under /taxii2/ is not there.
  app.on(["POST", "PUT", "PATCH", "DELETE"], "/taxii2/*", (c) =>
    taxiiError(c, 405, "this TAXII server is read-only"),
  );
  app.all("/taxii2/*", (c) => taxiiError(c, 404, "no such TAXII resource"));
}
