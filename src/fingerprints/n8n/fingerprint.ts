// n8n from what it answers before login: the editor page titled "n8n.io - Workflow
// Automation" (packages/frontend/editor-ui/index.html), and `GET /rest/settings`, which an
// unauthenticated caller gets as the public settings (packages/cli/src/services/
// frontend.service.ts getPublicSettings: settingsMode "public", userManagement with
// showSetupOnFirstLoad, authenticationMethod, ...; versionCli in the releases that include
// it), wrapped as `{"data": ...}` by packages/cli/src/response-helper.ts. showSetupOnFirstLoad
// true means no owner account exists yet: the first visitor to open the editor sets one up
// and owns the instance. Pure.
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import {
  answered,
  asObject,
  cleanText,
  evidenceOf,
  htmlTitle,
  jsonBody,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export const N8N_TITLE = "n8n.io - Workflow Automation";

export function isN8nPage(x: HttpExchange | undefined): boolean {
  return x?.response?.status === 200 && htmlTitle(x) === N8N_TITLE;
}

export function fingerprintN8n(t: Transcript): Verdict {
  const settingsX = answered(t, "/rest/settings");
  const data = asObject(asObject(jsonBody(settingsX))?.data);
  const um = asObject(data?.userManagement);
  if (
    !data ||
    !settingsX ||
    !um ||
    typeof um.showSetupOnFirstLoad !== "boolean" ||
    typeof um.authenticationMethod !== "string"
  )
    return NOT_A_GATEWAY;
  const root = answered(t, "/");
  const page = isN8nPage(root);
  // The settings shape alone is n8n's own; with the page, more so.
  if (!page && data.settingsMode === undefined && typeof data.versionCli !== "string") return NOT_A_GATEWAY;
  const version = cleanText(data.versionCli, 40);
  const noOwner = um.showSetupOnFirstLoad;
  const facts: Facts = {
    ownerSetUp: !noOwner,
    authenticationMethod: cleanText(um.authenticationMethod, 20) ?? "",
  };
  const mode = cleanText(data.settingsMode, 20);
  if (mode) facts.settingsMode = mode;
  const evidence: Evidence[] = [];
  if (page && root) evidence.push(evidenceOf(root, `editor page titled "${N8N_TITLE}"`));
  evidence.push(
    evidenceOf(
      settingsX,
      noOwner
        ? "/rest/settings: userManagement.showSetupOnFirstLoad is true: no owner yet, the first visitor becomes owner"
        : `/rest/settings: an owner account exists (sign-in by ${facts.authenticationMethod})${version ? `; versionCli ${version}` : ""}`,
    ),
  );
  return serviceVerdict({
    product: "n8n",
    confidence: page ? 0.85 : 0.75,
    version,
    auth: noOwner ? "not-required" : "required",
    authConfidence: 0.85,
    evidence,
    facts,
  });
}
