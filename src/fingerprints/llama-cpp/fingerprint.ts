// llama-server from what it answers (tools/server/server-http.cpp): every answer carries the
// default header `Server: llama.cpp`; with `--api-key` set, only /health, /v1/health, /models,
// /v1/models, / and the web UI assets stay public, everything else gets
// `401 {"error":{"message":"Invalid API Key","type":"authentication_error","code":401}}`.
// `GET /props` (server-context.cpp) carries `build_info` ("b<build>-<commit>") and the model
// path; the model listing answers with `owned_by: "llamacpp"`. Pure.
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import {
  answered,
  asObject,
  cleanText,
  evidenceOf,
  header,
  jsonBody,
  listFact,
  openAiModels,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { type AuthState, type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export const LLAMA_CPP_SERVER_HEADER = "llama.cpp";

export function isLlamaCppServer(x: HttpExchange | undefined): boolean {
  return header(x, "server")?.trim() === LLAMA_CPP_SERVER_HEADER;
}

/** The server's own 401 for a missing or wrong API key. */
function isApiKeyRefusal(x: HttpExchange | undefined): boolean {
  const error = asObject(asObject(jsonBody(x, 401))?.error);
  return error?.type === "authentication_error";
}

export function fingerprintLlamaCpp(t: Transcript): Verdict {
  const headerSeen = t.http.find((x) => isLlamaCppServer(x));
  const modelsX = answered(t, "/v1/models");
  const models = openAiModels(jsonBody(modelsX));
  const ownModels = models !== null && models.owners.has("llamacpp");
  if (!headerSeen && !ownModels) return NOT_A_GATEWAY;
  const propsX = answered(t, "/props");
  const props = asObject(jsonBody(propsX));
  const healthX = answered(t, "/health");
  const health = asObject(jsonBody(healthX));
  // The header alone could be copied by anything: one of the server's own answers must agree.
  const shapes =
    ownModels || health?.status === "ok" || typeof props?.build_info === "string" || isApiKeyRefusal(propsX);
  if (!shapes) return NOT_A_GATEWAY;

  const evidence: Evidence[] = [];
  if (headerSeen) evidence.push(evidenceOf(headerSeen, `answers with "Server: ${LLAMA_CPP_SERVER_HEADER}"`));
  const facts: Facts = {};
  const buildInfo = cleanText(props?.build_info, 60);
  const version = buildInfo ? (/^(b\d+)/.exec(buildInfo)?.[1] ?? null) : null;
  if (buildInfo) facts.buildInfo = buildInfo;
  if (models && modelsX) {
    facts.modelsListed = models.ids.length;
    if (models.ids.length > 0) facts.modelNames = listFact(models.ids);
    evidence.push(evidenceOf(modelsX, `/v1/models lists ${models.ids.length} models owned by "llamacpp"`));
  }
  let auth: AuthState = "unknown";
  let authConfidence = 0;
  if (props && propsX) {
    const modelPath = cleanText(props.model_path, 200);
    if (modelPath) facts.modelPath = modelPath;
    if (typeof props.total_slots === "number") facts.totalSlots = props.total_slots;
    auth = "not-required";
    authConfidence = 0.85;
    evidence.push(
      evidenceOf(propsX, `/props answered without credentials${buildInfo ? ` (build ${buildInfo})` : ""}`),
    );
  } else if (propsX && isApiKeyRefusal(propsX)) {
    auth = "required";
    authConfidence = 0.85;
    evidence.push(evidenceOf(propsX, "/props refused with the server's own 401 (started with --api-key)"));
  }
  return serviceVerdict({
    product: "llama-cpp",
    confidence: headerSeen ? 0.85 : 0.7,
    version,
    auth,
    authConfidence,
    evidence,
    facts,
  });
}
