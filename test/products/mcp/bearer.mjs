// An MCP endpoint behind the MCP TypeScript SDK's own authorization layer: requireBearerAuth
// (401 with a WWW-Authenticate challenge naming the protected-resource metadata) and
// mcpAuthMetadataRouter (RFC 9728 metadata). No token is ever valid. Copied into the test
// zoo's install directory at start, where the SDK resolves.
import { InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import {
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter,
} from "@modelcontextprotocol/sdk/server/auth/router.js";
import express from "express";

const resource = new URL(process.env.PUBLIC_URL);
const app = express();
app.use(
  mcpAuthMetadataRouter({
    oauthMetadata: {
      issuer: "https://auth.example.invalid/",
      authorization_endpoint: "https://auth.example.invalid/authorize",
      token_endpoint: "https://auth.example.invalid/token",
      response_types_supported: ["code"],
    },
    resourceServerUrl: resource,
  }),
);
app.post(
  "/mcp",
  requireBearerAuth({
    verifier: {
      verifyAccessToken: async () => {
        throw new InvalidTokenError("no token is valid here");
      },
    },
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(resource),
  }),
  (_req, res) => res.status(500).end(),
);
app.listen(Number(process.env.PORT), () => console.error(`bearer MCP on ${process.env.PORT}`));
