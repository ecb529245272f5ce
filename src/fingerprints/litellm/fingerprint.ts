// The LiteLLM proxy from what it answers: `/` is FastAPI's Swagger page titled "LiteLLM API"
// (litellm/proxy/proxy_server.py: docs_url "/" unless NO_DOCS, title "LiteLLM API");
// `GET /health/readiness` is unprotected and answers `{"status", "db", "cache",
// "litellm_version", "success_callbacks", ...}` (docs/my-website/docs/proxy/health.md,
// litellm/proxy/health_endpoints/_health_endpoints.py). With a master key, `GET /v1/models`
// without one is `401 {"error": {"message": "Authentication Error, No api key passed in.",
// "type": "auth_error", ...}}`; without a master key it lists the configured models. Pure.
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import {
  answered,
  asObject,
  cleanText,
  evidenceOf,
  htmlTitle,
  jsonBody,
  listFact,
  openAiModels,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { type AuthState, type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export function isLiteLlmDocs(x: HttpExchange | undefined): boolean {
  return x?.response?.status === 200 && (htmlTitle(x)?.startsWith("LiteLLM API") ?? false);
}

function isKeyRefusal(x: HttpExchange | undefined): boolean {
  const error = asObject(asObject(jsonBody(x, 401))?.error);
  const message = typeof error?.message === "string" ? error.message : "";
  return error?.type === "auth_error" || message.startsWith("Authentication Error");
}

export function fingerprintLiteLlm(t: Transcript): Verdict {
  const readyX = answered(t, "/health/readiness");
  const ready = asObject(jsonBody(readyX));
  const version = cleanText(ready?.litellm_version, 40);
  if (!ready || !readyX || !version || typeof ready.status !== "string") return NOT_A_GATEWAY;
  const root = answered(t, "/");
  const evidence: Evidence[] = [];
  if (isLiteLlmDocs(root) && root) evidence.push(evidenceOf(root, 'root is the "LiteLLM API" Swagger page'));
  evidence.push(evidenceOf(readyX, `/health/readiness reports litellm_version ${version}`));
  const facts: Facts = {};
  const db = cleanText(ready.db, 40);
  if (db) facts.db = db;
  if (Array.isArray(ready.success_callbacks)) {
    const callbacks = ready.success_callbacks
      .map((c) => cleanText(c, 60))
      .filter((c): c is string => c !== null && !c.startsWith("_PROXY_"));
    if (callbacks.length > 0) facts.callbacks = listFact(callbacks);
  }
  const modelsX = answered(t, "/v1/models");
  const models = openAiModels(jsonBody(modelsX));
  let auth: AuthState = "unknown";
  let authConfidence = 0;
  if (models && modelsX) {
    auth = "not-required";
    authConfidence = 0.85;
    facts.modelsListed = models.ids.length;
    if (models.ids.length > 0) facts.modelNames = listFact(models.ids);
    evidence.push(
      evidenceOf(modelsX, `/v1/models lists ${models.ids.length} models without a key (no master key set)`),
    );
  } else if (modelsX && isKeyRefusal(modelsX)) {
    auth = "required";
    authConfidence = 0.85;
    evidence.push(evidenceOf(modelsX, "/v1/models refused without a key (master key set)"));
  }
  return serviceVerdict({
    product: "litellm",
    confidence: evidence.length > 1 && isLiteLlmDocs(root) ? 0.85 : 0.75,
    version,
    auth,
    authConfidence,
    evidence,
    facts,
  });
}
